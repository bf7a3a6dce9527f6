// EvalProcess against fake eval workers: the arguments it passes, progress, the result and summary,
// cancellation with `stop`, and a worker that dies without a final event. The real worker is driven
// by tests/ui/tst_evaluation_flow.cpp.

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "fake_eval_workers.h"
#include "runs/eval_process.h"
#include "support/test_support.h"

using namespace ft;

class TestEvalProcess : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<EvalEnd>(); }

    void argumentsNameRunWorkspaceAndOptions()
    {
        EvalRequest request;
        request.workspace = QStringLiteral("/ws");
        request.runId = 7;
        request.checkpoint = QStringLiteral("best");
        request.base = true;
        request.limit = 5;
        QCOMPARE(request.arguments(),
                 (QStringList{QStringLiteral("eval"), QStringLiteral("7"), QStringLiteral("--workspace"),
                              QStringLiteral("/ws"), QStringLiteral("--checkpoint"), QStringLiteral("best"),
                              QStringLiteral("--base"), QStringLiteral("--limit"), QStringLiteral("5")}));
    }

    void reportsProgressResultAndSummary()
    {
        QTemporaryDir dir;
        EvalProcess process;
        process.setCliPath(test::writeScript(dir.filePath(QStringLiteral("eval.sh")), test::kFinishingEvalWorker));
        QSignalSpy progress(&process, &EvalProcess::progress);
        QSignalSpy result(&process, &EvalProcess::result);
        QSignalSpy ended(&process, &EvalProcess::ended);
        EvalRequest request;
        request.workspace = dir.path();
        request.runId = 1;
        process.start(request);
        QVERIFY(process.isRunning());
        QVERIFY(ended.wait(10000));
        QVERIFY(!process.isRunning());
        QCOMPARE(progress.size(), 2);
        QCOMPARE(progress.last().at(1).toString(), QStringLiteral("generation"));
        QCOMPARE(progress.last().at(2).toLongLong(), 2);
        QCOMPARE(result.size(), 1);
        const EvalEnd end = ended.first().first().value<EvalEnd>();
        QCOMPARE(end.status, QStringLiteral("finished"));
        QVERIFY2(end.message.contains(QStringLiteral("rouge-l 0.500")), qPrintable(end.message));
        QFile args(dir.filePath(QStringLiteral("args.txt")));
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(args.readAll().trimmed(),
                 QStringLiteral("eval 1 --workspace %1 --checkpoint final --events jsonl").arg(dir.path()).toUtf8());
    }

    void cancelSendsStop()
    {
        QTemporaryDir dir;
        EvalProcess process;
        process.setCliPath(test::writeScript(dir.filePath(QStringLiteral("eval.sh")), test::kStoppableEvalWorker));
        QSignalSpy progress(&process, &EvalProcess::progress);
        QSignalSpy ended(&process, &EvalProcess::ended);
        process.start({});
        QVERIFY(progress.wait(5000));
        process.cancel();
        QVERIFY(ended.wait(5000));
        const EvalEnd end = ended.first().first().value<EvalEnd>();
        QCOMPARE(end.status, QStringLiteral("cancelled"));
        QVERIFY(end.message.contains(QStringLiteral("nothing was stored")));
    }

    void workerDyingWithoutFinalEventFails()
    {
        QTemporaryDir dir;
        EvalProcess process;
        process.setCliPath(test::writeScript(dir.filePath(QStringLiteral("eval.sh")), test::kCrashingEvalWorker));
        QSignalSpy ended(&process, &EvalProcess::ended);
        process.start({});
        QVERIFY(ended.wait(5000));
        const EvalEnd end = ended.first().first().value<EvalEnd>();
        QCOMPARE(end.status, QStringLiteral("failed"));
        QVERIFY2(end.message.contains(QStringLiteral("exit status 1")) &&
                     end.message.contains(QStringLiteral("no such checkpoint")),
                 qPrintable(end.message));
    }
};

QTEST_GUILESS_MAIN(TestEvalProcess)
#include "tst_eval_process.moc"
