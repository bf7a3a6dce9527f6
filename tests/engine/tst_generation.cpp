#include <set>

#include <ATen/CPUGeneratorImpl.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/json_file.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine_test_support.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QJsonObject greedyReference()
{
    return readJsonObjectFile(test::sharedPath(QStringLiteral("fixtures/stories260K/reference.json")))
        .value(QStringLiteral("greedy"))
        .toObject();
}

} // namespace

class TestGeneration : public QObject {
    Q_OBJECT
private slots:
    void greedyFromBosMatchesReference_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("hf") << QStringLiteral("hf");
        QTest::newRow("bin") << QStringLiteral("stories260K.bin");
    }
    void greedyFromBosMatchesReference()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, path);
        LoadedModel loaded = loadModel(test::sharedPath(QStringLiteral("fixtures/stories260K/") + path));
        const QJsonObject reference = greedyReference();
        SamplingOptions options;
        options.greedy = true;
        options.maxNewTokens = reference[QStringLiteral("from_bos_new_tokens")].toInt();
        const std::vector<TokenId> prompt{loaded.tokenizer->bosId()};
        const GenerationResult result = generate(*loaded.model, *loaded.tokenizer, prompt, options);
        QCOMPARE(static_cast<int>(result.tokens.size()), options.maxNewTokens);
        QCOMPARE(result.text, reference[QStringLiteral("from_bos_200_positions")].toString());
    }
    void greedyAfterPromptMatchesReference()
    {
        FT_REQUIRE_SHARED();
        LoadedModel loaded = loadModel(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")));
        const QJsonObject reference = greedyReference()[QStringLiteral("prompt_64_positions")].toObject();
        const std::vector<TokenId> prompt =
            promptWithBos(*loaded.tokenizer, reference[QStringLiteral("prompt")].toString());
        std::vector<TokenId> expectedIds;
        for (const QJsonValue& id : reference[QStringLiteral("prompt_ids_with_bos")].toArray())
            expectedIds.push_back(id.toInt());
        QVERIFY(prompt == expectedIds);
        SamplingOptions options;
        options.greedy = true;
        options.maxNewTokens = reference[QStringLiteral("new_tokens")].toInt();
        QStringList streamed;
        const GenerationResult result =
            generate(*loaded.model, *loaded.tokenizer, prompt, options, [&](TokenId, const QString& text) {
                streamed << text;
                return true;
            });
        std::vector<TokenId> all = prompt;
        all.insert(all.end(), result.tokens.begin(), result.tokens.end());
        QCOMPARE(loaded.tokenizer->decodeText(all), reference[QStringLiteral("text")].toString());
        QCOMPARE(reference[QStringLiteral("prompt")].toString() + streamed.join(QString()),
                 reference[QStringLiteral("text")].toString());
    }
    void cachedLogitsEqualFullForward()
    {
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 11);
        model->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {1, 12}, torch::kInt64);
        const torch::Tensor full = model->forward(tokens);
        KvCache cache(config, 1, 12, torch::kFloat32);
        std::vector<torch::Tensor> pieces{model->forward(tokens.narrow(1, 0, 5), {}, &cache)};
        for (int64_t t = 5; t < 12; ++t)
            pieces.push_back(model->forward(tokens.narrow(1, t, 1), {}, &cache));
        QVERIFY(test::maxAbsDiff(torch::cat(pieces, 1), full) < 1e-5);
    }
    void samplingIsSeededAndTopKOneIsGreedy()
    {
        QTemporaryDir dir;
        LoadedModel loaded = loadModel(test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig()));
        const std::vector<TokenId> prompt = promptWithBos(*loaded.tokenizer, QStringLiteral("Write a short poem"));
        SamplingOptions sampled;
        sampled.temperature = 1.0;
        sampled.maxNewTokens = 20;
        sampled.stopAtEos = false;
        sampled.seed = 42;
        const auto first = generate(*loaded.model, *loaded.tokenizer, prompt, sampled);
        const auto second = generate(*loaded.model, *loaded.tokenizer, prompt, sampled);
        QVERIFY(first.tokens == second.tokens);
        sampled.seed = 43;
        QVERIFY(generate(*loaded.model, *loaded.tokenizer, prompt, sampled).tokens != first.tokens);

        SamplingOptions greedy = sampled;
        greedy.greedy = true;
        SamplingOptions topOne = sampled;
        topOne.topK = 1;
        QVERIFY(generate(*loaded.model, *loaded.tokenizer, prompt, greedy).tokens ==
                generate(*loaded.model, *loaded.tokenizer, prompt, topOne).tokens);
    }
    void topPKeepsOnlyTheNucleus()
    {
        // Probabilities 0.5, 0.3, 0.15, 0.05: top-p 0.7 keeps the first two only.
        const torch::Tensor logits = torch::tensor({0.5, 0.3, 0.15, 0.05}).log();
        SamplingOptions options;
        options.temperature = 1.0;
        options.topP = 0.7;
        at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(1);
        std::set<TokenId> seen;
        for (int i = 0; i < 300; ++i)
            seen.insert(sampleToken(logits, options, generator));
        QCOMPARE(seen, (std::set<TokenId>{0, 1}));
    }
    void stopsAtTheTokenLimitAndCancels()
    {
        QTemporaryDir dir;
        LoadedModel loaded = loadModel(test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig()));
        SamplingOptions options;
        options.greedy = true;
        options.stopAtEos = false;
        options.maxNewTokens = 9;
        const std::vector<TokenId> prompt{loaded.tokenizer->bosId()};
        const auto limited = generate(*loaded.model, *loaded.tokenizer, prompt, options);
        QCOMPARE(limited.tokens.size(), size_t(9));
        QCOMPARE(limited.stopReason, StopReason::TokenLimit);
        int calls = 0;
        const auto cancelled = generate(*loaded.model, *loaded.tokenizer, prompt, options,
                                        [&](TokenId, const QString&) { return ++calls < 3; });
        QCOMPARE(cancelled.tokens.size(), size_t(3));
        QCOMPARE(cancelled.stopReason, StopReason::Cancelled);
    }
};

QTEST_APPLESS_MAIN(TestGeneration)
#include "tst_generation.moc"
