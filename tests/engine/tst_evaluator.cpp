// The evaluator: its loss is the trainer's validation loss for the same weights and data (full and
// LoRA runs, at "best", "step-N" and "final"), and an independent token-by-token computation; its
// generations are what generate() gives for the template's prompt, scored with text_metrics; it is
// deterministic, cancels, and its settings key changes only with what changes the numbers.

#include <cmath>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/eval_record.h"
#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "data/text_metrics.h"
#include "engine/checkpoint_store.h"
#include "engine/eval_model.h"
#include "engine/evaluator.h"
#include "engine/lora.h"
#include "engine/trainer.h"
#include "engine/training_data.h"
#include "engine_test_support.h"
#include "support/test_support.h"

using namespace ft;

namespace {

struct Recorder : TrainingObserver {
    std::vector<EvalPoint> evals;
    RunEndInfo end;
    void evaluated(const EvalPoint& e) override { evals.push_back(e); }
    void ended(const RunEndInfo& e) override { end = e; }
};

std::vector<ExampleRecord> sampleRecords(int count)
{
    std::vector<ExampleRecord> records;
    for (auto& numbered : readJsonlRecords(sampleDatasetPath()))
        if (static_cast<int>(records.size()) < count)
            records.push_back(numbered.record);
    return records;
}

TrainConfig runConfig(const QString& model, const QString& train, const QString& mode)
{
    TrainConfig c;
    c.model = model;
    c.trainFile = train;
    c.mode = mode;
    c.applyModePreset(mode);
    c.valFraction = 0.25;
    c.maxLength = 200;
    c.batchSize = 3;
    c.learningRate = mode == QLatin1String("full") ? 3e-3 : 2e-2;
    c.maxSteps = 6;
    c.evalEvery = 3;
    c.samplePrompts = 0;
    c.seed = 11;
    c.threads = 1;
    return c;
}

RunEndInfo train(const QString& runDir, const TrainConfig& config, Recorder& recorder)
{
    TrainerControl control;
    Trainer trainer(runDir, recorder, control);
    trainer.setupNew(config);
    return trainer.run();
}

double relativeDifference(double a, double b) { return std::fabs(a - b) / std::max(1e-12, std::fabs(b)); }

EvalSettings lossOnly(const TrainConfig& config)
{
    EvalSettings settings = EvalSettings::fromRunConfig(config);
    settings.metrics = {EvalMetric::Loss};
    return settings;
}

double evaluateLoss(const QString& runDir, const QString& checkpoint)
{
    EvalModel model = loadEvalRunModel(runDir, checkpoint);
    const std::vector<ExampleRecord> val = readFrozenRecords(runDir).val;
    const EvalResult result =
        evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, val, lossOnly(model.runConfig));
    return result.summary.loss.value_or(std::nan(""));
}

// Cross-entropy of every target token, one example at a time, from the full logits: no batching,
// packing or fused head.
double directLoss(LlamaForCausalLMImpl& model, const Tokenizer& tokenizer, const std::vector<ExampleRecord>& records,
                  const EvalSettings& settings)
{
    torch::NoGradGuard noGrad;
    model.eval();
    const PromptTemplate promptTemplate = PromptTemplate::resolve(settings.promptTemplate);
    double sum = 0.0;
    int64_t count = 0;
    for (const ExampleRecord& record : records) {
        const TokenizedExample example =
            encodeExample(tokenizer, promptTemplate, record, lossOnFromName(settings.lossOn), settings.maxLength);
        std::vector<int64_t> ids(example.ids.begin(), example.ids.end());
        const torch::Tensor logits =
            model.forward(torch::tensor(ids).unsqueeze(0)).squeeze(0).to(torch::kFloat64); // (T, V)
        const torch::Tensor logProbs = torch::log_softmax(logits, 1);
        for (size_t t = 1; t < ids.size(); ++t)
            if (example.loss[t]) {
                sum -= logProbs[static_cast<int64_t>(t) - 1][ids[t]].item<double>();
                ++count;
            }
    }
    return sum / static_cast<double>(count);
}

} // namespace

class TestEvaluator : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_train;
    QString m_fullRun;
    QString m_loraRun;
    Recorder m_full;
    Recorder m_lora;

