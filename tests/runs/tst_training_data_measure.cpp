// Measuring the training data (records, tokens per record under a template) for the time estimate.

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "runs/training_data_measure.h"
#include "support/test_support.h"

using namespace ft;

class TestTrainingDataMeasure : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;

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
        const TrainingDataMeasure all = measureTrainingData(data, m_model, QStringLiteral("alpaca"), QStringLiteral("response"), 4096);
        QVERIFY2(all.ok, qPrintable(all.error));
        QCOMPARE(all.records, 50);
        QCOMPARE(all.sampledRecords, 50);
        QVERIFY(all.meanTokens > 10);
        QCOMPARE(all.estimatedTokens, qRound64(all.meanTokens * 50));
        // A shorter template gives fewer tokens; a short max length cuts them.
        const TrainingDataMeasure plain = measureTrainingData(data, m_model, QStringLiteral("plain"), QStringLiteral("response"), 4096);
        QVERIFY(plain.meanTokens < all.meanTokens);
        const TrainingDataMeasure cut = measureTrainingData(data, m_model, QStringLiteral("alpaca"), QStringLiteral("response"), 32, 10);
        QCOMPARE(cut.sampledRecords, 10);
        QVERIFY(cut.meanTokens <= 32);
        QVERIFY(cut.truncatedInSample > 0);
    }
    void namesTheBadLine()
    {
        const QString path = m_dir.filePath(QStringLiteral("bad.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"instruction\": \"a\", \"response\": \"b\"}\n{\"instruction\": \n");
        file.close();
        const TrainingDataMeasure m = measureTrainingData(path, m_model, QStringLiteral("plain"), QStringLiteral("response"), 64);
        QVERIFY(!m.ok);
        QVERIFY2(m.error.contains(QStringLiteral("bad.jsonl:2")), qPrintable(m.error));
        const TrainingDataMeasure noModel = measureTrainingData(path, m_dir.filePath(QStringLiteral("nope")), QStringLiteral("plain"),
                                                                QStringLiteral("response"), 64);
        QVERIFY(!noModel.ok && !noModel.error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTrainingDataMeasure)
#include "tst_training_data_measure.moc"
