// DPO through the trainer: the first step of LoRA DPO loses exactly log 2 (the adapters start at zero,
// so the policy is its reference), the validation loss and reward margin equal a computation from the
// models' full logits, training raises the chosen answers over the rejected ones on a real model, a
// file without pairs is refused by example, and an interrupted run resumes bit for bit.

#include <cmath>

#include <QDebug>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "engine/model_loader.h"
#include "engine/trainer.h"
#include "engine_test_support.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

namespace {

// An answer's summed log-probability, from the log-softmax of the full logits over the tokens that
// carry loss.
double answerLogProb(LlamaForCausalLMImpl& model, const TokenizedExample& example)
{
    const torch::Tensor tokens = torch::tensor(example.ids, torch::kInt64).unsqueeze(0);
    const torch::Tensor logProbs = torch::log_softmax(model.forward(tokens)[0].to(torch::kFloat64), -1); // (T, V)
    double sum = 0.0;
    for (size_t i = 1; i < example.ids.size(); ++i)
        if (example.loss[i])
            sum += logProbs[static_cast<int64_t>(i - 1)][example.ids[i]].item<double>();
    return sum;
}

struct PairMeasures {
    double loss = 0.0;
    double margin = 0.0;
    double accuracy = 0.0;
};

// DPO over `records` written out: -log sigmoid(beta * (chosen gain - rejected gain)), averaged.
PairMeasures measurePairs(LlamaForCausalLMImpl& policy, LlamaForCausalLMImpl& reference,
                          const std::vector<ExampleRecord>& records, const Tokenizer& tokenizer,
                          const PromptTemplate& promptTemplate, int64_t maxLength, double beta)
{
    torch::NoGradGuard noGrad;
    policy.eval();
    reference.eval();
    PairMeasures m;
    for (const ExampleRecord& record : records) {
        const TokenizedExample chosen = encodeExample(tokenizer, promptTemplate, record, LossOn::Response, maxLength);
        const TokenizedExample rejected =
            encodeExample(tokenizer, promptTemplate, record.rejectedVariant(), LossOn::Response, maxLength);
        const double chosenReward = beta * (answerLogProb(policy, chosen) - answerLogProb(reference, chosen));
        const double rejectedReward = beta * (answerLogProb(policy, rejected) - answerLogProb(reference, rejected));
        const double z = chosenReward - rejectedReward;
        m.loss += std::log1p(std::exp(-z));
        m.margin += z;
        m.accuracy += chosenReward > rejectedReward ? 1.0 : 0.0;
    }
    const auto n = static_cast<double>(records.size());
    return {m.loss / n, m.margin / n, m.accuracy / n};
}

TrainConfig dpoConfig(const QString& model, const QString& trainFile)
{
    TrainConfig c;
    c.applyModePreset(QStringLiteral("dpo"));
    c.model = model;
    c.trainFile = trainFile;
    c.valFraction = 0.25;
    c.maxLength = 256;
    c.batchSize = 4;
    c.loraDropout = 0.0; // the first step's policy is then exactly the reference
    c.samplePrompts = 0;
    c.seed = 3;
    c.threads = 1;
    return c;
}

} // namespace

class TestDpoTraining : public QObject {
    Q_OBJECT
private slots:
    void matchesTheFullLogitsAndRaisesTheMargin()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString base = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        TrainConfig config = dpoConfig(base, test::writeSamplePreferenceFile(dir.path(), 32));
        config.learningRate = 1e-3;
        config.maxSteps = 12;
        config.evalEvery = 6;
        config.exportBest = false; // the model after the run is the last step's, the last evaluation's
        test::TrainingRecorder recorder;
        TrainerControl control;
        Trainer trainer(dir.filePath(QStringLiteral("run")), recorder, control);
        trainer.setupNew(config);
        const RunEndInfo end = trainer.run();
        QVERIFY2(end.status == runOutcomeName(RunOutcome::Finished), qPrintable(end.message));
        QCOMPARE(recorder.start.trainExamples, qint64(24)); // pairs, not answers
        QCOMPARE(recorder.start.valExamples, qint64(8));

        // Step 1: policy == reference, so every pair loses log 2 and the rewards are 0.
        QVERIFY(!recorder.steps.empty());
        const StepPoint& first = recorder.steps.front();
        QVERIFY2(std::abs(first.loss - std::log(2.0)) < 1e-5, qPrintable(QString::number(first.loss, 'g', 10)));
        // (Rounding apart: the reference scored the answers in other batches, with other padding.)
        QVERIFY(std::abs(first.chosenReward) < 1e-5 && std::abs(first.rejectedReward) < 1e-5);
        QVERIFY(std::abs(first.rewardMargin) < 1e-5);

