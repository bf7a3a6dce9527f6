#include <cmath>
#include <set>

#include <QTest>

#include "common/error.h"
#include "engine/lora.h"
#include "engine_test_support.h"
#include "lora_test_support.h"

using namespace ft;

namespace {

LlamaForCausalLM randomModel(uint64_t seed = 21)
{
    LlamaForCausalLM model(test::tinyConfig(), torch::kFloat32, WeightInit::Random, seed);
    model->eval();
    return model;
}

std::set<std::string> parameterNames(LlamaForCausalLMImpl& model)
{
    std::set<std::string> names;
    for (const auto& item : model.named_parameters())
        names.insert(item.key());
    return names;
}

// Gives every B a random value so that the adapters change the output.
void randomizeB(LlamaForCausalLMImpl& model, double stddev)
{
    torch::NoGradGuard noGrad;
    for (const LoraSite& site : loraSites(model))
        site.projection->loraB().normal_(0.0, stddev);
}

} // namespace

class TestLora : public QObject {
    Q_OBJECT
private:
    ModelConfig m_config;
    torch::Tensor m_tokens;

private slots:
    void initTestCase()
    {
        m_config = test::tinyConfig();
        m_tokens = test::randomTokens(m_config.vocabSize, 2, 20, 4);
        torch::manual_seed(5);
    }

    void namesAndTrainability()
    {
        LlamaForCausalLM model = randomModel();
        const std::set<std::string> baseNames = parameterNames(*model);
        const void* qWeight = model->named_parameters()["model.layers.0.self_attn.q_proj.weight"].data_ptr();
        LoraSettings settings;
        settings.rank = 4;
        const std::vector<LoraSite> sites = applyLora(*model, settings, 1);
        QCOMPARE(sites.size(), size_t(m_config.numLayers * 7));

        std::set<std::string> names = parameterNames(*model);
        std::set<std::string> adapterNames;
        for (const auto& item : model->named_parameters()) {
            const bool adapter = item.key().find(".lora_") != std::string::npos;
            QCOMPARE(item.value().requires_grad(), adapter); // embeddings, norms and base weights frozen
            if (adapter)
                adapterNames.insert(item.key());
        }
        for (const std::string& n : adapterNames)
            names.erase(n);
        QVERIFY(names == baseNames); // base weights keep their Hugging Face names
        QCOMPARE(model->named_parameters()["model.layers.0.self_attn.q_proj.weight"].data_ptr(), qWeight);

        auto params = model->named_parameters();
        QCOMPARE(adapterNames.size(), size_t(m_config.numLayers * 7 * 2));
        QCOMPARE(params["model.layers.1.self_attn.k_proj.lora_A.weight"].sizes(), torch::IntArrayRef({4, 64}));
        QCOMPARE(params["model.layers.1.self_attn.k_proj.lora_B.weight"].sizes(), torch::IntArrayRef({32, 4}));
        QCOMPARE(params["model.layers.0.mlp.down_proj.lora_A.weight"].sizes(), torch::IntArrayRef({4, 96}));
        QCOMPARE(params["model.layers.0.mlp.down_proj.lora_B.weight"].sizes(), torch::IntArrayRef({64, 4}));

        const auto named = namedLoraParameters(*model);
        QCOMPARE(named.size(), adapterNames.size());
        for (const auto& [name, tensor] : named) {
            QVERIFY2(adapterNames.count(name), name.c_str());
            QCOMPARE(tensor.data_ptr(), params[name].data_ptr());
        }
        QCOMPARE(loraParameters(*model).size(), adapterNames.size());
    }

    void zeroBIsExactlyTheBase()
    {
        LlamaForCausalLM model = randomModel();
        const torch::Tensor before = test::logitsOf(*model, m_tokens);
        applyLora(*model, LoraSettings{}, 2);
        QVERIFY(torch::equal(test::logitsOf(*model, m_tokens), before));
        model->train(); // dropout on the adapter path does not matter while B = 0
        QVERIFY(torch::equal(test::logitsOf(*model, m_tokens), before));
    }

