// The three modes through the one training loop: Instruction (LoRA over a frozen base) and QLoRA
// (LoRA over an NF4 base) lower the validation loss, resume exactly, and export adapters that load.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "engine/lora.h"
#include "engine/model_loader.h"
#include "engine/peft_adapter.h"
#include "engine/trainer.h"
#include "engine/training_model.h"
#include "engine_test_support.h"
#include "modelio/safetensors_file.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

namespace {

torch::Tensor logitsOf(LlamaForCausalLMImpl& model, const torch::Tensor& tokens)
{
    torch::NoGradGuard noGrad;
    model.eval();
    return model.forward(tokens);
}

} // namespace

class TestTrainingModes : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_train;

    TrainConfig modeConfig(const QString& mode, const QString& model)
    {
        TrainConfig c;
        c.applyModePreset(mode);
        c.model = model;
        c.trainFile = m_train;
        c.valFraction = 0.2;
        c.maxLength = 128;
        c.batchSize = 4;
        c.learningRate = 1e-2;
        c.warmupSteps = 1;
        c.samplePrompts = 0;
        c.loraRank = 4;
        c.loraAlpha = 8;
        c.loraDropout = 0.0;
        c.seed = 3;
        c.threads = 1;
        return c;
    }

private slots:
    void initTestCase()
    {
        std::vector<ExampleRecord> records;
        for (auto& numbered : readJsonlRecords(sampleDatasetPath()))
            if (records.size() < 40)
                records.push_back(numbered.record);
        m_train = m_dir.filePath(QStringLiteral("train.jsonl"));
        writeJsonlRecords(m_train, records);
    }

    void adapterModesLowerTheValidationLoss_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QString>("baseQuantization");
        QTest::newRow("instruction (LoRA, fp32 base)") << "instruction"
                                                       << "none";
        QTest::newRow("8-bit LoRA") << "instruction"
                                    << "int8";
        QTest::newRow("QLoRA (NF4 base)") << "qlora"
                                          << "nf4";
    }
    void adapterModesLowerTheValidationLoss()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, mode);
        QFETCH(QString, baseQuantization);
        const QString base = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        TrainConfig config = modeConfig(mode, base);
        config.baseQuantization = baseQuantization;
        config.maxSteps = 10;
        config.evalEvery = 5;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("run-") + mode + baseQuantization);
        const RunEndInfo end = test::trainNewRun(runDir, config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QVERIFY(recorder.start.trainableParameters < recorder.start.totalParameters / 4);
        QCOMPARE(config.lossOn, QStringLiteral("response"));
        QCOMPARE(recorder.valLosses.size(), size_t(2));
        QVERIFY2(recorder.valLosses.back() < recorder.valLosses.front(),
                 qPrintable(QStringLiteral("%1 -> %2").arg(recorder.valLosses.front()).arg(recorder.valLosses.back())));

        // The adapter loads back onto the base (quantized the same way) and gives the merged export's logits.
        const QString adapterDir = QDir(runDir).filePath(QStringLiteral("export/adapter"));
        QVERIFY(QFile::exists(QDir(adapterDir).filePath(QStringLiteral("adapter_config.json"))));
        QVERIFY(QFile::exists(QDir(adapterDir).filePath(QStringLiteral("adapter_model.safetensors"))));
        TrainConfig plain = config;
        plain.trainable = QStringLiteral("top-layers"); // load the base without fresh adapters
        LoadedModel reloaded = loadTrainingModel(plain);
        loadAdapter(*reloaded.model, adapterDir);
        LoadedModel merged = loadModel(end.exportPath);
        const torch::Tensor tokens = torch::randint(3, 500, {1, 24}, torch::kInt64);
        const double diff = test::maxAbsDiff(logitsOf(*reloaded.model, tokens), logitsOf(*merged.model, tokens));
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
        if (baseQuantization != QLatin1String("none"))
            QVERIFY2(recorder.logs.join(QLatin1Char('\n')).contains(QLatin1String("dequantized")),
                     qPrintable(recorder.logs.join(QLatin1Char('\n'))));
        // QLoRA's preset recomputes 60 % of the layers, rounded up: 3 of stories260K's 5, and says so.
        const QString log = recorder.logs.join(QLatin1Char('\n'));
        if (mode == QLatin1String("qlora"))
            QVERIFY2(log.contains(QLatin1String("the first 3 of 5 decoder layers are recomputed")), qPrintable(log));
        else
            QVERIFY2(!log.contains(QLatin1String("gradient checkpointing")), qPrintable(log));
    }
    void baseWeightsStayBitwiseUnchanged()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        TrainConfig config = modeConfig(QStringLiteral("instruction"), base);
        config.maxSteps = 3;
        config.valFraction = 0.0;
        test::TrainingRecorder recorder;
        const QString runDir = dir.filePath(QStringLiteral("run"));
        QCOMPARE(test::trainNewRun(runDir, config, recorder).status, runOutcomeName(RunOutcome::Finished));
        // The last checkpoint holds only adapter tensors.
        const auto checkpoint = CheckpointStore(runDir).latest();
        QVERIFY(checkpoint.has_value());
        SafetensorsFile trainable(QDir(checkpoint->path).filePath(QStringLiteral("trainable.safetensors")));
        for (const auto& entry : trainable.entries())
            QVERIFY2(entry.name.contains(QLatin1String(".lora_")), qPrintable(entry.name));
        QCOMPARE(trainable.entries().size(), size_t(2 * 7 * 2)); // 2 layers x 7 projections x (A, B)
        // Applying the adapter to the untouched base equals the merged export; the base file is unchanged.
        LoadedModel original = loadModel(base);
        loadAdapter(*original.model, QDir(runDir).filePath(QStringLiteral("export/adapter")));
        LoadedModel merged = loadModel(QDir(runDir).filePath(QStringLiteral("export/model")));
        const torch::Tensor tokens = torch::randint(3, 300, {2, 16}, torch::kInt64);
        QVERIFY(test::maxAbsDiff(logitsOf(*original.model, tokens), logitsOf(*merged.model, tokens)) < 1e-5);
    }
    void qloraResumesExactly()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("base")), test::tinyConfig());
        TrainConfig config = modeConfig(QStringLiteral("qlora"), base);
        config.maxSteps = 6;
        config.loraDropout = 0.1; // the random state must be restored too
        config.evalEvery = 3;
        const test::ResumedTraining runs = test::trainWholeAndResumed(dir.path(), config, 2);
        QCOMPARE(runs.stopped, runOutcomeName(RunOutcome::Stopped));
        QCOMPARE(runs.resumed, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(runs.joined.size(), runs.whole.size());
        for (size_t i = 0; i < runs.joined.size(); ++i)
            QVERIFY2(std::abs(runs.joined[i] - runs.whole[i]) <= 1e-6 * runs.whole[i],
                     qPrintable(QStringLiteral("step %1: %2 vs %3")
                                    .arg(i + 1)
                                    .arg(runs.joined[i], 0, 'g', 12)
                                    .arg(runs.whole[i], 0, 'g', 12)));
    }
};

QTEST_APPLESS_MAIN(TestTrainingModes)
#include "tst_training_modes.moc"