private slots:
    void initTestCase()
    {
        m_model = test::writeRandomModel(m_dir.filePath(QStringLiteral("tiny")), test::tinyConfig());
        m_train = m_dir.filePath(QStringLiteral("train.jsonl"));
        writeJsonlRecords(m_train, sampleRecords(24));
        m_fullRun = m_dir.filePath(QStringLiteral("full"));
        QCOMPARE(train(m_fullRun, runConfig(m_model, m_train, QStringLiteral("full")), m_full).status,
                 runOutcomeName(RunOutcome::Finished));
        m_loraRun = m_dir.filePath(QStringLiteral("lora"));
        QCOMPARE(train(m_loraRun, runConfig(m_model, m_train, QStringLiteral("instruction")), m_lora).status,
                 runOutcomeName(RunOutcome::Finished));
        QCOMPARE(m_full.evals.size(), size_t(2));
        QCOMPARE(m_lora.evals.size(), size_t(2));
    }

    void lossEqualsTheTrainersValidationLoss()
    {
        // Best, the step-3 checkpoint, and the exported model, against what the trainer reported.
        const auto best = CheckpointStore(m_fullRun).best();
        QVERIFY(best && best->valLoss);
        QVERIFY2(relativeDifference(evaluateLoss(m_fullRun, QStringLiteral("best")), m_full.end.bestValLoss) < 1e-5,
                 qPrintable(QStringLiteral("%1 vs %2")
                                .arg(evaluateLoss(m_fullRun, QStringLiteral("best")))
                                .arg(m_full.end.bestValLoss)));
        QVERIFY(relativeDifference(evaluateLoss(m_fullRun, QStringLiteral("step-3")), m_full.evals[0].valLoss) < 1e-5);
        QVERIFY(relativeDifference(evaluateLoss(m_fullRun, QStringLiteral("step-00000006")), m_full.evals[1].valLoss) <
                1e-5);
        // export_best: the exported model holds the best checkpoint's weights.
        QVERIFY(relativeDifference(evaluateLoss(m_fullRun, QStringLiteral("final")), m_full.end.bestValLoss) < 1e-5);
    }

    void loraCheckpointEvaluatesWithItsAdapters()
    {
        EvalModel best = loadEvalRunModel(m_loraRun, QStringLiteral("best"));
        QVERIFY(hasLora(*best.loaded.model));
        QCOMPARE(best.checkpoint, QStringLiteral("best"));
        QVERIFY(best.step);
        const double trained = evaluateLoss(m_loraRun, QStringLiteral("best"));
        QVERIFY2(relativeDifference(trained, m_lora.end.bestValLoss) < 1e-5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(trained).arg(m_lora.end.bestValLoss)));
        // The base alone on the same records and settings: the adapters made a difference.
        EvalModel base = loadEvalBaseModel(m_model);
        const std::vector<ExampleRecord> val = readFrozenRecords(m_loraRun).val;
        const double baseLoss =
            *evaluateRecords(*base.loaded.model, *base.loaded.tokenizer, val, lossOnly(best.runConfig)).summary.loss;
        QVERIFY2(std::fabs(baseLoss - trained) > 1e-3,
                 qPrintable(QStringLiteral("base %1, trained %2").arg(baseLoss).arg(trained)));
        // The merged export measures (almost) the same as the adapters over the base.
        QVERIFY(relativeDifference(evaluateLoss(m_loraRun, QStringLiteral("final")), trained) < 1e-4);
    }

    void unknownCheckpointsAreNamed()
    {
        try {
            loadEvalRunModel(m_fullRun, QStringLiteral("step-5"));
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("step-5")) &&
                         error.message().contains(QLatin1String("step-6")),
                     qPrintable(error.message()));
        }
        QVERIFY_THROWS_EXCEPTION(Error, canonicalCheckpointName(QStringLiteral("newest")));
        QCOMPARE(canonicalCheckpointName(QStringLiteral("Step-0200")), QStringLiteral("step-200"));
        QVERIFY(isRunFolder(m_fullRun));
        QVERIFY(!isRunFolder(m_model));
    }

    void lossMatchesADirectComputation()
    {
        EvalModel model = loadEvalBaseModel(m_model);
        const std::vector<ExampleRecord> records = sampleRecords(5);
        EvalSettings settings;
        settings.maxLength = 160;
        settings.batchSize = 2;
        settings.metrics = {EvalMetric::Loss};
        const EvalResult result = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        const double direct = directLoss(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        QVERIFY2(relativeDifference(*result.summary.loss, direct) < 1e-5,
                 qPrintable(QStringLiteral("%1 vs %2").arg(*result.summary.loss).arg(direct)));
        QVERIFY(std::fabs(*result.summary.perplexity - std::exp(direct)) < 1e-3 * std::exp(direct));
        // Packing and batch size change nothing but the rounding.
        settings.packing = false;
        settings.batchSize = 5;
        QVERIFY(relativeDifference(
                    *evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings).summary.loss,
                    direct) < 1e-5);
        QVERIFY(result.examples.empty()); // no generation was asked for
        QVERIFY(!result.summary.generation);
    }

    void generationsAndTheirScores()
    {
        EvalModel model = loadEvalBaseModel(m_model);
        const std::vector<ExampleRecord> records = sampleRecords(4);
        EvalSettings settings;
        settings.sampling.maxNewTokens = 12;
        int examplesSeen = 0;
        int64_t lossBatches = 0;
        EvalCallbacks callbacks;
        callbacks.exampleDone = [&](const EvalExample&) { ++examplesSeen; };
        callbacks.progress = [&](EvalPhase phase, int64_t done, int64_t) {
            if (phase == EvalPhase::Loss)
                lossBatches = done;
            return true;
        };
        const EvalResult result =
            evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings, callbacks);
        QCOMPARE(examplesSeen, 4);
        QVERIFY(lossBatches > 0);
        QCOMPARE(result.examples.size(), size_t(4));
        const PromptTemplate alpaca = PromptTemplate::builtin(QStringLiteral("alpaca"));
        std::vector<QString> outputs, references;
        double rouge = 0, f1 = 0, tokens = 0;
        for (size_t i = 0; i < records.size(); ++i) {
            const EvalExample& e = result.examples[i];
            SamplingOptions greedy;
            greedy.greedy = true;
            greedy.maxNewTokens = 12;
            const GenerationResult expected =
                generate(*model.loaded.model, *model.loaded.tokenizer,
                         encodePrompt(*model.loaded.tokenizer, alpaca, records[i]), greedy);
            QCOMPARE(e.output, expected.text);
            QCOMPARE(e.outputTokens, static_cast<int64_t>(expected.tokens.size()));
            QCOMPARE(e.index, static_cast<int64_t>(i));
            QCOMPARE(e.key, recordKey(records[i]));
            QCOMPARE(e.reference, records[i].response);
            QCOMPARE(e.prompt, evalPromptText(records[i]));
            QCOMPARE(e.scores.bleu, sentenceBleu(e.output, e.reference, BleuSmoothing::Method1));
            QCOMPARE(e.scores.rougeL, rougeLF1(e.output, e.reference));
            QCOMPARE(e.scores.f1, tokenF1(e.output, e.reference));
            QCOMPARE(e.scores.exactMatch, exactMatch(e.output, e.reference));
            outputs.push_back(e.output);
            references.push_back(e.reference);
            rouge += e.scores.rougeL;
            f1 += e.scores.f1;
            tokens += static_cast<double>(e.outputTokens);
        }
        QVERIFY(result.summary.generation);
        QCOMPARE(result.summary.generation->corpusBleu, corpusBleu(outputs, references));
        QCOMPARE(result.summary.generation->meanRougeL, rouge / 4);
        QCOMPARE(result.summary.generation->meanF1, f1 / 4);
        QCOMPARE(result.summary.generation->meanTokens, tokens / 4);
        const auto metrics = result.summary.metrics(settings.metrics);
        for (const char* name :
             {"loss", "perplexity", "bleu", "rouge-l", "exact-match", "f1", "response-words", "response-tokens"})
            QVERIFY2(metrics.count(QLatin1String(name)), name);

        // Deterministic: the same outputs again.
        const EvalResult again = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        for (size_t i = 0; i < records.size(); ++i)
            QCOMPARE(again.examples[i].output, result.examples[i].output);
        QVERIFY(again.summary.loss == result.summary.loss);

        // Only the metrics asked for (the lengths come with any generation metric).
        settings.metrics = {EvalMetric::RougeL};
        const auto only = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings)
                              .summary.metrics(settings.metrics);
        QCOMPARE(only.size(), size_t(3));
        QVERIFY(only.count(QStringLiteral("rouge-l")) && only.count(QStringLiteral("response-words")) &&
                !only.count(QStringLiteral("loss")));
    }

    void sampledGenerationIsSeededPerExample()
    {
        EvalModel model = loadEvalBaseModel(m_model);
        const std::vector<ExampleRecord> records = sampleRecords(3);
        EvalSettings settings;
        settings.metrics = {EvalMetric::Bleu};
        settings.sampling.greedy = false;
        settings.sampling.temperature = 1.0;
        settings.sampling.maxNewTokens = 10;
        settings.sampling.seed = 5;
        const EvalResult a = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        const EvalResult b = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        for (size_t i = 0; i < records.size(); ++i)
            QCOMPARE(a.examples[i].output, b.examples[i].output);
        // Example k used seed 5 + k.
        SamplingOptions sampling = settings.sampling;
        sampling.seed = 5 + 2;
        const GenerationResult third = generate(
            *model.loaded.model, *model.loaded.tokenizer,
            encodePrompt(*model.loaded.tokenizer, PromptTemplate::builtin(QStringLiteral("alpaca")), records[2]),
            sampling);
        QCOMPARE(a.examples[2].output, third.text);
    }

    void cancelling()
    {
        EvalModel model = loadEvalBaseModel(m_model);
        const std::vector<ExampleRecord> records = sampleRecords(4);
        EvalSettings settings;
        settings.sampling.maxNewTokens = 4;
        EvalCallbacks callbacks;
        callbacks.progress = [](EvalPhase phase, int64_t done, int64_t) {
            return !(phase == EvalPhase::Generation && done >= 1);
        };
        const EvalResult result =
            evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings, callbacks);
        QVERIFY(result.cancelled);
        QCOMPARE(result.examples.size(), size_t(1));
        QVERIFY(!result.summary.generation);
        callbacks.progress = [](EvalPhase, int64_t, int64_t) { return false; };
        const EvalResult early =
            evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings, callbacks);
        QVERIFY(early.cancelled);
        QVERIFY(!early.summary.loss);
        QVERIFY(early.examples.empty());
    }

    void promptsAreCutToLeaveRoomForTheAnswer()
    {
        std::vector<TokenId> ids{1, 10, 11, 12, 13, 14, 15, 16};
        QVERIFY(!fitPromptToContext(ids, 1, 100, 20)); // fits
        QVERIFY(fitPromptToContext(ids, 1, 10, 5));    // room for 5: BOS and the last 4 tokens
        QCOMPARE(ids, (std::vector<TokenId>{1, 13, 14, 15, 16}));
        std::vector<TokenId> noBos{10, 11, 12, 13, 14, 15};
        QVERIFY(fitPromptToContext(noBos, 1, 8, 6)); // never less than half the context
        QCOMPARE(noBos, (std::vector<TokenId>{12, 13, 14, 15}));
    }

    void settingsKey()
    {
        EvalSettings a;
        EvalSettings b = a;
        b.metrics = {EvalMetric::Loss};
        b.batchSize = 9;
        b.packing = false;
        b.sampling.temperature = 0.3; // ignored while greedy
        QCOMPARE(a.key(), b.key());
        b.sampling.maxNewTokens = 64;
        QVERIFY(a.key() != b.key());
        EvalSettings c = a;
        c.promptTemplate = QStringLiteral("chatml");
        QVERIFY(a.key() != c.key());
        EvalSettings d = a;
        d.sampling.greedy = false;
        EvalSettings e = d;
        e.sampling.seed = 3;
        QVERIFY(d.key() != e.key() && d.key() != a.key());
        EvalSettings bad;
        bad.promptTemplate = QStringLiteral("no such template");
        QVERIFY_THROWS_EXCEPTION(Error, bad.validate());
    }

    void stories260KLossMatchesADirectComputation()
    {
        FT_REQUIRE_SHARED();
        EvalModel model = loadEvalBaseModel(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")));
        std::vector<ExampleRecord> records(2);
        records[0].instruction = QStringLiteral("Tell me a story about a cat.");
        records[0].response =
            QStringLiteral("Once upon a time, there was a little cat named Tom. Tom liked to play in the sun.");
        records[1].instruction = QStringLiteral("What did Lily find?");
        records[1].response = QStringLiteral("Lily found a big red ball in the park. She was very happy.");
        EvalSettings settings;
        settings.sampling.maxNewTokens = 30;
        const EvalResult result = evaluateRecords(*model.loaded.model, *model.loaded.tokenizer, records, settings);
        QVERIFY(relativeDifference(*result.summary.loss,
                                   directLoss(*model.loaded.model, *model.loaded.tokenizer, records, settings)) < 1e-5);
        QVERIFY(*result.summary.loss > 0.5 && *result.summary.loss < 8.0); // a story model on story text
        for (const EvalExample& e : result.examples)
            QVERIFY2(!e.output.trimmed().isEmpty(), "stories260K writes something");
    }
};

QTEST_GUILESS_MAIN(TestEvaluator)
#include "tst_evaluator.moc"