    void trainingThenMergeAgrees()
    {
        LlamaForCausalLM model = randomModel();
        const std::set<std::string> baseNames = parameterNames(*model);
        applyLora(*model, LoraSettings{}, 3);
        const auto base = test::baseTensors(*model);
        const std::vector<double> losses = test::trainAdapters(*model, m_tokens, 5);
        QVERIFY2(losses.back() < losses.front(), "five AdamW steps on the adapters did not lower the loss");

        // Only the adapters moved: every base tensor is bitwise unchanged, and B left zero.
        for (const auto& [name, tensor] : test::baseTensors(*model))
            QVERIFY2(torch::equal(tensor, base.at(name)), name.c_str());
        for (const LoraSite& site : loraSites(*model))
            QVERIFY(site.projection->loraB().abs().max().item<float>() > 0);

        const torch::Tensor unmerged = test::logitsOf(*model, m_tokens);
        const LoraSite site = loraSites(*model).front();
        const torch::Tensor update = torch::matmul(site.projection->loraB(), site.projection->loraA()); // (out, in)
        const torch::Tensor expectedWeight = base.at(site.path + ".weight") + site.projection->scale() * update;
        QVERIFY(torch::allclose(site.projection->denseWeight(), expectedWeight, 0, 1e-7));

        QVERIFY(mergeLora(*model).isEmpty()); // a dense base: nothing to note
        QVERIFY(loraSites(*model).empty());
        QVERIFY(parameterNames(*model) == baseNames);
        const double diff = test::maxAbsDiff(test::logitsOf(*model, m_tokens), unmerged);
        qInfo("merged vs unmerged logits after 5 AdamW steps: max abs diff %.3g", diff);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        QVERIFY(torch::allclose(model->named_parameters()[site.path + ".weight"], expectedWeight, 0, 1e-7));
    }

    void forwardIsBasePlusScaledUpdate_data()
    {
        QTest::addColumn<bool>("rsLora");
        QTest::newRow("alpha / r") << false;
        QTest::newRow("rsLoRA: alpha / sqrt(r)") << true;
    }
    void forwardIsBasePlusScaledUpdate()
    {
        QFETCH(bool, rsLora);
        LoraSettings settings;
        settings.rank = 4;
        settings.alpha = 8;
        settings.rsLora = rsLora;
        QCOMPARE(settings.scale(), rsLora ? 4.0 : 2.0);
        LlamaForCausalLM model = randomModel();
        applyLora(*model, settings, 4);
        randomizeB(*model, 0.1);
        LoraProjection p = loraSites(*model)[2].projection; // layer 0 v_proj
        QCOMPARE(p->scale(), settings.scale());
        const torch::Tensor x = torch::randn({3, 64});
        const torch::Tensor w = p->base()->denseWeight();
        const torch::Tensor expected =
            torch::linear(x, w) + settings.scale() * torch::matmul(torch::matmul(x, p->loraA().t()), p->loraB().t());
        torch::NoGradGuard noGrad;
        QVERIFY(torch::allclose(p->forward(x), expected, 1e-5, 1e-6));
    }

    void initializationFollowsPeft()
    {
        LlamaForCausalLM a = randomModel();
        LlamaForCausalLM b = randomModel();
        LlamaForCausalLM c = randomModel();
        applyLora(*a, LoraSettings{}, 7);
        applyLora(*b, LoraSettings{}, 7);
        applyLora(*c, LoraSettings{}, 8);
        const auto sa = loraSites(*a);
        const auto sb = loraSites(*b);
        const auto sc = loraSites(*c);
        for (size_t i = 0; i < sa.size(); ++i) {
            const torch::Tensor A = sa[i].projection->loraA();
            // kaiming_uniform_(a = sqrt(5)) on (r, in): uniform in +-1/sqrt(in).
            const double bound = 1.0 / std::sqrt(static_cast<double>(A.size(1)));
            QVERIFY(A.abs().max().item<double>() <= bound);
            QVERIFY(A.abs().max().item<double>() > 0.8 * bound);
            QVERIFY(std::abs(A.std().item<double>() - bound / std::sqrt(3.0)) < 0.15 * bound);
            QVERIFY(torch::equal(sa[i].projection->loraB(), torch::zeros_like(sa[i].projection->loraB())));
            QVERIFY(torch::equal(A, sb[i].projection->loraA())); // same seed, same adapters
            QVERIFY(!torch::equal(A, sc[i].projection->loraA()));
            if (i > 0)
                QVERIFY(!torch::equal(A.flatten().slice(0, 0, 16),
                                      sa[i - 1].projection->loraA().flatten().slice(0, 0, 16)));
        }
    }

