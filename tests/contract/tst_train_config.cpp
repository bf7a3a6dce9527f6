#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "contract/train_config.h"
#include "contract/train_settings_check.h"

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
        config.checkpointFraction = 0.25;
        const TrainConfig again = TrainConfig::fromJson(config.toJson(), QStringLiteral("x"));
        QCOMPARE(again.toJson(), config.toJson());
        QVERIFY(config.toJson().size() > 30); // every default written out
        QCOMPARE(again.checkpointLayers, int64_t(14));
        QCOMPARE(again.checkpointFraction, 0.25);
    }
    void checkpointedLayersFollowTheCountOrTheShare_data()
    {
        QTest::addColumn<bool>("checkpointing");
        QTest::addColumn<qint64>("layers");
        QTest::addColumn<double>("fraction");
        QTest::addColumn<qint64>("numLayers");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("off") << false << qint64(5) << 1.0 << qint64(22) << qint64(0);
        QTest::newRow("every layer") << true << qint64(0) << 1.0 << qint64(22) << qint64(22);
        QTest::newRow("a count") << true << qint64(14) << 1.0 << qint64(22) << qint64(14);
        QTest::newRow("a count beats the share") << true << qint64(3) << 0.6 << qint64(22) << qint64(3);
        QTest::newRow("more than there are") << true << qint64(40) << 1.0 << qint64(22) << qint64(22);
        QTest::newRow("60 % of 22 rounds up") << true << qint64(0) << 0.6 << qint64(22) << qint64(14);
        QTest::newRow("60 % of 6") << true << qint64(0) << 0.6 << qint64(6) << qint64(4);
        QTest::newRow("60 % of 32") << true << qint64(0) << 0.6 << qint64(32) << qint64(20);
        QTest::newRow("60 % of 5 is exactly 3") << true << qint64(0) << 0.6 << qint64(5) << qint64(3);
        QTest::newRow("half of 22 is exactly 11") << true << qint64(0) << 0.5 << qint64(22) << qint64(11);
        QTest::newRow("a share a rounding error above 3 of 10")
            << true << qint64(0) << 0.1 + 0.2 << qint64(10) << qint64(3);
        QTest::newRow("a sliver is one layer") << true << qint64(0) << 0.01 << qint64(2) << qint64(1);
        QTest::newRow("no layers") << true << qint64(0) << 0.6 << qint64(0) << qint64(0);
    }
    void checkpointedLayersFollowTheCountOrTheShare()
    {
        QFETCH(bool, checkpointing);
        QFETCH(qint64, layers);
        QFETCH(double, fraction);
        QFETCH(qint64, numLayers);
        QFETCH(qint64, expected);
        TrainConfig config;
        config.gradientCheckpointing = checkpointing;
        config.checkpointLayers = layers;
        config.checkpointFraction = fraction;
        QCOMPARE(checkpointedLayerCount(config, numLayers), expected);
    }
    void qloraPresetCheckpointsAShareOfTheLayers()
    {
        // QLoRA recomputes 60 % of the layers, whatever the depth; the other presets none.
        TrainConfig config;
        config.applyModePreset(QStringLiteral("qlora"));
        QVERIFY(config.gradientCheckpointing);
        QCOMPARE(config.checkpointLayers, int64_t(0));
        QCOMPARE(config.checkpointFraction, 0.6);
        QCOMPARE(checkpointedLayerCount(config, 22), int64_t(14));
        // An explicit setting in config.json still wins over the preset.
        const TrainConfig all = TrainConfig::fromJson(
            QJsonDocument::fromJson(R"({"mode": "qlora", "checkpoint_fraction": 1})").object(), QStringLiteral("x"));
        QCOMPARE(checkpointedLayerCount(all, 22), int64_t(22));
        // Switching from QLoRA to another mode (as the Train page does) turns it off again.
        for (const char* mode : {"full", "instruction", "freeze"}) {
            TrainConfig other = config;
            other.applyModePreset(QLatin1String(mode));
            QCOMPARE(checkpointedLayerCount(other, 22), int64_t(0));
            QCOMPARE(other.checkpointFraction, 1.0);
        }
    }
    void presetsAreOverriddenByExplicitSettings()
    {
        const TrainConfig freeze = TrainConfig::fromJson(
            QJsonDocument::fromJson(R"({"mode": "freeze", "learning_rate": 0.5})").object(), QStringLiteral("x"));
        QCOMPARE(freeze.trainable, QStringLiteral("top-layers"));
        QCOMPARE(freeze.lossOn, QStringLiteral("response"));
        QCOMPARE(freeze.learningRate, 0.5);
        QCOMPARE(
            TrainConfig::fromJson(QJsonDocument::fromJson(R"({"mode": "full"})").object(), QStringLiteral("x")).lossOn,
            QStringLiteral("all"));
    }
    // Leaving the mode out is choosing "full": the defaults are the full preset, so what is recorded
    // ("mode": "full") is what was trained (loss on every token, every weight, its learning rate).
    void theDefaultsAreTheFullPreset()
    {
        TrainConfig full;
        full.applyModePreset(QStringLiteral("full"));
        QCOMPARE(TrainConfig().toJson(), full.toJson());
        QCOMPARE(TrainConfig::fromJson(QJsonObject(), QStringLiteral("x")).toJson(), full.toJson());
        TrainConfig afterQlora;
        afterQlora.applyModePreset(QStringLiteral("qlora"));
        afterQlora.applyModePreset(QStringLiteral("full"));
        QCOMPARE(afterQlora.toJson(), full.toJson());
    }
    // The DPO preset: preference pairs through LoRA, answers scored one per row; another mode turns
    // the objective back to the answers' loss.
    void dpoPresetTrainsPreferencePairs()
    {
        TrainConfig dpo;
        dpo.applyModePreset(QStringLiteral("dpo"));
        QVERIFY(dpo.isPreferenceTraining());
        QCOMPARE(dpo.objective, QStringLiteral("dpo"));
        QCOMPARE(dpo.trainable, QStringLiteral("lora"));
        QCOMPARE(dpo.lossOn, QStringLiteral("response"));
        QCOMPARE(dpo.dpoBeta, 0.1);
        QVERIFY(!dpo.packing);
        const TrainConfig again = TrainConfig::fromJson(dpo.toJson(), QStringLiteral("x"));
        QCOMPARE(again.toJson(), dpo.toJson());
        QCOMPARE(TrainConfig::fromJson(QJsonDocument::fromJson(R"({"mode": "dpo", "dpo_beta": 0.5})").object(),
                                       QStringLiteral("x"))
                     .dpoBeta,
                 0.5);
        QCOMPARE(dpo.dpoLoss, QStringLiteral("sigmoid"));
        QCOMPARE(dpo.dpoLabelSmoothing, 0.0);
        const TrainConfig ipo = TrainConfig::fromJson(
            QJsonDocument::fromJson(R"({"mode": "dpo", "dpo_loss": "ipo", "dpo_label_smoothing": 0})").object(),
            QStringLiteral("x"));
        QCOMPARE(ipo.dpoLoss, QStringLiteral("ipo"));
        QCOMPARE(TrainConfig::fromJson(ipo.toJson(), QStringLiteral("x")).dpoLoss, QStringLiteral("ipo"));
        dpo.applyModePreset(QStringLiteral("instruction"));
        QVERIFY(!dpo.isPreferenceTraining());
        QVERIFY(TrainConfig::modeNames().contains(QStringLiteral("dpo")));
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
        QTest::newRow("bad template placeholder")
            << "template" << QJsonValue(QStringLiteral("Q: {question}\nA: {response}"));
        QTest::newRow("bad schedule") << "schedule" << QJsonValue(QStringLiteral("exponential"));
        QTest::newRow("zero batch") << "batch_size" << QJsonValue(0);
        QTest::newRow("tiny max length") << "max_length" << QJsonValue(2);
        QTest::newRow("no processes") << "processes" << QJsonValue(0);
        QTest::newRow("too many processes") << "processes" << QJsonValue(1000);
        QTest::newRow("negative checkpointed layers") << "checkpoint_layers" << QJsonValue(-1);
        QTest::newRow("no checkpointed share") << "checkpoint_fraction" << QJsonValue(0.0);
        QTest::newRow("checkpointed share over 1") << "checkpoint_fraction" << QJsonValue(1.5);
        QTest::newRow("unknown objective") << "objective" << QJsonValue(QStringLiteral("ppo"));
        QTest::newRow("zero dpo beta") << "dpo_beta" << QJsonValue(0.0);
        QTest::newRow("unknown dpo loss") << "dpo_loss" << QJsonValue(QStringLiteral("kto"));
        QTest::newRow("label smoothing of a half") << "dpo_label_smoothing" << QJsonValue(0.5);
        QTest::newRow("negative label smoothing") << "dpo_label_smoothing" << QJsonValue(-0.1);
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
