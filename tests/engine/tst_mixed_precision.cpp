// Mixed-precision training (compute_dtype "bfloat16"): bf16 weights in the forward and backward passes,
// float32 master weights and moments in the optimizer. What a user relies on: its loss curve follows
// float32's on a real fine-tune, a stopped run resumes exactly (the checkpoint holds the float32
// masters, not their rounded copies), and LoRA over a bf16 base trains and exports.

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include "engine/model_loader.h"
#include "engine/trainer.h"
#include "engine_test_support.h"
#include "modelio/safetensors_file.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

namespace {

TrainConfig smallConfig(const QString& model, const QString& train, const QString& dtype)
{
    TrainConfig c;
    c.model = model;
    c.trainFile = train;
    c.valFraction = 0.2;
    c.maxLength = 128;
    c.batchSize = 4;
    c.learningRate = 2e-3;
    c.schedule = QStringLiteral("cosine");
    c.warmupSteps = 10;
    c.samplePrompts = 0;
    c.seed = 5;
    c.threads = 1;
    c.computeDtype = dtype;
    return c;
}

// Means of consecutive windows of `width` steps: per-step losses move with each batch, the curve is
// what a person reads off the plot.
std::vector<double> windowMeans(const std::vector<double>& losses, size_t width)
{
    std::vector<double> means;
    for (size_t begin = 0; begin + width <= losses.size(); begin += width) {
        double sum = 0.0;
        for (size_t i = begin; i < begin + width; ++i)
            sum += losses[i];
        means.push_back(sum / static_cast<double>(width));
    }
    return means;
}

} // namespace

class TestMixedPrecision : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_train;

