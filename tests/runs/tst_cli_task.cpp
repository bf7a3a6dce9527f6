// CliTask: the starter model created in the background (the GUI's first start), a failing command
// reported with its stderr, and reading the sgemm benchmark's JSON.

#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "runs/cli_task.h"
#include "support/test_support.h"

using namespace ft;

class TestCliTask : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<CliTaskResult>(); }

    void createsTheStarterModel()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("models/starter-tiny"));
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("models"))));
        CliTask task;
        task.setCliPath(test::cliPath());
        QSignalSpy done(&task, &CliTask::done);
        task.start(CliTask::starterModelArguments(out));
        QVERIFY(task.isRunning()); // it runs in the background; the caller's thread is free
        QVERIFY(done.wait(180000));
        const CliTaskResult result = done.first().at(0).value<CliTaskResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        for (const char* file : {"config.json", "model.safetensors", "tokenizer.model"})
            QVERIFY2(QFileInfo::exists(QDir(out).filePath(QLatin1String(file))), file);
    }

    void reportsFailures()
    {
        CliTask task;
        task.setCliPath(test::cliPath());
        QSignalSpy done(&task, &CliTask::done);
        task.start({QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                    QStringLiteral("enormous"), QStringLiteral("/tmp/never")});
        QVERIFY(done.wait(60000));
        const CliTaskResult result = done.first().at(0).value<CliTaskResult>();
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains(QStringLiteral("enormous")), qPrintable(result.message));
    }

    void readsTheSgemmFigure()
    {
        QCOMPARE(CliTask::parseSgemmGflops(R"({"sgemm_gflops": 42.5, "threads": 2})"
                                           "\n"),
                 42.5);
        QVERIFY(std::isnan(CliTask::parseSgemmGflops("not json")));
        QVERIFY(std::isnan(CliTask::parseSgemmGflops(R"({"sgemm_gflops": -1})")));
        QCOMPARE(CliTask::parseBf16Gflops(R"({"sgemm_gflops": 42.5, "bf16_gflops": 300.25})"), 300.25);
        QVERIFY(std::isnan(CliTask::parseBf16Gflops(R"({"sgemm_gflops": 42.5})"))); // an older CLI
        QVERIFY(CliTask::sgemmBenchArguments(3).contains(QStringLiteral("--json")));
        QCOMPARE(CliTask::sgemmBenchArguments(3).last(), QStringLiteral("3"));
    }

    void measuresThisMachine()
    {
        CliTask task;
        task.setCliPath(test::cliPath());
        QSignalSpy done(&task, &CliTask::done);
        task.start(CliTask::sgemmBenchArguments(1));
        QVERIFY(done.wait(120000));
        const CliTaskResult result = done.first().at(0).value<CliTaskResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        const double gflops = CliTask::parseSgemmGflops(result.out);
        QVERIFY2(gflops > 0.1, result.out.constData());
        // bf16 products are timed too (emulated, and slow, where the CPU lacks bf16 instructions).
        const double bf16 = CliTask::parseBf16Gflops(result.out);
        QVERIFY2(bf16 > 0.01, result.out.constData());
        qInfo("on 1 thread: sgemm %.1f GFLOP/s, bf16 %.1f GFLOP/s", gflops, bf16);
    }
};

QTEST_GUILESS_MAIN(TestCliTask)
#include "tst_cli_task.moc"
