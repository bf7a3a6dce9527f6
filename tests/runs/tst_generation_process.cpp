// GenerationProcess: the command line it builds; streaming from the real worker (the pieces add up
// to the final text); cancel; a failure with the worker's own message.

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "common/error.h"
#include "runs/generation_process.h"
#include "support/test_support.h"

using namespace ft;

class TestGenerationProcess : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;

private slots:
    void initTestCase()
    {
        qRegisterMetaType<GenerationResult>();
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("model")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
    }

    void buildsTheCommandLine()
    {
        GenerationRequest r;
        r.model = QStringLiteral("/m");
        r.prompt = QStringLiteral("Hello");
        r.greedy = true;
        r.maxTokens = 12;
        r.promptTemplate = QStringLiteral("alpaca");
        r.system = QStringLiteral("Be brief.");
        r.threads = 2;
        const QStringList args = r.arguments();
        QCOMPARE(args.mid(0, 2), (QStringList{QStringLiteral("generate"), QStringLiteral("/m")}));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--prompt")) + 1), QStringLiteral("Hello"));
        QVERIFY(!args.contains(QStringLiteral("--conversation")) && !args.contains(QStringLiteral("--checkpoint")));
        QVERIFY(r.standardInput().isEmpty());
        QVERIFY(args.contains(QStringLiteral("--greedy")));
        QVERIFY(!args.contains(QStringLiteral("--temperature")));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--template")) + 1), QStringLiteral("alpaca"));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--system")) + 1), QStringLiteral("Be brief."));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--max-tokens")) + 1), QStringLiteral("12"));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--threads")) + 1), QStringLiteral("2"));
        r.greedy = false;
        r.promptTemplate.clear();
        const QStringList sampled = r.arguments();
        QVERIFY(sampled.contains(QStringLiteral("--temperature")) && sampled.contains(QStringLiteral("--top-p")));
        // No template is said explicitly: a run folder would otherwise use the run's own.
        QCOMPARE(sampled.at(sampled.indexOf(QStringLiteral("--template")) + 1), QStringLiteral("none"));
        QVERIFY(!sampled.contains(QStringLiteral("--system")));
        QVERIFY(!sampled.contains(QStringLiteral("--adapter")));

        // A later message of a chat: the conversation goes on standard input, ending with the new user turn;
        // a run's checkpoint is named.
        r.history = {{ChatTurn::Role::User, QStringLiteral("Hi")}, {ChatTurn::Role::Assistant, QStringLiteral("Hello.")}};
        r.checkpoint = QStringLiteral("best");
        const QStringList chat = r.arguments();
        QVERIFY(!chat.contains(QStringLiteral("--prompt")));
        QCOMPARE(chat.at(chat.indexOf(QStringLiteral("--conversation")) + 1), QStringLiteral("-"));
        QCOMPARE(chat.at(chat.indexOf(QStringLiteral("--checkpoint")) + 1), QStringLiteral("best"));
        const QJsonArray turns = QJsonDocument::fromJson(r.standardInput()).object()[QStringLiteral("turns")].toArray();
        QCOMPARE(turns.size(), 3);
        QCOMPARE(turns[1].toObject()[QStringLiteral("content")].toString(), QStringLiteral("Hello."));
        QCOMPARE(turns[2].toObject()[QStringLiteral("role")].toString(), QStringLiteral("user"));
        QCOMPARE(turns[2].toObject()[QStringLiteral("content")].toString(), QStringLiteral("Hello"));
    }

    void adapterChoiceRunsOnItsBase()
    {
        QTemporaryDir dir;
        GenerationRequest r;
        r.chooseModel(dir.path()); // a model folder: as it is
        QCOMPARE(r.model, dir.path());
        QVERIFY(r.adapter.isEmpty());
        QFile config(dir.filePath(QStringLiteral("adapter_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"peft_type":"LORA","base_model_name_or_path":"/models/base"})");
        config.close();
        r.chooseModel(dir.path());
        QCOMPARE(r.model, QStringLiteral("/models/base"));
        QCOMPARE(r.adapter, dir.path());
        const QStringList args = r.arguments();
        QCOMPARE(args.at(1), QStringLiteral("/models/base"));
        QCOMPARE(args.at(args.indexOf(QStringLiteral("--adapter")) + 1), dir.path());
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(R"({"peft_type":"LORA"})");
        config.close();
        QVERIFY_THROWS_EXCEPTION(Error, r.chooseModel(dir.path()));
    }

    void streamsTheText()
    {
        GenerationProcess process;
        process.setCliPath(test::cliPath());
        QSignalSpy pieces(&process, &GenerationProcess::textArrived);
        QSignalSpy finished(&process, &GenerationProcess::finished);
        QSignalSpy failed(&process, &GenerationProcess::failed);
        GenerationRequest r;
        r.model = m_model;
        r.prompt = QStringLiteral("Once upon a time");
        r.greedy = true;
        r.maxTokens = 24;
        r.threads = 1;
        process.start(r);
        QVERIFY(process.isRunning());
        QVERIFY(finished.wait(120000));
        QVERIFY(failed.isEmpty());
        const GenerationResult result = finished.first().at(0).value<GenerationResult>();
        QVERIFY(result.newTokens > 0 && result.newTokens <= 24);
        QString streamed;
        for (const auto& arguments : pieces)
            streamed += arguments.at(0).toString();
        QCOMPARE(streamed, result.text);
        QCOMPARE(process.text(), result.text);
        QVERIFY(!process.isRunning());
    }

    // A chat's later message reaches the real worker through standard input and is answered.
    void answersAConversation()
    {
        GenerationProcess process;
        process.setCliPath(test::cliPath());
        QSignalSpy finished(&process, &GenerationProcess::finished);
        QSignalSpy failed(&process, &GenerationProcess::failed);
        GenerationRequest r;
        r.model = m_model;
        r.history = {{ChatTurn::Role::User, QStringLiteral("Once upon a time")},
                     {ChatTurn::Role::Assistant, QStringLiteral("there was a cat.")}};
        r.prompt = QStringLiteral("What next?");
        r.promptTemplate = QStringLiteral("chatml");
        r.greedy = true;
        r.maxTokens = 8;
        r.threads = 1;
        process.start(r);
        QVERIFY(finished.wait(120000) || !failed.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        QVERIFY(finished.first().at(0).value<GenerationResult>().newTokens > 0);
    }

    void cancels()
    {
        const QString slow = test::writeScript(m_dir.filePath(QStringLiteral("slow.sh")),
                                               "echo '{\"event\":\"token\",\"text\":\"Hel\"}'\nsleep 60\n");
        GenerationProcess process;
        process.setCliPath(slow);
        QSignalSpy pieces(&process, &GenerationProcess::textArrived);
        QSignalSpy cancelled(&process, &GenerationProcess::cancelled);
        process.start({});
        QVERIFY(pieces.wait(10000));
        QCOMPARE(pieces.first().at(0).toString(), QStringLiteral("Hel"));
        process.cancel();
        QVERIFY(cancelled.wait(10000));
        QVERIFY(!process.isRunning());
    }

    void reportsTheWorkersError()
    {
        GenerationProcess process;
        process.setCliPath(test::cliPath());
        QSignalSpy failed(&process, &GenerationProcess::failed);
        GenerationRequest r;
        r.model = m_dir.filePath(QStringLiteral("no-such-model"));
        r.maxTokens = 4;
        process.start(r);
        QVERIFY(failed.wait(60000));
        const QString message = failed.first().at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("no-such-model")), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestGenerationProcess)
#include "tst_generation_process.moc"