        // The last evaluation against the same numbers from the full logits of the trained model and
        // of the base, on the validation pairs frozen into the run folder.
        QCOMPARE(recorder.evals.size(), size_t(2));
        const EvalPoint& last = recorder.evals.back();
        QVERIFY(std::isnan(last.perplexity));
        std::vector<ExampleRecord> val;
        for (auto& numbered : readJsonlRecords(dir.filePath(QStringLiteral("run/data/val.jsonl"))))
            val.push_back(numbered.record);
        QCOMPARE(val.size(), size_t(8));
        LoadedModel reference = loadModel(base);
        const PromptTemplate alpaca = PromptTemplate::builtin(config.promptTemplate);
        const PairMeasures expected = measurePairs(trainer.model(), *reference.model, val, *reference.tokenizer, alpaca,
                                                   config.maxLength, config.dpoBeta);
        const QString numbers = QStringLiteral("loss %1 vs %2, margin %3 vs %4")
                                    .arg(last.valLoss, 0, 'g', 8)
                                    .arg(expected.loss, 0, 'g', 8)
                                    .arg(last.rewardMargin, 0, 'g', 8)
                                    .arg(expected.margin, 0, 'g', 8);
        QVERIFY2(std::abs(last.valLoss - expected.loss) < 1e-4, qPrintable(numbers));
        QVERIFY2(std::abs(last.rewardMargin - expected.margin) < 1e-4, qPrintable(numbers));
        QCOMPARE(last.rewardAccuracy, expected.accuracy);

        // Training raised the chosen answers over the rejected ones on the pairs it saw.
        const StepPoint& final = recorder.steps.back();
        const QString trend = QStringLiteral("loss %1 -> %2, margin %3 -> %4, accuracy %5")
                                  .arg(first.loss)
                                  .arg(final.loss)
                                  .arg(first.rewardMargin)
                                  .arg(final.rewardMargin)
                                  .arg(final.rewardAccuracy);
        qInfo().noquote() << trend << QStringLiteral("; validation: ") + numbers;
        QVERIFY2(final.rewardMargin > 0.05 && final.loss < std::log(2.0) - 0.02, qPrintable(trend));
        QVERIFY2(final.rewardAccuracy >= 0.75, qPrintable(trend));
        QVERIFY2(final.chosenReward > final.rejectedReward, qPrintable(trend));
    }
    // dpo_loss reaches the trainer: at the first step the policy is the reference (z = 0), so every
    // pair costs the chosen loss at 0: hinge max(0, 1 - 0) = 1, IPO (0 - 1 / (2 * 0.1))^2 = 25, and
    // conservative DPO log 2 whatever its smoothing.
    void theLossVariantsReachTheTrainer_data()
    {
        QTest::addColumn<QString>("loss");
        QTest::addColumn<double>("smoothing");
        QTest::addColumn<double>("firstLoss");
        QTest::newRow("hinge") << QStringLiteral("hinge") << 0.0 << 1.0;
        QTest::newRow("ipo") << QStringLiteral("ipo") << 0.0 << 25.0;
        QTest::newRow("conservative") << QStringLiteral("sigmoid") << 0.2 << std::log(2.0);
    }
    void theLossVariantsReachTheTrainer()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, loss);
        QFETCH(double, smoothing);
        QFETCH(double, firstLoss);
        QTemporaryDir dir;
        TrainConfig config = dpoConfig(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")),
                                       test::writeSamplePreferenceFile(dir.path(), 8));
        config.dpoLoss = loss;
        config.dpoLabelSmoothing = smoothing;
        config.valFraction = 0.0;
        config.maxSteps = 2;
        config.learningRate = 1e-3;
        test::TrainingRecorder recorder;
        TrainerControl control;
        Trainer trainer(dir.filePath(QStringLiteral("run")), recorder, control);
        trainer.setupNew(config);
        const RunEndInfo end = trainer.run();
        QVERIFY2(end.status == runOutcomeName(RunOutcome::Finished), qPrintable(end.message));
        QCOMPARE(recorder.steps.size(), size_t(2));
        const double first = recorder.steps.front().loss;
        QVERIFY2(std::abs(first - firstLoss) < 1e-4 * std::max(1.0, firstLoss),
                 qPrintable(QString::number(first, 'g', 10)));
        // The second step's pairs meet a policy that moved: no longer the value at z = 0.
        QVERIFY2(std::abs(recorder.steps.back().loss - firstLoss) > 1e-6, "the first step changed nothing");
    }

    void refusesExamplesWithoutARejectedAnswer()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        const QString plain = test::writeSampleTrainingFile(dir.path(), 12);
        test::TrainingRecorder recorder;
        try {
            test::trainNewRun(dir.filePath(QStringLiteral("run")), dpoConfig(base, plain), recorder);
            QFAIL("a file without preference pairs trained");
        } catch (const Error& e) {
            QVERIFY2(e.message().contains(QStringLiteral("has no rejected answer")) &&
                         e.message().contains(QStringLiteral("preference pairs")),
                     qPrintable(e.message()));
        }
        // Packing is refused for DPO by name.
        TrainConfig packed = dpoConfig(base, plain);
        packed.packing = true;
        try {
            packed.validate();
            QFAIL("packing accepted for DPO");
        } catch (const Error& e) {
            QVERIFY2(e.message().contains(QStringLiteral("\"packing\"")), qPrintable(e.message()));
        }
    }
    void resumesExactly()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        TrainConfig config = dpoConfig(base, test::writeSamplePreferenceFile(dir.path(), 20));
        config.loraDropout = 0.1; // dropout's draws are restored too
        config.learningRate = 1e-3;
        config.maxSteps = 6;
        config.evalEvery = 3;
        const test::ResumedTraining runs = test::trainWholeAndResumed(dir.path(), config, 2);
        QCOMPARE(runs.stopped, runOutcomeName(RunOutcome::Stopped));
        QCOMPARE(runs.resumed, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(runs.joined.size(), size_t(6));
        QCOMPARE(runs.joined, runs.whole); // bit for bit
    }
};

QTEST_MAIN(TestDpoTraining)
#include "tst_dpo_training.moc"
