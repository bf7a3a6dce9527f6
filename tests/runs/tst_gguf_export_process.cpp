// GgufExportProcess with the real ftstudio-cli on the tiny starter model: an export reports progress up to
// its total and ends "finished" with the file and Modelfile written; a cancelled one ends "cancelled" and
// leaves no file; a bad source ends "failed" naming it; the estimates the dialog shows parse from
// `export --estimate --json`.

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "runs/cli_task.h"
#include "runs/gguf_export_process.h"
#include "support/test_support.h"

using namespace ft;

class TestGgufExportProcess : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_model;
    QString m_small; // the small preset (24 MiB at F32): long enough an export that a cancel always lands

    GgufExportEnd runToEnd(GgufExportProcess& process, const GgufExportRequest& request, bool cancelAtOnce = false)
    {
        QSignalSpy ended(&process, &GgufExportProcess::ended);
        process.start(request);
        if (cancelAtOnce)
            process.cancel();
        if (!ended.wait(120000))
            return {};
        return ended.first().first().value<GgufExportEnd>();
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<GgufExportEnd>();
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
        m_small = test::makeStarterModel(m_dir.filePath(QStringLiteral("small")), QStringLiteral("small"), &error);
        QVERIFY2(!m_small.isEmpty(), qPrintable(error));
    }

    void exportsWithProgressAndAModelfile()
    {
        GgufExportProcess process;
        process.setCliPath(test::cliPath());
        QSignalSpy progress(&process, &GgufExportProcess::progress);
        GgufExportRequest request;
        request.source = m_model;
        request.outPath = m_dir.filePath(QStringLiteral("out/tiny-q8_0.gguf"));
        request.type = QStringLiteral("q8_0");
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("out"))));
        const GgufExportEnd end = runToEnd(process, request);
        QCOMPARE(end.status, QStringLiteral("finished"));
        QCOMPARE(end.path, QFileInfo(request.outPath).absoluteFilePath());
        QCOMPARE(end.bytes, QFileInfo(request.outPath).size());
        QVERIFY(QFile::exists(end.modelfile));
        QVERIFY2(end.message.contains(QStringLiteral("Q8_0")), qPrintable(end.message));
        QVERIFY(!progress.isEmpty());
        const QList<QVariant> last = progress.last();
        QCOMPARE(last.at(0).toLongLong(), last.at(1).toLongLong()); // the last report is the whole
        QVERIFY(!process.isRunning());
    }

    void cancelledExportLeavesNoFile()
    {
        GgufExportProcess process;
        process.setCliPath(test::cliPath());
        GgufExportRequest request;
        request.source = m_small;
        request.outPath = m_dir.filePath(QStringLiteral("cancelled.gguf"));
        request.type = QStringLiteral("f32");
        request.modelfile = false;
        const GgufExportEnd end = runToEnd(process, request, /*cancelAtOnce=*/true);
        QCOMPARE(end.status, QStringLiteral("cancelled"));
        QVERIFY2(end.message.contains(QStringLiteral("nothing was written")), qPrintable(end.message));
        QVERIFY(!QFile::exists(request.outPath));
    }

    void aBadSourceFailsNamingIt()
    {
        GgufExportProcess process;
        process.setCliPath(test::cliPath());
        GgufExportRequest request;
        request.source = m_dir.filePath(QStringLiteral("no-such-model"));
        request.workspace = m_dir.filePath(QStringLiteral("ws"));
        request.outPath = m_dir.filePath(QStringLiteral("bad.gguf"));
        const GgufExportEnd end = runToEnd(process, request);
        QCOMPARE(end.status, QStringLiteral("failed"));
        QVERIFY2(end.message.contains(QStringLiteral("no-such-model")), qPrintable(end.message));
        QVERIFY(!QFile::exists(request.outPath));

        GgufExportProcess missing;
        missing.setCliPath(QString());
        QCOMPARE(runToEnd(missing, request).status, QStringLiteral("failed"));
    }

    void estimatesParseFromTheCli()
    {
        CliTask task;
        task.setCliPath(test::cliPath());
        QSignalSpy done(&task, &CliTask::done);
        GgufExportRequest request;
        request.source = m_model;
        task.start(request.estimateArguments());
        QVERIFY(done.wait(60000));
        const CliTaskResult result = done.first().first().value<CliTaskResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        const QMap<QString, qint64> sizes = parseGgufEstimates(result.out);
        for (const char* type : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K_M"})
            QVERIFY2(sizes.value(QLatin1String(type)) > 0, type);
        QVERIFY(sizes.value(QStringLiteral("F32")) > sizes.value(QStringLiteral("F16")));
        QVERIFY(sizes.value(QStringLiteral("F16")) > sizes.value(QStringLiteral("Q8_0")));
        QVERIFY(parseGgufEstimates("not json").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestGgufExportProcess)
#include "tst_gguf_export_process.moc"
