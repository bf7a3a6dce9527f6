// Prompt tuning: a soft prompt is exactly N more tokens before every sequence (alone, packed, generated
// through the cache), training it lowers the validation loss while the base stays bitwise unchanged, it
// resumes exactly, and its export has PEFT's PROMPT_TUNING names and shapes and loads back.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "engine/checkpoint_store.h"
#include "engine/eval_model.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/prompt_tuning.h"
#include "engine/trainer.h"
#include "engine/training_model.h"
#include "engine_test_support.h"
#include "modelio/safetensors_file.h"
#include "modelio/safetensors_writer.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

namespace {

// A soft prompt made of the embeddings of `ids`: the model must then behave as if those tokens came first.
LlamaForCausalLM modelWithPromptOf(const ModelConfig& config, const std::vector<int64_t>& ids)
{
    LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 3);
    model->eval();
    torch::NoGradGuard noGrad;
    model->setSoftPrompt(model->model->embed_tokens->weight.index_select(0, torch::tensor(ids)).clone(), false);
    return model;
}

torch::Tensor logitsWithout(LlamaForCausalLMImpl& model, const torch::Tensor& tokens)
{
    // The same model's weights without the prompt: a copy that has none.
    LlamaForCausalLM plain(model.config(), torch::kFloat32, WeightInit::Empty);
    torch::NoGradGuard noGrad;
    for (WeightSlot& slot : plain->weightSlots())
        for (WeightSlot& source : model.weightSlots())
            if (source.name == slot.name)
                slot.assign(source.read());
    plain->eval();
    return plain->forward(tokens);
}

void expectError(const std::function<void()>& action, const QString& expected)
{
    try {
        action();
        QFAIL(qPrintable(QStringLiteral("no error; expected one containing \"%1\"").arg(expected)));
    } catch (const Error& e) {
        QVERIFY2(e.message().contains(expected), qPrintable(e.message()));
    }
}

} // namespace

class TestPromptTuning : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    TrainConfig promptConfig(const QString& model, const QString& trainFile)
    {
        TrainConfig c;
        c.applyModePreset(QStringLiteral("prompt"));
        c.model = model;
        c.trainFile = trainFile;
        c.valFraction = 0.2;
        c.maxLength = 128;
        c.batchSize = 4;
        c.numVirtualTokens = 8;
        c.warmupSteps = 1;
        c.samplePrompts = 0;
        c.seed = 5;
        c.threads = 1;
        return c;
    }