private slots:
    void initTestCase() { m_train = test::writeSampleTrainingFile(m_dir.path(), 250); }

    // 200 steps of full fine-tuning of stories260K on the sample instructions, float32 against bf16
    // with float32 masters: every 20-step stretch of the loss curve, and the validation losses, within
    // 1 % of float32's.
    void lossCurveFollowsFloat32()
    {
        FT_REQUIRE_SHARED();
        const QString model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        std::vector<double> losses[2], valLosses[2];
        const QString dtypes[2] = {QStringLiteral("float32"), QStringLiteral("bfloat16")};
        for (int i = 0; i < 2; ++i) {
            TrainConfig config = smallConfig(model, m_train, dtypes[i]);
            config.lossOn = QStringLiteral("response");
            config.maxSteps = 200;
            config.evalEvery = 50;
            config.learningRate = 5e-4;
            test::TrainingRecorder recorder;
            const RunEndInfo end =
                test::trainNewRun(m_dir.filePath(QStringLiteral("curve-") + dtypes[i]), config, recorder);
            QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
            losses[i] = recorder.losses;
            valLosses[i] = recorder.valLosses;
        }
        QCOMPARE(losses[1].size(), size_t(200));
        const auto fp32 = windowMeans(losses[0], 20), bf16 = windowMeans(losses[1], 20);
        for (size_t w = 0; w < fp32.size(); ++w)
            qInfo("steps %3d-%3d: float32 %.4f, bf16 %.4f (%+.2f %%)", int(20 * w + 1), int(20 * w + 20), fp32[w],
                  bf16[w], 100.0 * (bf16[w] - fp32[w]) / fp32[w]);
        for (size_t e = 0; e < valLosses[0].size(); ++e)
            qInfo("evaluation %d: float32 %.4f, bf16 %.4f", int(e + 1), valLosses[0][e], valLosses[1][e]);
        for (size_t w = 0; w < fp32.size(); ++w)
            QVERIFY2(std::abs(bf16[w] - fp32[w]) <= 0.01 * fp32[w],
                     qPrintable(QStringLiteral("steps %1-%2: bf16 %3, float32 %4")
                                    .arg(20 * w + 1)
                                    .arg(20 * w + 20)
                                    .arg(bf16[w], 0, 'f', 4)
                                    .arg(fp32[w], 0, 'f', 4)));
        // It learned: a curve that stayed flat would follow float32's only if float32's did too.
        QVERIFY2(fp32.back() < 0.8 * fp32.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(fp32.front()).arg(fp32.back())));
        QCOMPARE(valLosses[1].size(), valLosses[0].size());
        for (size_t e = 0; e < valLosses[0].size(); ++e)
            QVERIFY2(std::abs(valLosses[1][e] - valLosses[0][e]) <= 0.01 * valLosses[0][e],
                     qPrintable(QStringLiteral("evaluation %1: bf16 %2, float32 %3")
                                    .arg(e + 1)
                                    .arg(valLosses[1][e], 0, 'f', 4)
                                    .arg(valLosses[0][e], 0, 'f', 4)));
    }

    // Stopped after 3 steps and resumed, a bf16 run takes the losses of one never stopped: the
    // checkpoint holds float32 masters and moments (resuming from the rounded bf16 weights would not).
    void resumeIsExact()
    {
        const QString model = test::writeRandomModel(m_dir.filePath(QStringLiteral("tiny")), test::tinyConfig());
        TrainConfig config = smallConfig(model, m_train, QStringLiteral("bfloat16"));
        config.maxSteps = 8;
        config.warmupSteps = 2;
        config.evalEvery = 4;
        const QString dir = m_dir.filePath(QStringLiteral("resume"));
        const test::ResumedTraining result = test::trainWholeAndResumed(dir, config, 3);
        QCOMPARE(result.stopped, runOutcomeName(RunOutcome::Stopped));
        QCOMPARE(result.resumed, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(result.joined.size(), result.whole.size());
        for (size_t i = 0; i < result.whole.size(); ++i)
            QVERIFY2(result.joined[i] == result.whole[i], qPrintable(QStringLiteral("step %1: %2 after resume vs %3")
                                                                         .arg(i + 1)
                                                                         .arg(result.joined[i], 0, 'g', 12)
                                                                         .arg(result.whole[i], 0, 'g', 12)));

        const QDir checkpoints(QDir(dir).filePath(QStringLiteral("interrupted/checkpoints")));
        const QStringList steps = checkpoints.entryList({QStringLiteral("step-*")}, QDir::Dirs, QDir::Name);
        QVERIFY(!steps.isEmpty());
        SafetensorsFile saved(
            QDir(checkpoints.filePath(steps.last())).filePath(QStringLiteral("trainable.safetensors")));
        QVERIFY(!saved.entries().empty());
        for (const SafetensorsEntry& entry : saved.entries())
            QVERIFY2(entry.dtype == TensorDtype::F32, qPrintable(entry.name));
    }

    // LoRA over a bf16 base: the adapters (float32 themselves, so without masters) learn through bf16
    // activations, and the run exports a merged model that loads.
    void loraTrainsAndExports()
    {
        const QString model = test::writeRandomModel(m_dir.filePath(QStringLiteral("tiny-lora")), test::tinyConfig());
        TrainConfig config = smallConfig(model, m_train, QStringLiteral("bfloat16"));
        config.applyModePreset(QStringLiteral("instruction"));
        config.computeDtype = QStringLiteral("bfloat16");
        config.maxSteps = 6;
        config.evalEvery = 3;
        config.learningRate = 1e-2;
        test::TrainingRecorder recorder;
        const RunEndInfo end = test::trainNewRun(m_dir.filePath(QStringLiteral("lora")), config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QVERIFY2(recorder.valLosses.back() < recorder.valLosses.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(recorder.valLosses.front()).arg(recorder.valLosses.back())));
        const LoadedModel exported = loadModel(end.exportPath);
        QVERIFY(exported.model);
    }
};

QTEST_GUILESS_MAIN(TestMixedPrecision)
#include "tst_mixed_precision.moc"
