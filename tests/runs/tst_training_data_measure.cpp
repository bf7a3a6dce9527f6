// Measuring the training data (records, tokens per record under a template) for the time estimate:
// from a JSONL file, and from a split of a workspace dataset read from the store; and the steps the
// estimate counts from it are the steps the real worker takes.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "runs/resource_estimate.h"
#include "runs/training_data_measure.h"
#include "store/dataset_export.h"
#include "store/example_store.h"
#include "store_test_support.h"
#include "support/test_support.h"

using namespace ft;

class TestTrainingDataMeasure : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;

    // "counted": 20 short examples in train ("Count to i."), then 8 in test, then 2 long ones in
    // train: a sample of the first few train examples has fewer tokens per example than all of them.
    static qint64 addCountedDataset(QSqlDatabase db)
    {
        const qint64 id = test::addSplitDataset(db, QStringLiteral("counted"), 20, 8);
        for (int i = 0; i < 2; ++i) {
            StoredExample example;
            example.record = test::makeRecord(QStringLiteral("Write a long answer, number %1.").arg(i),
                                              QStringLiteral("This answer is long on purpose. ").repeated(12));
            example.split = Split::Train;
            ExampleStore(db).add(id, example);
        }
        return id;
    }

private slots:
    void initTestCase()
    {
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("model")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
    }
    void measuresRecordsAndTokens()
    {
        const QString data = test::writeSampleJsonl(m_dir.filePath(QStringLiteral("train.jsonl")), 50);
        const TrainingDataMeasure all =
            measureTrainingData(data, m_model, QStringLiteral("alpaca"), QStringLiteral("response"), 4096);
        QVERIFY2(all.ok, qPrintable(all.error));
        QCOMPARE(all.records, 50);
        QCOMPARE(all.sampledRecords, 50);
        QVERIFY(all.meanTokens > 10);
        QCOMPARE(all.estimatedTokens, qRound64(all.meanTokens * 50));
        // A shorter template gives fewer tokens; a short max length cuts them.
        const TrainingDataMeasure plain =
            measureTrainingData(data, m_model, QStringLiteral("plain"), QStringLiteral("response"), 4096);
        QVERIFY(plain.meanTokens < all.meanTokens);
        const TrainingDataMeasure cut =
            measureTrainingData(data, m_model, QStringLiteral("alpaca"), QStringLiteral("response"), 32, 10);
        QCOMPARE(cut.sampledRecords, 10);
        QVERIFY(cut.meanTokens <= 32);
        QVERIFY(cut.truncatedInSample > 0);
    }
    // The Train page's step count is the run's: the worker's total_steps (its started event) equals the
    // estimate from the measured data, packed or not, with the validation share set aside by the worker.
    void estimatedStepsAreTheRunsSteps_data()
    {
        QTest::addColumn<bool>("packing");
        QTest::addColumn<int>("maxLength");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("accumulation");
        QTest::newRow("packed 128") << true << 128 << 2 << 1;
        QTest::newRow("packed 160, accumulating") << true << 160 << 3 << 2;
        QTest::newRow("padded") << false << 128 << 4 << 1;
    }
    void estimatedStepsAreTheRunsSteps()
    {
        QFETCH(bool, packing);
        QFETCH(int, maxLength);
        QFETCH(int, batch);
        QFETCH(int, accumulation);
        const QString data = test::writeSampleJsonl(m_dir.filePath(QStringLiteral("steps.jsonl")), 90);
        TrainConfig config;
        config.model = m_model;
        config.trainFile = data;
        config.promptTemplate = QStringLiteral("alpaca");
        config.lossOn = QStringLiteral("response");
        config.maxLength = maxLength;
        config.packing = packing;
        config.batchSize = batch;
        config.gradAccumulation = accumulation;
        config.epochs = 3;
        config.valFraction = 0.15;
        config.seed = 7;
        const TrainingDataMeasure measure =
            measureTrainingData(data, m_model, config.promptTemplate, config.lossOn, config.maxLength);
        QVERIFY2(measure.ok, qPrintable(measure.error));
        ResourceEstimateOptions options;
        options.machineMemoryBytes = 0;
        applyMeasuredData(&options, measure, config, /*sharedValidation=*/true);
        QCOMPARE(options.trainExamples, 90 - 14); // round(0.15 x 90) validate
        const qint64 estimated = estimateResources(ModelConfig::fromFile(m_model + QStringLiteral("/config.json")),
                                                   config, options)
                                     .totalSteps;

        QProcess worker;
        worker.start(test::cliPath(),
                     {QStringLiteral("train"), QStringLiteral("--model"), m_model, QStringLiteral("--train"), data,
                      QStringLiteral("--run"), m_dir.filePath(QStringLiteral("steps-run-%1").arg(QTest::currentDataTag())),
                      QStringLiteral("--template"), config.promptTemplate, QStringLiteral("--loss-on"), config.lossOn,
                      QStringLiteral("--max-length"), QString::number(maxLength), QStringLiteral("--batch-size"),
                      QString::number(batch), QStringLiteral("--set"),
                      QStringLiteral("grad_accumulation=%1").arg(accumulation), QStringLiteral("--set"),
                      QStringLiteral("packing=%1").arg(packing ? QStringLiteral("true") : QStringLiteral("false")),
                      QStringLiteral("--set"), QStringLiteral("epochs=3"), QStringLiteral("--set"),
                      QStringLiteral("val_fraction=0.15"), QStringLiteral("--set"), QStringLiteral("seed=7"),
                      QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--events"), QStringLiteral("jsonl")});
        qint64 runSteps = -1;
        QByteArray pending;
        while (runSteps < 0 && worker.waitForReadyRead(60000)) {
            pending += worker.readAllStandardOutput();
            for (const QByteArray& line : pending.split('\n')) {
                const QJsonObject event = QJsonDocument::fromJson(line).object();
                if (event.value(QStringLiteral("event")).toString() == QLatin1String("started"))
                    runSteps = event.value(QStringLiteral("total_steps")).toInteger();
            }
        }
        worker.kill();
        worker.waitForFinished();
        QVERIFY2(runSteps > 0, (pending + worker.readAllStandardError()).constData());
        QCOMPARE(estimated, runSteps);
    }

    void namesTheBadLine()
    {
        const QString path = m_dir.filePath(QStringLiteral("bad.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"instruction\": \"a\", \"response\": \"b\"}\n{\"instruction\": \n");
        file.close();
        const TrainingDataMeasure m =
            measureTrainingData(path, m_model, QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!m.ok);
        QVERIFY2(m.error.contains(QStringLiteral("bad.jsonl:2")), qPrintable(m.error));
        const TrainingDataMeasure noModel = measureTrainingData(
            path, m_dir.filePath(QStringLiteral("nope")), QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!noModel.ok && !noModel.error.isEmpty());
    }
    void storeSplitMatchesItsExport_data()
    {
        QTest::addColumn<QString>("split");
        QTest::addColumn<int>("sampleLimit");
        QTest::addColumn<int>("records");
        QTest::addColumn<int>("sampled");
        QTest::newRow("train, all") << "train" << 2000 << 22 << 22;
        QTest::newRow("train, first 5") << "train" << 5 << 22 << 5;
        QTest::newRow("test, all") << "test" << 2000 << 8 << 8;
        QTest::newRow("test, first 3") << "test" << 3 << 8 << 3;
    }
    void storeSplitMatchesItsExport()
    {
        QFETCH(QString, split);
        QFETCH(int, sampleLimit);
        QFETCH(int, records);
        QFETCH(int, sampled);
        Split chosen = Split::Train;
        QVERIFY(splitFromName(split, &chosen));
        test::TempDatabase workspace;
        const qint64 id = addCountedDataset(workspace.db());
        const QString file = QDir(workspace.dir()).filePath(split + QStringLiteral(".jsonl"));
        QCOMPARE(exportDataset(workspace.db(), id, file, DatasetFormat::Studio, chosen), qint64(records));

        const TrainingDataMeasure fromFile =
            measureTrainingData(file, m_model, QStringLiteral("alpaca"), QStringLiteral("response"), 4096, sampleLimit);
        const TrainingDataMeasure fromStore =
            measureTrainingData(workspace.db(), id, chosen, m_model, QStringLiteral("alpaca"),
                                QStringLiteral("response"), 4096, sampleLimit);
        QVERIFY2(fromFile.ok, qPrintable(fromFile.error));
        QVERIFY2(fromStore.ok, qPrintable(fromStore.error));
        QVERIFY(fromStore.error.isEmpty());
        QCOMPARE(fromStore.records, qint64(records));
        QCOMPARE(fromStore.sampledRecords, qint64(sampled));
        QCOMPARE(fromStore.records, fromFile.records);
        QCOMPARE(fromStore.sampledRecords, fromFile.sampledRecords);
        QCOMPARE(fromStore.meanTokens, fromFile.meanTokens); // the same examples, tokenized the same way
        QCOMPARE(fromStore.truncatedInSample, fromFile.truncatedInSample);
        QCOMPARE(fromStore.estimatedTokens, fromFile.estimatedTokens);
    }
    void storeSampleIsTheFirstExamples()
    {
        test::TempDatabase workspace;
        const qint64 id = addCountedDataset(workspace.db());
        const auto measure = [&](int sampleLimit, qint64 maxLength) {
            return measureTrainingData(workspace.db(), id, Split::Train, m_model, QStringLiteral("alpaca"),
                                       QStringLiteral("response"), maxLength, sampleLimit);
        };
        const TrainingDataMeasure all = measure(2000, 4096);
        const TrainingDataMeasure first = measure(5, 4096);
        QVERIFY2(all.ok && first.ok, qPrintable(all.error + first.error));
        QCOMPARE(first.records, 22); // every example of the split is counted, not only the sample
        QCOMPARE(first.sampledRecords, 5);
        // The two long examples come last: outside the first five, inside all of them.
        QVERIFY2(first.meanTokens < all.meanTokens,
                 qPrintable(QStringLiteral("%1 vs %2").arg(first.meanTokens).arg(all.meanTokens)));
        QCOMPARE(first.estimatedTokens, qRound64(first.meanTokens * 22));
        QCOMPARE(first.truncatedInSample, 0);
        // Only the long ones (outside a sample of 20) exceed twice the short ones' length.
        const TrainingDataMeasure shortOnes = measure(20, 4096);
        QVERIFY2(shortOnes.ok, qPrintable(shortOnes.error));
        const qint64 maxLength = qRound64(2 * shortOnes.meanTokens);
        QCOMPARE(measure(20, maxLength).truncatedInSample, 0);
        QCOMPARE(measure(2000, maxLength).truncatedInSample, 2);
    }
    void storeErrorsNameTheDatasetAndSplit()
    {
        test::TempDatabase workspace;
        const qint64 id = addCountedDataset(workspace.db());
        const TrainingDataMeasure empty = measureTrainingData(workspace.db(), id, Split::Validation, m_model,
                                                              QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!empty.ok);
        QCOMPARE(empty.records, 0);
        QVERIFY2(empty.error.contains(QStringLiteral("\"counted\"")) &&
                     empty.error.contains(QStringLiteral("val split")),
                 qPrintable(empty.error));
        const qint64 missing = id + 1000;
        const TrainingDataMeasure unknown = measureTrainingData(
            workspace.db(), missing, Split::Train, m_model, QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!unknown.ok);
        QVERIFY2(unknown.error.contains(QStringLiteral("dataset %1 does not exist").arg(missing)) &&
                     unknown.error.contains(QStringLiteral("train split")),
                 qPrintable(unknown.error));
        const TrainingDataMeasure noModel =
            measureTrainingData(workspace.db(), id, Split::Train, m_dir.filePath(QStringLiteral("nope")),
                                QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!noModel.ok && !noModel.error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTrainingDataMeasure)
#include "tst_training_data_measure.moc"