private slots:
    void softPromptIsTokensPutFirst()
    {
        const ModelConfig config = test::tinyConfig();
        const std::vector<int64_t> promptIds{11, 12, 13};
        LlamaForCausalLM model = modelWithPromptOf(config, promptIds);
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {2, 9}, torch::kInt64);
        const torch::Tensor prefixed = torch::cat({torch::tensor(promptIds).unsqueeze(0).expand({2, 3}), tokens}, 1);
        torch::NoGradGuard noGrad;
        const torch::Tensor withPrompt = model->forward(tokens);
        QCOMPARE(withPrompt.sizes().vec(), (std::vector<int64_t>{2, 9, config.vocabSize}));
        const torch::Tensor reference = logitsWithout(*model, prefixed).narrow(1, 3, 9);
        const double diff = test::maxAbsDiff(withPrompt, reference);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        // Without the prompt the logits differ: the test would notice a prompt that is ignored.
        QVERIFY(test::maxAbsDiff(logitsWithout(*model, tokens), reference) > 1e-3);
    }
    void everyPackedExampleSeesThePrompt()
    {
        const ModelConfig config = test::tinyConfig();
        const std::vector<int64_t> promptIds{21, 22};
        LlamaForCausalLM model = modelWithPromptOf(config, promptIds);
        const torch::Tensor a = torch::randint(3, config.vocabSize, {1, 7}, torch::kInt64);
        const torch::Tensor b = torch::randint(3, config.vocabSize, {1, 5}, torch::kInt64);
        TokenLayout layout;
        layout.positions = torch::cat({torch::arange(7), torch::arange(5)}).unsqueeze(0);
        layout.segments = torch::cat({torch::zeros({7}, torch::kInt64), torch::ones({5}, torch::kInt64)}).unsqueeze(0);
        torch::NoGradGuard noGrad;
        const torch::Tensor together = model->forward(torch::cat({a, b}, 1), layout);
        const torch::Tensor separate = torch::cat({model->forward(a), model->forward(b)}, 1);
        const double diff = test::maxAbsDiff(together, separate);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    }
    void generationThroughTheCacheKeepsThePrompt()
    {
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM model = modelWithPromptOf(config, {31, 32, 33, 34});
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {1, 10}, torch::kInt64);
        torch::NoGradGuard noGrad;
        const torch::Tensor whole = model->forward(tokens);
        KvCache cache(config, 1, 4 + 10, torch::kFloat32);
        const torch::Tensor first = model->forward(tokens.narrow(1, 0, 6), {}, &cache);
        QCOMPARE(cache.length(), int64_t(4 + 6));
        const torch::Tensor rest = model->forward(tokens.narrow(1, 6, 4), {}, &cache);
        const double diff = test::maxAbsDiff(torch::cat({first, rest}, 1), whole);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));

        // generate() leaves room for the virtual tokens: a context of prompt + new tokens still fits.
        const auto tokenizer = Tokenizer::fromFile(test::testTokenizerPath());
        SamplingOptions options;
        options.temperature = 0;
        options.maxNewTokens = 5;
        options.stopAtEos = false;
        const GenerationResult result = generate(*model, *tokenizer, {1, 40, 41}, options);
        QCOMPARE(result.tokens.size(), size_t(5));
    }
    void textInitialisationRepeatsTheTextsTokens()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        LoadedModel loaded = loadModel(base);
        SoftPromptSettings settings;
        settings.init = QStringLiteral("text");
        settings.initText = QStringLiteral("Answer briefly");
        const std::vector<TokenId> ids = loaded.tokenizer->encode(settings.initText);
        QVERIFY(ids.size() >= 2);
        settings.virtualTokens = static_cast<int64_t>(ids.size()) * 2 + 1; // twice over, and one more
        applySoftPrompt(*loaded.model, settings, loaded.tokenizer.get(), 0);
        const torch::Tensor table = loaded.model->model->embed_tokens->weight;
        for (int64_t i = 0; i < settings.virtualTokens; ++i)
            QVERIFY(torch::equal(loaded.model->softPrompt()[i], table[ids[static_cast<size_t>(i) % ids.size()]]));
        // Only the prompt trains.
        for (const auto& item : loaded.model->named_parameters())
            QCOMPARE(item.value().requires_grad(), item.key() == "prompt_embeddings");
    }
    void trainingLowersTheValidationLossAndExportsForPeft()
    {
        FT_REQUIRE_SHARED();
        const QString base = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        TrainConfig config = promptConfig(base, test::writeSampleTrainingFile(m_dir.path(), 40));
        config.maxSteps = 10;
        config.evalEvery = 5;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("run-prompt"));
        const RunEndInfo end = test::trainNewRun(runDir, config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        LoadedModel original = loadModel(base);
        const int64_t hidden = original.config.hiddenSize;
        QCOMPARE(recorder.start.trainableParameters, qint64(8 * hidden));
        QCOMPARE(recorder.valLosses.size(), size_t(2));
        QVERIFY2(recorder.valLosses.back() < recorder.valLosses.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(recorder.valLosses.front()).arg(recorder.valLosses.back())));

        // Checkpoints hold the prompt alone.
        const auto checkpoint = CheckpointStore(runDir).latest();
        QVERIFY(checkpoint.has_value());
        SafetensorsFile trainable(QDir(checkpoint->path).filePath(QStringLiteral("trainable.safetensors")));
        QCOMPARE(trainable.entries().size(), size_t(1));
        QCOMPARE(trainable.entries().front().name, QStringLiteral("prompt_embeddings"));

        // The export: PEFT's PROMPT_TUNING folder and nothing else.
        QCOMPARE(end.exportPath, QDir(runDir).filePath(QStringLiteral("export/adapter")));
        QVERIFY(!QFile::exists(QDir(runDir).filePath(QStringLiteral("export/model"))));
        const QJsonObject json =
            readJsonObjectFile(QDir(end.exportPath).filePath(QStringLiteral("adapter_config.json")));
        QCOMPARE(json.value(QStringLiteral("peft_type")).toString(), QStringLiteral("PROMPT_TUNING"));
        QCOMPARE(json.value(QStringLiteral("task_type")).toString(), QStringLiteral("CAUSAL_LM"));
        QCOMPARE(json.value(QStringLiteral("num_virtual_tokens")).toInt(), 8);
        QCOMPARE(json.value(QStringLiteral("token_dim")).toInt(), int(hidden));
        QCOMPARE(json.value(QStringLiteral("num_transformer_submodules")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("num_layers")).toInt(), int(original.config.numLayers));
        QCOMPARE(json.value(QStringLiteral("num_attention_heads")).toInt(), int(original.config.numHeads));
        QCOMPARE(json.value(QStringLiteral("prompt_tuning_init")).toString(), QStringLiteral("SAMPLE_VOCAB"));
        QCOMPARE(json.value(QStringLiteral("base_model_name_or_path")).toString(), base);
        SafetensorsFile weights(QDir(end.exportPath).filePath(QStringLiteral("adapter_model.safetensors")));
        QCOMPARE(weights.entries().size(), size_t(1));
        QCOMPARE(weights.entries().front().name, QStringLiteral("prompt_embeddings"));
        QCOMPARE(weights.entries().front().dtype, TensorDtype::F32);
        QCOMPARE(weights.entries().front().shape, (std::vector<int64_t>{8, hidden}));

        // "final" is the base with the exported prompt: it equals the best checkpoint (here also the last),
        // and differs from the base.
        EvalModel final = loadEvalRunModel(runDir, QStringLiteral("final"));
        EvalModel best = loadEvalRunModel(runDir, QStringLiteral("best"));
        QCOMPARE(final.weightsPath, end.exportPath);
        const torch::Tensor tokens = torch::randint(3, 500, {1, 20}, torch::kInt64);
        torch::NoGradGuard noGrad;
        const torch::Tensor finalLogits = final.loaded.model->forward(tokens);
        QVERIFY(test::maxAbsDiff(finalLogits, best.loaded.model->forward(tokens)) < 1e-5);
        original.model->eval();
        QVERIFY(test::maxAbsDiff(finalLogits, original.model->forward(tokens)) > 1e-3);
        // What "final" loads keeps the base file's weights, bit for bit: only the prompt is the run's (that
        // training touched nothing else is the checkpoint's single tensor above).
        std::map<std::string, torch::Tensor> baseWeights;
        for (WeightSlot& slot : original.model->weightSlots())
            baseWeights[slot.name] = slot.read();
        for (WeightSlot& slot : final.loaded.model->weightSlots())
            QVERIFY2(torch::equal(slot.read(), baseWeights.at(slot.name)), slot.name.c_str());

        // A model folder cannot hold the prompt: writing one is refused rather than losing it.
        expectError([&] { saveModelFolder(*final.loaded.model, m_dir.filePath(QStringLiteral("merged")), {}); },
                    QStringLiteral("soft prompt has no place there"));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("merged"))));
    }
    void resumesExactly()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        TrainConfig config = promptConfig(base, test::writeSampleTrainingFile(dir.path(), 30));
        config.maxSteps = 6;
        config.evalEvery = 3;
        const test::ResumedTraining runs = test::trainWholeAndResumed(dir.path(), config, 2);
        QCOMPARE(runs.stopped, runOutcomeName(RunOutcome::Stopped));
        QCOMPARE(runs.resumed, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(runs.joined, runs.whole); // bit for bit
    }
    void loadingRefusesWhatDoesNotFit()
    {
        QTemporaryDir dir;
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM trained = modelWithPromptOf(config, {5, 6, 7});
        const QString folder = dir.filePath(QStringLiteral("prompt"));
        PromptTuningAdapterInfo info;
        info.baseModelNameOrPath = QStringLiteral("base");
        savePromptTuningAdapter(*trained, folder, info);
        QVERIFY(isPromptTuningAdapter(folder));
        {
            LlamaForCausalLM fresh(config, torch::kFloat32, WeightInit::Random, 3);
            loadPromptTuningAdapter(*fresh, folder);
            QVERIFY(torch::equal(fresh->softPrompt(), trained->softPrompt()));
            QVERIFY(!fresh->softPrompt().requires_grad());
            expectError([&] { loadPromptTuningAdapter(*fresh, folder); }, QStringLiteral("already has a soft prompt"));
        }
        {
            ModelConfig wider = config;
            wider.hiddenSize = 128;
            wider.headDim = 32;
            LlamaForCausalLM other(wider, torch::kFloat32, WeightInit::Random, 3);
            expectError([&] { loadPromptTuningAdapter(*other, folder); },
                        QStringLiteral("token_dim is 64 but the model's hidden size is 128"));
        }
        const QString configPath = QDir(folder).filePath(QStringLiteral("adapter_config.json"));
        QJsonObject json = readJsonObjectFile(configPath);
        json[QStringLiteral("num_virtual_tokens")] = 4;
        writeFileAtomically(configPath, QJsonDocument(json).toJson());
        LlamaForCausalLM fresh(config, torch::kFloat32, WeightInit::Random, 3);
        expectError([&] { loadPromptTuningAdapter(*fresh, folder); },
                    QStringLiteral("has shape [3, 64] where [4, 64] is expected"));
        json[QStringLiteral("peft_type")] = QStringLiteral("PREFIX_TUNING");
        writeFileAtomically(configPath, QJsonDocument(json).toJson());
        QVERIFY(!isPromptTuningAdapter(folder));
        expectError([&] { loadPromptTuningAdapter(*fresh, folder); }, QStringLiteral("not PROMPT_TUNING"));
        QCOMPARE(fresh->virtualTokenCount(), int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestPromptTuning)
#include "tst_prompt_tuning.moc"