    void onlyTargetedProjectionsAreWrapped()
    {
        LlamaForCausalLM model = randomModel();
        LoraSettings settings;
        settings.targets = {ProjectionKind::V, ProjectionKind::Q};
        const auto sites = applyLora(*model, settings, 1);
        QCOMPARE(sites.size(), size_t(m_config.numLayers * 2));
        for (const LoraSite& site : sites)
            QVERIFY(site.kind == ProjectionKind::Q || site.kind == ProjectionKind::V);
        QCOMPARE(sites[0].path, std::string("model.layers.0.self_attn.q_proj"));
        QVERIFY(
            std::dynamic_pointer_cast<DenseProjectionImpl>(model->model->layers[1]->projection(ProjectionKind::Up)));
    }

    void dropoutOnlyWhileTraining()
    {
        LlamaForCausalLM model = randomModel();
        LoraSettings settings;
        settings.dropout = 0.5;
        applyLora(*model, settings, 1);
        randomizeB(*model, 0.5);
        const torch::Tensor eval1 = test::logitsOf(*model, m_tokens);
        QVERIFY(torch::equal(test::logitsOf(*model, m_tokens), eval1));
        model->train();
        QVERIFY(!torch::equal(test::logitsOf(*model, m_tokens), eval1));
    }

    void gradientCheckpointingGivesTheSameAdapterGradients()
    {
        // The checkpointed layer replays the random state, so the dropout masks of the recomputation match.
        std::vector<torch::Tensor> grads[2];
        for (int checkpointed = 0; checkpointed < 2; ++checkpointed) {
            LlamaForCausalLM model = randomModel();
            applyLora(*model, LoraSettings{}, 1);
            torch::manual_seed(76);
            randomizeB(*model, 0.1);
            model->setGradientCheckpointing(checkpointed == 1);
            model->train();
            torch::manual_seed(77);
            test::languageModelLoss(*model, m_tokens).backward();
            for (const torch::Tensor& p : loraParameters(*model))
                grads[checkpointed].push_back(p.grad().clone());
        }
        for (size_t i = 0; i < grads[0].size(); ++i)
            QVERIFY(torch::allclose(grads[0][i], grads[1][i], 1e-5, 1e-7));
    }

    void assignWeightGoesToTheBase()
    {
        LlamaForCausalLM model = randomModel();
        applyLora(*model, LoraSettings{}, 1);
        LoraProjection p = loraSites(*model)[0].projection;
        const torch::Tensor w = torch::randn({p->outFeatures(), p->inFeatures()});
        p->assignWeight(w);
        QVERIFY(torch::equal(p->base()->denseWeight(), w));
        QVERIFY(torch::equal(model->named_parameters()["model.layers.0.self_attn.q_proj.weight"], w));
        QVERIFY(torch::equal(p->denseWeight(), w)); // B = 0
    }

    void invalidSettingsAreRefused()
    {
        auto refuses = [](const LoraSettings& s) {
            LlamaForCausalLM model = randomModel();
            try {
                applyLora(*model, s, 1);
            } catch (const Error& e) {
                return !e.message().isEmpty();
            }
            return false;
        };
        LoraSettings s;
        s.rank = 0;
        QVERIFY(refuses(s));
        s = {};
        s.alpha = 0;
        QVERIFY(refuses(s));
        s = {};
        s.dropout = 1.0;
        QVERIFY(refuses(s));
        s = {};
        s.targets.clear();
        QVERIFY(refuses(s));
        s = {};
        s.targets = {ProjectionKind::Q, ProjectionKind::Q};
        QVERIFY(refuses(s));
        QVERIFY(!refuses(LoraSettings{}));

        LlamaForCausalLM model = randomModel();
        applyLora(*model, LoraSettings{}, 1);
        QVERIFY_THROWS_EXCEPTION(Error, applyLora(*model, LoraSettings{}, 1));
    }
};

QTEST_APPLESS_MAIN(TestLora)
#include "tst_lora.moc"
