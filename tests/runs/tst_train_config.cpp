#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "runs/train_config.h"
#include "runs/train_settings_check.h"

using namespace ft;

class TestTrainConfig : public QObject {
    Q_OBJECT
private slots:
    void roundTripsEveryField()
    {
        TrainConfig config;
        config.learningRate = 3e-4;
        config.packing = false;
        config.schedule = QStringLiteral("linear");
        config.seed = 99;
        config.processes = 3;
        config.checkpointLayers = 14;
        const TrainConfig again = TrainConfig::fromJson(config.toJson(), QStringLiteral("x"));
        QCOMPARE(again.toJson(), config.toJson());
        QVERIFY(config.toJson().size() > 30); // every default written out
        QCOMPARE(again.checkpointLayers, int64_t(14));
    }
    void presetsAreOverriddenByExplicitSettings()
    {
        const TrainConfig freeze = TrainConfig::fromJson(QJsonDocument::fromJson(R"({"mode": "freeze", "learning_rate": 0.5})").object(), QStringLiteral("x"));
        QCOMPARE(freeze.trainable, QStringLiteral("top-layers"));
        QCOMPARE(freeze.lossOn, QStringLiteral("response"));
        QCOMPARE(freeze.learningRate, 0.5);
        QCOMPARE(TrainConfig::fromJson(QJsonDocument::fromJson(R"({"mode": "full"})").object(), QStringLiteral("x")).lossOn, QStringLiteral("all"));
    }
    void badSettingsNameTheField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown key") << QByteArray(R"({"learning_rat": 1})") << "unknown setting \"learning_rat\"";
        QTest::newRow("wrong type") << QByteArray(R"({"batch_size": "four"})") << "\"batch_size\" must be an integer";
        QTest::newRow("unknown mode") << QByteArray(R"({"mode": "magic"})") << "unknown mode \"magic\"";
    }
    void badSettingsNameTheField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        try {
            TrainConfig::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("train.json"));
            QFAIL("bad configuration accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        }
    }
    void validationNamesTheField_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("learning rate zero") << "learning_rate" << QJsonValue(0.0);
        QTest::newRow("learning rate negative") << "learning_rate" << QJsonValue(-1.0);
        QTest::newRow("missing model") << "model" << QJsonValue(QStringLiteral("/nonexistent/model"));
        QTest::newRow("missing train file") << "train_file" << QJsonValue(QStringLiteral("/nonexistent/train.jsonl"));
        QTest::newRow("bad template placeholder") << "template" << QJsonValue(QStringLiteral("Q: {question}\nA: {response}"));
        QTest::newRow("bad schedule") << "schedule" << QJsonValue(QStringLiteral("exponential"));
        QTest::newRow("zero batch") << "batch_size" << QJsonValue(0);
        QTest::newRow("tiny max length") << "max_length" << QJsonValue(2);
        QTest::newRow("no processes") << "processes" << QJsonValue(0);
        QTest::newRow("too many processes") << "processes" << QJsonValue(1000);
        QTest::newRow("negative checkpointed layers") << "checkpoint_layers" << QJsonValue(-1);
    }
    void validationNamesTheField()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QTemporaryDir dir;
        QFile train(dir.filePath(QStringLiteral("train.jsonl")));
        train.open(QIODevice::WriteOnly);
        train.write("{\"instruction\": \"a\", \"response\": \"b\"}\n");
        train.close();
        QJsonObject json{{QStringLiteral("model"), dir.path()}, {QStringLiteral("train_file"), train.fileName()}};
        json[key] = value;
        try {
            TrainConfig::fromJson(json, QStringLiteral("x")).validate();
            QFAIL("invalid configuration accepted");
        } catch (const Error& error) {
            const QString expected = key == QLatin1String("template") ? QStringLiteral("{question}") : key;
            QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        }
        // The same settings fail the check without data files, unless only a data file is wrong.
        if (key == QLatin1String("train_file") || key == QLatin1String("val_file"))
            validateTrainSettings(TrainConfig::fromJson(json, QStringLiteral("x")));
        else
            QVERIFY_THROWS_EXCEPTION(Error, validateTrainSettings(TrainConfig::fromJson(json, QStringLiteral("x"))));
    }

    void settingsWithoutDataFiles()
    {
        // A run on a workspace dataset: its files are written by the worker, so only they are missing.
        QTemporaryDir dir;
        TrainConfig config;
        config.model = dir.path();
        config.trainFile = dir.filePath(QStringLiteral("run/data/train.jsonl"));
        validateTrainSettings(config);
        QVERIFY_THROWS_EXCEPTION(Error, config.validate());
        config.model = dir.filePath(QStringLiteral("missing-model"));
        QVERIFY_THROWS_EXCEPTION(Error, validateTrainSettings(config));
    }
};

QTEST_APPLESS_MAIN(TestTrainConfig)
#include "tst_train_config.moc"
