// PlaygroundPage: a message is answered side by side in every column (real worker, tiny model), the
// text streams into each column, each column keeps its own conversation, a conversation is saved as a
// dataset example (undoable), Cancel stops a slow generation, and runs' exports and checkpoints are offered.

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include "app_settings.h"
#include "common/atomic_write.h"
#include "models/dataset_session.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "pages/playground_page.h"
#include "support/test_support.h"
#include "ui_test_support.h"
#include "widgets/generation_column.h"

using namespace ft;
using namespace ft::ui;

class TestPlaygroundPage : public QObject {
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

    void offersRunAdapters()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("adapters.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("ws-adapters")));
        const QString adapter = m_dir.filePath(QStringLiteral("ws-adapters/runs/20260101-120000-lora/export/adapter"));
        QVERIFY(QDir().mkpath(adapter));
        QFile config(QDir(adapter).filePath(QStringLiteral("adapter_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"peft_type":"LORA"})"); // no base_model_name_or_path: refused when generating
        config.close();
        PlaygroundPage page(&settings);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        GenerationColumn* column = page.columns().at(0);
        QTRY_COMPARE_WITH_TIMEOUT(column->model(), adapter, 10000);
        auto* chooser = column->findChild<QComboBox*>(QStringLiteral("columnModel"));
        QVERIFY(chooser->currentText().contains(QStringLiteral("adapter on its base")));
        QTest::keyClicks(page.findChild<QPlainTextEdit*>(QStringLiteral("playgroundPrompt")), QStringLiteral("Hi"));
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("generateButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isGenerating(), 30000); // the CLI starts (LibTorch loads) before it refuses
        const QString status = column->findChild<QLabel*>(QStringLiteral("columnStatus"))->text();
        QVERIFY2(status.contains(QStringLiteral("base_model_name_or_path")), qPrintable(status));
    }

    // A run's checkpoints are offered (best first) through its folder, and a run that appears while the
    // page is away is offered when it is shown again, without Refresh.
    void offersRunCheckpoints()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("checkpoints.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("ws-checkpoints")));
        PlaygroundPage page(&settings);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto* chooser = page.columns().at(0)->findChild<QComboBox*>(QStringLiteral("columnModel"));
        const QString run = m_dir.filePath(QStringLiteral("ws-checkpoints/runs/20261206-051155-roleplay-lora-a"));
        QVERIFY(QDir().mkpath(run + QStringLiteral("/checkpoints/step-00000010")));
        QVERIFY(QDir().mkpath(run + QStringLiteral("/checkpoints/step-00000020")));
        writeFileAtomically(run + QStringLiteral("/config.json"), "{}");
        writeFileAtomically(run + QStringLiteral("/checkpoints/step-00000010/state.json"), "{}");
        writeFileAtomically(run + QStringLiteral("/checkpoints/step-00000020/state.json"), "{}");
        writeFileAtomically(run + QStringLiteral("/checkpoints/best.json"), R"({"checkpoint": "step-00000010"})");
        page.hide();
        page.show();
        QTRY_COMPARE_WITH_TIMEOUT(chooser->findText(QStringLiteral("run: roleplay-lora-a (12-06 05:11) · best (step 10)")),
                                  0, 10000); // no base model is known here
        QCOMPARE(chooser->itemText(1), QStringLiteral("run: roleplay-lora-a (12-06 05:11) · step 20"));
        QCOMPARE(chooser->itemData(0).toString(), QFileInfo(run).absoluteFilePath());
        QCOMPARE(chooser->itemData(0, Qt::UserRole + 1).toString(), QStringLiteral("step-10"));
        // The empty column took the newest run's first choice: its best checkpoint.
        QCOMPARE(page.columns().at(0)->checkpoint(), QStringLiteral("step-10"));
    }

    // Two messages: the second is answered with the first exchange as context, each column's conversation
    // holds both; it is saved as a multi-turn example of a dataset (undoable); New chat clears it.
    void chatsAndSavesTheConversation()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("chat.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("ws-chat")));
        settings.addKnownModel(m_model);
        settings.setThreads(1);
        DatasetSession session;
        session.open(settings.workspace());
        const qint64 datasetId = session.datasets().list().front().id;
        const qint64 before = session.examples().count(datasetId);

        PlaygroundPage page(&settings);
        page.setDatasetSession(&session);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        clickIndicator(page.findChild<QCheckBox*>(QStringLiteral("playgroundGreedy")));
        page.findChild<QSpinBox*>(QStringLiteral("playgroundMaxTokens"))->setValue(6);
        auto* format = page.findChild<QComboBox*>(QStringLiteral("playgroundTemplate"));
        format->setCurrentIndex(format->findData(QStringLiteral("chatml")));
        auto* system = page.findChild<QLineEdit*>(QStringLiteral("playgroundSystem"));
        system->setText(QStringLiteral("Be brief."));
        auto* message = page.findChild<QPlainTextEdit*>(QStringLiteral("playgroundPrompt"));
        for (const QString& text : {QStringLiteral("Once upon a time"), QStringLiteral("And then?")}) {
            QTest::keyClicks(message, text);
            QTest::keyClick(message, Qt::Key_Return, Qt::ControlModifier);
            QVERIFY(page.isGenerating());
            QVERIFY(message->toPlainText().isEmpty()); // sent: it stands in the conversation now
            QTRY_VERIFY_WITH_TIMEOUT(!page.isGenerating(), 120000);
            system->setText(QStringLiteral("Changed midway.")); // the conversation keeps the one it began with
        }
        GenerationColumn* column = page.columns().at(0);
        QCOMPARE(column->conversation().size(), size_t(4));
        QCOMPARE(column->conversation()[2].content, QStringLiteral("And then?"));
        QCOMPARE(column->conversation()[3].content, column->text());
        QVERIFY(column->transcript().contains(QStringLiteral("Once upon a time")));
        QVERIFY(column->transcript().contains(QStringLiteral("And then?")));

        QVERIFY(page.saveConversation(0, datasetId, Split::Validation));
        QCOMPARE(session.examples().count(datasetId), before + 1);
        ExampleFilter multiTurn;
        multiTurn.multiTurn = true;
        multiTurn.split = Split::Validation;
        multiTurn.tags = QStringList{QStringLiteral("playground")};
        QCOMPARE(session.examples().count(datasetId, multiTurn), qint64(1));
        QCOMPARE(session.examples().examples(datasetId, multiTurn).front().record.system, QStringLiteral("Be brief."));
        session.undoStack()->undo();
        QCOMPARE(session.examples().count(datasetId), before);

        QTest::keyClick(message, Qt::Key_N, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(column->conversation().empty());
        QVERIFY(column->transcript().isEmpty());
        QVERIFY(!page.saveConversation(0, datasetId, Split::Train)); // nothing to save
    }

    void generatesSideBySide()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("a.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("ws")));
        settings.addKnownModel(m_model);
        settings.setThreads(1);
        // A run's exported model (a copy of the tiny one) is offered too.
        const QString exported = m_dir.filePath(QStringLiteral("ws/runs/20260101-120000-full/export/model"));
        QVERIFY(QDir().mkpath(exported));
        for (const QString& name : QDir(m_model).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(m_model).filePath(name), QDir(exported).filePath(name)));

        PlaygroundPage page(&settings);
        page.resize(1100, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QCOMPARE(page.columns().size(), 2);
        QCOMPARE(page.columns().at(0)->model(), m_model);
        QTRY_COMPARE_WITH_TIMEOUT(page.columns().at(1)->model(), exported, 10000); // the newest run's export

        QTest::keyClicks(page.findChild<QPlainTextEdit*>(QStringLiteral("playgroundPrompt")),
                         QStringLiteral("Once upon a time"));
        clickIndicator(page.findChild<QCheckBox*>(QStringLiteral("playgroundGreedy")));
        auto* maxTokens = page.findChild<QSpinBox*>(QStringLiteral("playgroundMaxTokens"));
        maxTokens->setValue(16);
        QCOMPARE(page.request().maxTokens, 16);
        QVERIFY(page.request().greedy);

        auto* generate = page.findChild<QPushButton*>(QStringLiteral("generateButton"));
        QTest::mouseClick(generate, Qt::LeftButton);
        QVERIFY(page.isGenerating());
        QVERIFY(!generate->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!page.isGenerating(), 120000);
        for (GenerationColumn* column : page.columns()) {
            QVERIFY(!column->text().isEmpty());
            const QString status = column->findChild<QLabel*>(QStringLiteral("columnStatus"))->text();
            QVERIFY2(status.contains(QStringLiteral("tokens/s")), qPrintable(status));
        }
        // The same weights and greedy decoding: the same text in both columns.
        QCOMPARE(page.columns().at(0)->text(), page.columns().at(1)->text());
        QVERIFY(generate->isEnabled());
    }

    void cancels()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("b.ini")));
        settings.addKnownModel(m_model);
        PlaygroundPage page(&settings);
        const QString slow = test::writeScript(m_dir.filePath(QStringLiteral("slow.sh")),
                                               "echo '{\"event\":\"token\",\"text\":\"Hel\"}'\nsleep 60\n");
        for (GenerationColumn* column : page.columns()) {
            column->process()->setCliPath(slow);
            column->setModel(m_model);
        }
        auto* format = page.findChild<QComboBox*>(QStringLiteral("playgroundTemplate"));
        format->setCurrentIndex(format->findData(QStringLiteral("chatml")));
        page.findChild<QLineEdit*>(QStringLiteral("playgroundSystem"))->setText(QStringLiteral("Be brief."));
        page.findChild<QPlainTextEdit*>(QStringLiteral("playgroundPrompt"))->setPlainText(QStringLiteral("Hi"));
        page.generate();
        QTRY_VERIFY_WITH_TIMEOUT(page.columns().at(0)->text() == QLatin1String("Hel"), 10000);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("cancelGeneration")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isGenerating(), 10000);
        QCOMPARE(page.columns().at(0)->findChild<QLabel*>(QStringLiteral("columnStatus"))->text(),
                 QStringLiteral("Cancelled."));
        // What was seen stays: the cancelled answer is the conversation's first, with its system prompt.
        QCOMPARE(page.columns().at(0)->conversation().size(), size_t(2));
        QCOMPARE(page.columns().at(0)->conversation()[1].content, QStringLiteral("Hel"));
        QCOMPARE(page.columns().at(0)->systemPrompt(), QStringLiteral("Be brief."));
    }
};

QTEST_MAIN(TestPlaygroundPage)
#include "tst_playground_page.moc"
