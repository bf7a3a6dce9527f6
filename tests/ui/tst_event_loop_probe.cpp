// EventLoopProbe tells a GUI thread that froze from a machine that paused: a slot that sleeps on the
// GUI thread (as waiting on a worker would) shows as the loop's own lateness and uses no CPU; a slot
// that computes shows as CPU time; the whole process stopped (SIGSTOP, resumed by another process)
// makes every tick late, but none of it is the loop's own.

#include <QProcess>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <unistd.h>

#include "event_loop_probe.h"
#include "thread_cpu_time.h"

using namespace ft::ui;

class TestEventLoopProbe : public QObject {
    Q_OBJECT
private slots:
    void quietLoopIsNeverLateByMuch()
    {
        EventLoopProbe probe(10);
        probe.start();
        QTest::qWait(300);
        probe.stop();
        QVERIFY2(probe.samples() >= 5, qPrintable(probe.summary()));
        QVERIFY2(probe.maxBusyMs() < 100.0, qPrintable(probe.summary()));
    }
    void waitingOnTheGuiThreadIsItsOwnLateness()
    {
        EventLoopProbe probe(10);
        probe.start();
        bool waited = false;
        QTimer::singleShot(50, [&waited] {
            QThread::msleep(900); // blocked, as on a worker's result
            waited = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(waited, 20000);
        QTest::qWait(100);
        probe.stop();
        qInfo("%s", qPrintable(probe.summary()));
        QVERIFY2(probe.maxDelayMs() >= 600.0, qPrintable(probe.summary()));
        QVERIFY2(probe.maxOwnDelayMs() >= 600.0, qPrintable(probe.summary())); // the sleeping thread woke meanwhile
        QVERIFY2(probe.maxBusyMs() < 300.0, qPrintable(probe.summary()));      // and it cost no CPU
    }
    void computingOnTheGuiThreadIsBusyTime()
    {
        EventLoopProbe probe(10);
        probe.start();
        bool computed = false;
        QTimer::singleShot(50, [&computed] {
            const double until = threadCpuMs() + 400.0;
            volatile double sink = 0;
            while (threadCpuMs() < until)
                for (int i = 0; i < 10000; ++i)
                    sink = sink + i;
            computed = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(computed, 20000);
        QTest::qWait(100); // ticks after the computation: the first of them measures it
        probe.stop();
        QVERIFY2(probe.maxBusyMs() >= 400.0, qPrintable(probe.summary()));
    }
    void aPausedProcessIsNotTheLoopsLateness()
    {
        EventLoopProbe probe(10);
        probe.start();
        QTest::qWait(100);
        // Another process resumes this one 800 ms after it stops itself: every thread is paused.
        QProcess resumer;
        resumer.start(QStringLiteral("/bin/sh"),
                      {QStringLiteral("-c"), QStringLiteral("sleep 0.8; kill -CONT %1").arg(getpid())});
        QVERIFY(resumer.waitForStarted());
        QTimer::singleShot(0, [] { ::raise(SIGSTOP); });
        QTRY_VERIFY_WITH_TIMEOUT(resumer.state() == QProcess::NotRunning, 10000);
        QTest::qWait(100); // ticks after the pause: the first of them measures it
        probe.stop();
        QCOMPARE(resumer.exitCode(), 0);
        qInfo("%s", qPrintable(probe.summary()));
        QVERIFY2(probe.maxDelayMs() >= 600.0, qPrintable(probe.summary()));
        QVERIFY2(probe.maxOwnDelayMs() < 300.0, qPrintable(probe.summary()));
    }
};

QTEST_MAIN(TestEventLoopProbe)
#include "tst_event_loop_probe.moc"
