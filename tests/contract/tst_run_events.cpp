// The worker's event lines as hostile input: every kind parses into its typed value; garbage, wrong
// types, cut-off and over-long lines are refused without crashing.

#include <QTest>

#include "runs/run_events.h"

using namespace ft;

class TestRunEvents : public QObject {
    Q_OBJECT
private slots:
    void parsesEveryEvent()
    {
        auto started = parseWorkerEvent(
            R"({"event":"started","time":"t","run_dir":"/r","config":{"learning_rate":0.1},"parameters":{"total":100,"trainable":40},"train_examples":9,"val_examples":1,"truncated_examples":2,"tokens_per_epoch":512,"total_steps":7,"resumed_from_step":-1})");
        QVERIFY(started);
        const auto& s = std::get<RunStartInfo>(*started);
        QCOMPARE(s.runDir, QStringLiteral("/r"));
        QCOMPARE(s.totalParameters, 100);
        QCOMPARE(s.trainableParameters, 40);
        QCOMPARE(s.totalSteps, 7);
        QCOMPARE(s.truncatedExamples, 2);
        QCOMPARE(s.config.value(QStringLiteral("learning_rate")).toDouble(), 0.1);

        auto step = parseWorkerEvent(
            R"({"event":"step","step":3,"total_steps":7,"epoch":0.5,"loss":2.5,"lr":0.001,"grad_norm":1.5,"tokens":300,"tokens_per_second":1000,"elapsed":1.5,"eta":2})");
        QVERIFY(step);
        const auto& p = std::get<StepPoint>(*step);
        QCOMPARE(p.step, 3);
        QCOMPARE(p.loss, 2.5);
        QCOMPARE(p.learningRate, 0.001);
        QCOMPARE(p.tokens, 300);
        QCOMPARE(p.eta, 2.0);

        auto eval = parseWorkerEvent(
            R"({"event":"eval","step":3,"val_loss":2.0,"perplexity":7.39,"best_val_loss":2.0,"is_best":true})");
        QVERIFY(eval && std::get<EvalPoint>(*eval).isBest);
        auto sample = parseWorkerEvent(R"({"event":"sample","step":3,"prompt":"p","reference":"r","text":"t"})");
        QCOMPARE(std::get<SamplePoint>(*sample).text, QStringLiteral("t"));
        auto checkpoint = parseWorkerEvent(R"({"event":"checkpoint","step":3,"path":"/c","best":true})");
        QVERIFY(checkpoint && std::isnan(std::get<CheckpointPoint>(*checkpoint).valLoss));
        auto log = parseWorkerEvent(R"({"event":"log","level":"warning","message":"careful"})");
        QCOMPARE(std::get<LogEvent>(*log).level, QStringLiteral("warning"));
        QVERIFY(std::get<PausedEvent>(*parseWorkerEvent(R"({"event":"paused"})")).paused);
        QVERIFY(!std::get<PausedEvent>(*parseWorkerEvent(R"({"event":"resumed"})")).paused);
        for (const char* name : {"finished", "stopped", "diverged", "failed"}) {
            auto end = parseWorkerEvent(QByteArray("{\"event\":\"") + name +
                                        "\",\"message\":\"m\",\"step\":5,\"export\":\"/e\"}");
            QVERIFY2(end, name);
            QCOMPARE(std::get<RunEndInfo>(*end).status, QString::fromLatin1(name));
            QVERIFY(std::get<RunEndInfo>(*end).reportedByWorker);
        }
    }
    void missingNumbersAreNaN()
    {
        // JSON has no NaN: a worker writes null for it.
        auto step = parseWorkerEvent(R"({"event":"step","step":1,"loss":null})");
        QVERIFY(step);
        QVERIFY(std::isnan(std::get<StepPoint>(*step).loss));
        QVERIFY(std::isnan(std::get<StepPoint>(*step).gradNorm));
    }
    void refusesHostileLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("garbage") << QByteArray("\x01\x02 not json at all \xff") << "not JSON";
        QTest::newRow("cut off") << QByteArray(R"({"event":"step","step":1,"lo)") << "not JSON";
        QTest::newRow("array") << QByteArray("[1,2,3]") << "not a JSON object";
        QTest::newRow("no name") << QByteArray(R"({"step":1})") << "no \"event\"";
        QTest::newRow("unknown") << QByteArray(R"({"event":"explode"})") << "unknown event";
        QTest::newRow("step as text") << QByteArray(R"({"event":"step","step":"three"})")
                                      << "\"step\" is not an integer";
        QTest::newRow("fractional step") << QByteArray(R"({"event":"step","step":1.5})")
                                         << "\"step\" is not an integer";
        QTest::newRow("huge step") << QByteArray(R"({"event":"step","step":1e300})") << "\"step\" is not an integer";
        QTest::newRow("no step") << QByteArray(R"({"event":"step","loss":1})") << "no step number";
        QTest::newRow("loss as text") << QByteArray(R"({"event":"step","step":1,"loss":"low"})")
                                      << "\"loss\" is not a number";
        QTest::newRow("best as number") << QByteArray(R"({"event":"eval","step":1,"is_best":1})")
                                        << "\"is_best\" is not true or false";
        QTest::newRow("config as list") << QByteArray(R"({"event":"started","config":[]})")
                                        << "\"config\" is not an object";
        QTest::newRow("parameters wrong")
            << QByteArray(R"({"event":"started","parameters":{"total":"many"}})") << "parameters";
        QTest::newRow("message as object")
            << QByteArray(R"({"event":"failed","message":{}})") << "\"message\" is not a string";
        QTest::newRow("interrupted is not a worker event")
            << QByteArray(R"({"event":"interrupted"})") << "unknown event";
    }
    void refusesHostileLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, reason);
        QString error;
        QVERIFY(!parseWorkerEvent(line, &error));
        QVERIFY2(error.contains(reason), qPrintable(error));
    }
    void longTextIsCut()
    {
        const QByteArray text(kMaxEventTextChars + 100, 'a');
        auto log = parseWorkerEvent(R"({"event":"log","message":")" + text + R"("})");
        QVERIFY(log);
        QVERIFY(std::get<LogEvent>(*log).message.size() < kMaxEventTextChars + 20);
        QVERIFY(std::get<LogEvent>(*log).message.endsWith(QStringLiteral("[... cut]")));
    }
    void splitterJoinsPartialLines()
    {
        LineSplitter splitter;
        QVERIFY(splitter.feed("{\"a\":").isEmpty());
        QVERIFY(splitter.feed("1").isEmpty());
        const QList<QByteArray> lines = splitter.feed("}\r\n\n{\"b\":2}\n{\"c\"");
        QCOMPARE(lines, (QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"})); // CR stripped, blank line skipped
        QCOMPARE(splitter.takeRest(), QByteArray("{\"c\""));
        QVERIFY(splitter.takeRest().isEmpty());
    }
    void splitterDropsOverlongLines()
    {
        LineSplitter splitter(64);
        QVERIFY(splitter.feed(QByteArray(40, 'x')).isEmpty());
        QVERIFY(splitter.feed(QByteArray(40, 'y')).isEmpty());   // over the limit: dropped so far
        QVERIFY(splitter.feed(QByteArray(1000, 'z')).isEmpty()); // still the same line: nothing kept
        const QList<QByteArray> lines = splitter.feed("tail of the long line\nnext\n");
        QCOMPARE(lines, QList<QByteArray>{"next"});
        QCOMPARE(splitter.droppedLines(), 1);
        // One chunk holding a long line between two good ones.
        const QList<QByteArray> more = splitter.feed("a\n" + QByteArray(200, 'q') + "\nb\n");
        QCOMPARE(more, (QList<QByteArray>{"a", "b"}));
        QCOMPARE(splitter.droppedLines(), 2);
    }
};

QTEST_APPLESS_MAIN(TestRunEvents)
#include "tst_run_events.moc"
