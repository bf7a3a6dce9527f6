// ModelPicker: a folder is read on a worker thread and described; a bad folder says why; a model
// replaced before its reading finished is dropped; models used before are remembered.

#include <QComboBox>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "app_settings.h"
#include "support/test_support.h"
#include "widgets/model_picker.h"

using namespace ft;
using namespace ft::ui;

class TestModelPicker : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;

private slots:
    void initTestCase()
    {
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
    }
    void describesAModel()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("a.ini")));
        ModelPicker picker(&settings);
        QSignalSpy inspected(&picker, &ModelPicker::modelInspected);
        picker.setModelPath(m_model);
        QVERIFY(picker.isInspecting()); // the GUI thread did not wait for the files
        QVERIFY(inspected.wait(10000));
        QCOMPARE(inspected.first().at(1).toBool(), true);
        QVERIFY(picker.hasModel());
        QCOMPARE(picker.folder()->config.hiddenSize, 64);
        const QString info = picker.findChild<QLabel*>(QStringLiteral("modelInfo"))->text();
        for (const char* part :
             {"LlamaForCausalLM", "4 layers", "context 512 tokens", "sentencepiece", "no chat template"})
            QVERIFY2(info.contains(QLatin1String(part)), qPrintable(info));
        QVERIFY(!picker.hasChatTemplate());
        QCOMPARE(settings.knownModels(), QStringList{m_model});
        QCOMPARE(picker.findChild<QComboBox*>(QStringLiteral("modelCombo"))->currentData().toString(), m_model);
    }
    // A model of today: Qwen3's shape on its real tokenizer.json, with its chat template.
    void describesABpeModelWithItsChatTemplate()
    {
        FT_REQUIRE_SHARED();
        const QString folder = m_dir.filePath(QStringLiteral("qwen3"));
        QProcess cli;
        cli.start(test::cliPath(), {QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                                    QStringLiteral("qwen3-tiny"), QStringLiteral("--tokenizer"),
                                    test::sharedPath(QStringLiteral("fixtures/tokenizers/qwen3")), folder});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        AppSettings settings(m_dir.filePath(QStringLiteral("q.ini")));
        ModelPicker picker(&settings);
        QSignalSpy inspected(&picker, &ModelPicker::modelInspected);
        picker.setModelPath(folder);
        QVERIFY(inspected.wait(20000));
        QVERIFY(picker.hasChatTemplate());
        const QString info = picker.findChild<QLabel*>(QStringLiteral("modelInfo"))->text();
        for (const char* part : {"Qwen3ForCausalLM", "byte-level BPE (tokenizer.json)", "its own chat template"})
            QVERIFY2(info.contains(QLatin1String(part)), qPrintable(info));
    }
    void explainsABadFolder()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("b.ini")));
        ModelPicker picker(&settings);
        QSignalSpy inspected(&picker, &ModelPicker::modelInspected);
        picker.setModelPath(m_dir.path()); // a folder without config.json
        QVERIFY(inspected.wait(10000));
        QCOMPARE(inspected.first().at(1).toBool(), false);
        QVERIFY(!picker.hasModel());
        QVERIFY2(picker.error().contains(QStringLiteral("config.json")), qPrintable(picker.error()));
        QVERIFY(picker.findChild<QLabel*>(QStringLiteral("modelInfo"))->text().contains(QStringLiteral("config.json")));
        QVERIFY(settings.knownModels().isEmpty()); // only models that could be read are remembered
    }
    void dropsAResultTheUserReplaced()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("c.ini")));
        ModelPicker picker(&settings);
        QSignalSpy inspected(&picker, &ModelPicker::modelInspected);
        picker.setModelPath(m_dir.path());
        picker.setModelPath(m_model);
        QTRY_VERIFY_WITH_TIMEOUT(!picker.isInspecting(), 10000);
        QTest::qWait(100);
        QCOMPARE(inspected.size(), 1);
        QCOMPARE(inspected.first().at(0).toString(), m_model);
        QVERIFY(picker.hasModel());
    }
};

QTEST_MAIN(TestModelPicker)
#include "tst_model_picker.moc"
