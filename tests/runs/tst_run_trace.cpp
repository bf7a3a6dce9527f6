// A run's accumulated events: order of steps, the best evaluation, the log, and reading events.jsonl
// back (bad lines skipped and counted).

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "runs/run_trace.h"

using namespace ft;

namespace {

StepPoint point(qint64 step, double loss)
{
    StepPoint p;
    p.step = step;
    p.loss = loss;
    p.tokens = step * 10;
    return p;
}

} // namespace

class TestRunTrace : public QObject {
    Q_OBJECT
private slots:
    void keepsStepsInOrder()
    {
        RunTrace trace;
        trace.appendSteps({point(1, 3.0), point(2, 2.5), point(3, 2.0)});
        trace.appendSteps({point(2, 9.0)}); // a restarted stream replaces what follows
        QCOMPARE(trace.steps.size(), 2);
        QCOMPARE(trace.steps.last().loss, 9.0);
        QVERIFY(trace.stepAt(2));
        QVERIFY(!trace.stepAt(3));
    }
    void bestEvalAndLog()
    {
        RunTrace trace;
        trace.apply(EvalPoint{10, 2.0, 7.4, 2.0, true});
        trace.apply(EvalPoint{20, 1.5, 4.5, 1.5, true});
        trace.apply(EvalPoint{30, 1.7, 5.5, 1.5, false});
        QCOMPARE(trace.bestEval()->step, 20);
        QCOMPARE(trace.logTotal, 3);
        QVERIFY(trace.log.last().contains(QStringLiteral("validation loss 1.7000")));
        RunEndInfo end;
        end.status = QStringLiteral("failed");
        end.message = QStringLiteral("LoRA is not supported");
        trace.apply(end);
        QVERIFY(trace.hasEnd);
        QVERIFY(trace.log.last().contains(QStringLiteral("failed: LoRA is not supported")));
        for (int i = 0; i < RunTrace::kMaxLogLines + 10; ++i)
            trace.appendLog(QStringLiteral("info"), QString::number(i));
        QCOMPARE(trace.log.size(), RunTrace::kMaxLogLines);
        QCOMPARE(trace.logTotal, RunTrace::kMaxLogLines + 14);
    }
    // A run stopped and resumed is one trace: the steps of both sessions in order, the step where the
    // second took over, and the second's ending (the first's "stopped" no longer counts once it starts).
    void aResumedRunIsOneTrace()
    {
        RunTrace trace;
        RunStartInfo first;
        first.totalSteps = 8;
        trace.apply(first);
        trace.appendSteps({point(1, 3.0), point(2, 2.5), point(3, 2.0), point(4, 1.0)});
        trace.apply(CheckpointPoint{3, QStringLiteral("/c/3"), false, 2.0});
        trace.apply(EvalPoint{4, 0.5, 1.6, 0.5, true}); // after the checkpoint: lost with the session
        RunEndInfo stopped;
        stopped.status = QStringLiteral("stopped");
        trace.apply(stopped);
        QVERIFY(trace.hasEnd);
        RunStartInfo second = first;
        second.resumedFromStep = 3;
        trace.apply(second);
        QVERIFY(!trace.hasEnd);
        QCOMPARE(trace.resumes, QVector<qint64>{3});
        QVERIFY(trace.evals.isEmpty()); // the lost session's evaluation is not the run's best
        QCOMPARE(trace.checkpoints.size(), 1);
        trace.appendSteps({point(4, 1.9), point(5, 1.8)});
        QCOMPARE(trace.steps.size(), 5);
        QCOMPARE(trace.steps.first().step, 1);
        RunStartInfo restarted = first; // resumed from step 0 (killed before its first checkpoint): no mark
        restarted.resumedFromStep = 0;
        trace.apply(restarted);
        QCOMPARE(trace.resumes.size(), 1);
    }

    void loadsEventLogSkippingBadLines()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"event":"started","run_dir":"/r","total_steps":3})"
                   "\n");
        file.write(R"({"event":"step","step":1,"loss":2})"
                   "\n");
        file.write("garbage\n");
        file.write(R"({"event":"step","step":2,"loss":1.5})"
                   "\n");
        file.write(R"({"event":"eval","step":2,"val_loss":1.4,"is_best":true})"
                   "\n");
        file.write(R"({"event":"checkpoint","step":2,"path":"/c"})"
                   "\n");
        file.write(R"({"event":"finished","step":2,"message":"done"})"); // no final newline
        file.close();
        int skipped = -1;
        const RunTrace trace = RunTrace::loadEventLog(path, &skipped);
        QCOMPARE(skipped, 1);
        QCOMPARE(trace.steps.size(), 2);
        QCOMPARE(trace.evals.size(), 1);
        QCOMPARE(trace.checkpoints.size(), 1);
        QVERIFY(trace.hasEnd);
        QCOMPARE(trace.end.status, QStringLiteral("finished"));
        QCOMPARE(trace.totalSteps(), 3);
    }
    void refusesFilesWithoutEvents()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("events.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("nothing useful\n");
        file.close();
        QVERIFY_THROWS_EXCEPTION(Error, RunTrace::loadEventLog(path));
        QVERIFY_THROWS_EXCEPTION(Error, RunTrace::loadEventLog(dir.filePath(QStringLiteral("missing.jsonl"))));
    }
};

QTEST_APPLESS_MAIN(TestRunTrace)
#include "tst_run_trace.moc"
