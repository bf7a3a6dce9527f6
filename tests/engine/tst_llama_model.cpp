#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "engine/llama2c_import.h"
#include "engine/model_loader.h"
#include "engine_test_support.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QString fixture(const QString& relative)
{
    return test::sharedPath(QStringLiteral("fixtures/stories260K/") + relative);
}

torch::Tensor logitsOf(LlamaForCausalLMImpl& model, const torch::Tensor& tokens)
{
    torch::NoGradGuard noGrad;
    return model.forward(tokens);
}

// How many nodes of `output`'s autograd graph have `name` in their name.
int autogradNodesNamed(const torch::Tensor& output, const std::string& name)
{
    std::vector<torch::autograd::Node*> pending{output.grad_fn().get()};
    std::set<torch::autograd::Node*> seen;
    int count = 0;
    while (!pending.empty()) {
        torch::autograd::Node* node = pending.back();
        pending.pop_back();
        if (!node || !seen.insert(node).second)
            continue;
        if (node->name().find(name) != std::string::npos)
            ++count;
        for (const torch::autograd::Edge& edge : node->next_edges())
            pending.push_back(edge.function.get());
    }
    return count;
}

} // namespace

class TestLlamaModel : public QObject {
    Q_OBJECT
private slots:
    void fixtureLogits_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("hugging face folder") << QStringLiteral("hf");
        QTest::newRow("llama2.c checkpoint") << QStringLiteral("stories260K.bin");
    }
    void fixtureLogits()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, path);
        LoadedModel loaded = loadModel(fixture(path));
        const torch::Tensor tokens = test::referenceTensor(QStringLiteral("tokens"));
        const torch::Tensor expected = test::referenceTensor(QStringLiteral("logits"));
        const torch::Tensor logits = logitsOf(*loaded.model, tokens);
        QCOMPARE(logits.sizes(), expected.sizes());
        const double diff = test::maxAbsDiff(logits, expected);
        QVERIFY2(diff < 1e-4, qPrintable(QStringLiteral("max abs difference %1").arg(diff)));
    }
    void convertedCheckpointGivesIdenticalLogits()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        LoadedModel fromBin = loadModel(fixture(QStringLiteral("stories260K.bin")));
        SaveOptions save;
        save.tokenizerSource = fromBin.tokenizer->path();
        const QString out = dir.filePath(QStringLiteral("converted"));
        saveModelFolder(*fromBin.model, out, save);
        LoadedModel converted = loadModel(out);
        const torch::Tensor tokens = test::referenceTensor(QStringLiteral("tokens"));
        QVERIFY(torch::equal(logitsOf(*fromBin.model, tokens), logitsOf(*converted.model, tokens)));
        // The permutation reproduces the Hugging Face converter's q/k rows exactly.
        LoadedModel hf = loadModel(fixture(QStringLiteral("hf")));
        const auto a = converted.model->named_parameters();
        const auto b = hf.model->named_parameters();
        for (const auto& item : a)
            QVERIFY2(torch::equal(item.value(), b[item.key()]), item.key().c_str());
    }
    void permutationMovesPairsToHalves()
    {
        // One head of dimension 4 with rows (r0, r1, r2, r3) as interleaved pairs (r0, r1), (r2, r3):
        // rotate-half order puts the first members first: (r0, r2, r1, r3).
        const torch::Tensor w = torch::arange(4, torch::kFloat32).view({4, 1});
        const torch::Tensor permuted = permuteInterleavedToHalves(w, 1);
        QVERIFY(torch::equal(permuted.flatten(), torch::tensor({0.f, 2.f, 1.f, 3.f})));
    }
    void packedRowsMatchSeparateRows()
    {
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 3);
        model->eval();
        const torch::Tensor a = torch::randint(3, config.vocabSize, {1, 7}, torch::kInt64);
        const torch::Tensor b = torch::randint(3, config.vocabSize, {1, 5}, torch::kInt64);
        const torch::Tensor packed = torch::cat({a, b}, 1); // (1, 12)
        TokenLayout layout;
        layout.positions = torch::cat({torch::arange(7), torch::arange(5)}).unsqueeze(0);
        layout.segments = torch::cat({torch::zeros({7}, torch::kInt64), torch::ones({5}, torch::kInt64)}).unsqueeze(0);
        torch::NoGradGuard noGrad;
        const torch::Tensor together = model->forward(packed, layout);
        const torch::Tensor separate = torch::cat({model->forward(a), model->forward(b)}, 1);
        const double diff = test::maxAbsDiff(together, separate);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        // Without the segments the second example would see the first: the logits must then differ.
        QVERIFY(test::maxAbsDiff(model->forward(packed).narrow(1, 7, 5), separate.narrow(1, 7, 5)) > 1e-3);
    }
    void gradientCheckpointingGivesTheSameGradients_data()
    {
        QTest::addColumn<int>("checkpointLayers");
        QTest::addColumn<int>("checkpointed");
        QTest::newRow("every layer") << 0 << 2;
        QTest::newRow("the first of two") << 1 << 1;
        QTest::newRow("more than there are") << 5 << 2;
    }
    void gradientCheckpointingGivesTheSameGradients()
    {
        QFETCH(int, checkpointLayers);
        QFETCH(int, checkpointed);
        const ModelConfig config = test::tinyConfig();
        QCOMPARE(config.numLayers, int64_t(2));
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {2, 16}, torch::kInt64);
        std::vector<torch::Tensor> grads[2];
        for (int checkpoint = 0; checkpoint < 2; ++checkpoint) {
            LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 5);
            model->train();
            model->setGradientCheckpointing(checkpoint == 1, checkpointLayers);
            QCOMPARE(model->checkpointedLayerCount(), int64_t(checkpoint == 1 ? checkpointed : 0));
            const torch::Tensor logits = model->forward(tokens);
            // The forward really recorded that many checkpointed layers (one autograd node each).
            QCOMPARE(autogradNodesNamed(logits, "CheckpointedLayer"), checkpoint == 1 ? checkpointed : 0);
            torch::nn::functional::cross_entropy(logits.view({-1, config.vocabSize}), tokens.view({-1})).backward();
            for (const auto& p : model->parameters())
                grads[checkpoint].push_back(p.grad().clone());
        }
        QCOMPARE(grads[0].size(), grads[1].size());
        for (size_t i = 0; i < grads[0].size(); ++i)
            QVERIFY(test::maxAbsDiff(grads[0][i], grads[1][i]) < 1e-6);
    }
    void architecturesRoundTripBitForBit_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<bool>("tied");
        QTest::addColumn<QString>("dtype");
        QTest::newRow("llama tied f32") << "LlamaForCausalLM" << true << "float32";
        QTest::newRow("llama untied bf16") << "LlamaForCausalLM" << false << "bfloat16";
        QTest::newRow("mistral f16") << "MistralForCausalLM" << false << "float16";
        QTest::newRow("qwen2 with qkv bias") << "Qwen2ForCausalLM" << true << "float32";
        QTest::newRow("qwen3 with q/k norms") << "Qwen3ForCausalLM" << true << "float32";
    }
    void architecturesRoundTripBitForBit()
    {
        QFETCH(QString, architecture);
        QFETCH(bool, tied);
        QFETCH(QString, dtype);
        QTemporaryDir dir;
        ModelConfig config = test::tinyConfig(architecture);
        config.tieWordEmbeddings = tied;
        const QString first = test::writeRandomModel(dir.filePath(QStringLiteral("a")), config, dtype);
        LoadedModel loaded = loadModel(first);
        QCOMPARE(loaded.config.architecture, architecture);
        QCOMPARE(loaded.config.torchDtype, dtype);
        QVERIFY(loaded.warnings.isEmpty());
        if (architecture == QLatin1String("Qwen2ForCausalLM"))
            QVERIFY(loaded.model->model->layers[0]->self_attn->q_proj->bias().defined());
        if (architecture == QLatin1String("Qwen3ForCausalLM")) {
            const auto& attention = loaded.model->model->layers[1]->self_attn;
            QVERIFY(attention->q_norm && attention->k_norm);
            QCOMPARE(attention->q_norm->weight.size(0), 32);
            QVERIFY(!attention->q_proj->bias().defined());
            QCOMPARE(attention->q_proj->outFeatures(), 4 * 32); // heads x head_dim, not hidden_size
        }

        SaveOptions save;
        save.tokenizerSource = first;
        const QString second = dir.filePath(QStringLiteral("b"));
        saveModelFolder(*loaded.model, second, save);
        QFile a(QDir(first).filePath(QStringLiteral("model.safetensors")));
        QFile b(QDir(second).filePath(QStringLiteral("model.safetensors")));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QVERIFY2(a.readAll() == b.readAll(), "saving a loaded model changed its bytes");
        QVERIFY(QFile::exists(QDir(second).filePath(QStringLiteral("tokenizer.model"))));
    }
    // Qwen3's q/k norms sit in the forward pass: their weights change the logits and get gradients.
    void qkNormsTakePartInForwardAndBackward()
    {
        ModelConfig config = test::tinyConfig(QStringLiteral("Qwen3ForCausalLM"));
        LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 7);
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {2, 12}, torch::kInt64);
        const torch::Tensor logits = model->forward(tokens);
        logits.pow(2).mean().backward();
        const auto& attention = model->model->layers[0]->self_attn;
        QVERIFY(attention->q_norm->weight.grad().defined());
        QVERIFY(attention->k_norm->weight.grad().abs().sum().item<double>() > 0.0);
        torch::Tensor changed;
        {
            torch::NoGradGuard noGrad;
            attention->k_norm->weight.mul_(1.5);
            changed = model->forward(tokens);
        }
        QVERIFY(test::maxAbsDiff(changed, logits.detach()) > 1e-4);
    }
    void bf16ComputeStaysClose()
    {
        FT_REQUIRE_SHARED();
        LoadOptions options;
        options.dtype = torch::kBFloat16;
        LoadedModel loaded = loadModel(fixture(QStringLiteral("hf")), options);
        const torch::Tensor tokens = test::referenceTensor(QStringLiteral("tokens"));
        const torch::Tensor logits = logitsOf(*loaded.model, tokens).to(torch::kFloat32);
        const torch::Tensor expected = test::referenceTensor(QStringLiteral("logits"));
        // bf16 keeps 8 bits of mantissa: the argmax should mostly agree.
        const double agree = (logits.argmax(-1) == expected.argmax(-1)).to(torch::kFloat32).mean().item<double>();
        QVERIFY2(agree > 0.8, qPrintable(QString::number(agree)));
    }
};

QTEST_APPLESS_MAIN(TestLlamaModel)
#include "tst_llama_model.moc"
