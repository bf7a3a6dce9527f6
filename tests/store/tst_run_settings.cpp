// A run's settings as the comparison and the report list them: one row per setting, the run's mode, base
// model and dataset first, then its configuration, without listing the mode and the model a second time
// (the comparison showed "mode" and "config.mode" side by side).

#include <QJsonObject>
#include <QTest>

#include "store/run_settings.h"

using namespace ft;

namespace {

RunInfo run(const QString& mode, double learningRate)
{
    RunInfo r;
    r.mode = mode;
    r.baseModelPath = QStringLiteral("/models/tiny");
    r.config = QJsonObject{{QStringLiteral("mode"), mode},
                           {QStringLiteral("model"), QStringLiteral("/models/tiny")},
                           {QStringLiteral("learning_rate"), learningRate},
                           {QStringLiteral("lora"), QJsonObject{{QStringLiteral("rank"), 8}}}};
    return r;
}

} // namespace

class TestRunSettings : public QObject {
    Q_OBJECT
private slots:
    void eachSettingOnce()
    {
        const auto settings = runSettings(run(QStringLiteral("full"), 1e-3));
        QCOMPARE(settings.at(QStringLiteral("mode")), QStringLiteral("full"));
        QCOMPARE(settings.at(QStringLiteral("base_model")), QStringLiteral("/models/tiny"));
        QCOMPARE(settings.at(QStringLiteral("config.learning_rate")), QStringLiteral("0.001"));
        QCOMPARE(settings.at(QStringLiteral("config.lora.rank")), QStringLiteral("8"));
        QVERIFY(!settings.count(QStringLiteral("config.mode")));
        QVERIFY(!settings.count(QStringLiteral("config.model")));
    }

    void differencesNameAChangedModeOnce()
    {
        const auto rows = settingDifferences({run(QStringLiteral("full"), 1e-3), run(QStringLiteral("qlora"), 2e-4)});
        QStringList keys;
        for (const SettingRow& row : rows)
            keys << row.key;
        QCOMPARE(keys, (QStringList{QStringLiteral("config.learning_rate"), QStringLiteral("mode")}));
    }
};

QTEST_APPLESS_MAIN(TestRunSettings)
#include "tst_run_settings.moc"
