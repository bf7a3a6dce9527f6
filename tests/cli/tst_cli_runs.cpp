// ftstudio-cli runs ...: runs recorded through RunStore (as the training worker records them) show up in
// list/show/compare; a dead worker shows as interrupted; delete removes the run and its folder.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "contract/run_folder.h"
#include "store/database.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace ft;
using test::CliResult;

namespace {

QJsonObject json(const CliResult& result) { return QJsonDocument::fromJson(result.out).object(); }

qint64 deadPid()
{
    QProcess process;
    process.start(QStringLiteral("/bin/true"));
    process.waitForStarted();
    const qint64 pid = process.processId();
    process.waitForFinished();
    return pid;
}

} // namespace

class TestCliRuns : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_workspace;
    qint64 m_first = 0;
    qint64 m_second = 0;
    qint64 m_dead = 0;
    QString m_firstDir;

    CliResult runs(QStringList args)
    {
        args.prepend(QStringLiteral("runs"));
        args << QStringLiteral("--workspace") << m_workspace;
        return test::runCli(args);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)");
        qputenv("FT_WORKSPACE", QDir(m_dir.path()).filePath(QStringLiteral("default-workspace")).toUtf8());
        m_workspace = QDir(m_dir.path()).filePath(QStringLiteral("ws"));
        const Workspace workspace = Workspace::open(m_workspace);
        RunStore store(workspace.database(), workspace.path());
        MetricStore metrics(workspace.database());

        // Two finished runs that differ in their learning rate and mode, as the worker records them.
        NewRun run;
        run.name = QStringLiteral("baseline");
        run.mode = QStringLiteral("full");
        run.baseModelPath = QStringLiteral("/models/stories260K");
        run.datasetId = 1; // the sample dataset
        run.datasetVersion = 2;
        run.config = {{QStringLiteral("optimizer"),
                       QJsonObject{{QStringLiteral("lr"), 0.001}, {QStringLiteral("weight_decay"), 0.0}}},
                      {QStringLiteral("epochs"), 2}};
        m_firstDir = RunFolder::create(workspace.runsPath(), run.name).path();
        run.runDir = m_firstDir;
        m_first = store.createRun(run);
        store.setStatus(m_first, RunStatus::Running);
        metrics.append(m_first, {{1, QStringLiteral("loss"), 3.0, 0},
                                 {2, QStringLiteral("loss"), 2.5, 0},
                                 {2, QStringLiteral("val_loss"), 2.7, 0}});
        store.addCheckpoint(m_first, 2, QDir(m_firstDir).filePath(QStringLiteral("checkpoints/step-2")), 2.7, true);
        store.finishRun(m_first, RunStatus::Finished, 1024, 2.7);
        QFile(QDir(m_firstDir).filePath(QStringLiteral("config.json"))).open(QIODevice::WriteOnly);

        run.name = QStringLiteral("higher lr");
        run.mode = QStringLiteral("instruction");
        run.config = {{QStringLiteral("optimizer"),
                       QJsonObject{{QStringLiteral("lr"), 0.01}, {QStringLiteral("weight_decay"), 0.0}}},
                      {QStringLiteral("epochs"), 2}};
        run.runDir = RunFolder::create(workspace.runsPath(), run.name).path();
        m_second = store.createRun(run);
        metrics.append(m_second, {{1, QStringLiteral("loss"), 2.9, 0}, {2, QStringLiteral("loss"), 2.0, 0}});
        metrics.recordEvaluation(m_second, QStringLiteral("final"), QStringLiteral("val"), QStringLiteral("perplexity"),
                                 8.5);
        store.finishRun(m_second, RunStatus::Stopped, 2048, 2.2, QStringLiteral("stopped by the user"));

        // A run whose worker died without a word.
        run.name = QStringLiteral("crashed");
        run.runDir.clear();
        m_dead = store.createRun(run);
        QSqlQuery query(workspace.database());
        query.prepare(QStringLiteral("UPDATE runs SET status = 'running', pid = ?, host = ? WHERE id = ?"));
        query.addBindValue(deadPid());
        query.addBindValue(thisHostName());
        query.addBindValue(m_dead);
        QVERIFY(query.exec());
    }

    void everySubcommandHasHelp_data()
    {
        QTest::addColumn<QString>("sub");
        for (const char* sub : {"list", "show", "compare", "delete"})
            QTest::newRow(sub) << QString::fromLatin1(sub);
    }
    void everySubcommandHasHelp()
    {
        QFETCH(QString, sub);
        const CliResult result = test::runCli({QStringLiteral("runs"), sub, QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.contains("Usage:") && result.out.contains("--workspace") && result.out.contains("--json"));
    }

    void listShowsEveryRunAndTheInterruptedOne()
    {
        const CliResult result = runs({QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonArray list = json(result)[QStringLiteral("runs")].toArray();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0][QStringLiteral("id")].toInteger(), m_dead); // newest first
        QCOMPARE(list[0][QStringLiteral("status")].toString(), QStringLiteral("interrupted"));
        QCOMPARE(list[1][QStringLiteral("status")].toString(), QStringLiteral("stopped"));
        QCOMPARE(list[2][QStringLiteral("best_val_loss")].toDouble(), 2.7);
        QCOMPARE(list[2][QStringLiteral("dataset_name")].toString(), QStringLiteral("Sample"));
        const CliResult table = runs({QStringLiteral("list")});
        QVERIFY(table.out.contains("baseline") && table.out.contains("interrupted") && table.out.contains("Sample v2"));
        QCOMPARE(json(runs({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("finished"),
                            QStringLiteral("--json")}))[QStringLiteral("runs")]
                     .toArray()
                     .size(),
                 1);
    }

    void show()
    {
        const QJsonObject run =
            json(runs({QStringLiteral("show"), QStringLiteral("baseline"), QStringLiteral("--json")}));
        QCOMPARE(run[QStringLiteral("id")].toInteger(), m_first);
        QCOMPARE(run[QStringLiteral("final_metrics")][QStringLiteral("loss")][QStringLiteral("value")].toDouble(), 2.5);
        QCOMPARE(run[QStringLiteral("checkpoints")].toArray().size(), 1);
        QVERIFY(run[QStringLiteral("checkpoints")][0][QStringLiteral("best")].toBool());
        QCOMPARE(run[QStringLiteral("config")][QStringLiteral("optimizer")][QStringLiteral("lr")].toDouble(), 0.001);
        const CliResult text = runs({QStringLiteral("show"), QString::number(m_second)});
        QVERIFY(text.out.contains("stopped by the user") && text.out.contains("perplexity"));
        QCOMPARE(runs({QStringLiteral("show"), QStringLiteral("no such run")}).exitCode, 1);
    }

    void compareShowsWhatDiffers()
    {
        const CliResult result = runs({QStringLiteral("compare"), QString::number(m_first), QStringLiteral("higher lr"),
                                       QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject compared = json(result);
        QStringList keys;
        for (const QJsonValue& row : compared[QStringLiteral("differences")].toArray())
            keys << row[QStringLiteral("key")].toString();
        QCOMPARE(keys, (QStringList{QStringLiteral("config.optimizer.lr"),
                                    QStringLiteral("mode")})); // epochs and decay are equal
        const QJsonArray differences = compared[QStringLiteral("differences")].toArray();
        QCOMPARE(differences[0][QStringLiteral("values")].toArray()[1].toString(), QStringLiteral("0.01"));
        bool sawLoss = false;
        for (const QJsonValue& row : compared[QStringLiteral("final")].toArray()) {
            if (row[QStringLiteral("key")].toString() == QLatin1String("loss")) {
                sawLoss = true;
                QCOMPARE(row[QStringLiteral("values")].toArray()[0].toString(), QStringLiteral("2.5 @2"));
                QCOMPARE(row[QStringLiteral("values")].toArray()[1].toString(), QStringLiteral("2 @2"));
            }
        }
        QVERIFY(sawLoss);
        const CliResult table = runs({QStringLiteral("compare"), QString::number(m_first), QString::number(m_second)});
        QVERIFY(table.out.contains("config.optimizer.lr") && table.out.contains("best_val_loss"));
        QCOMPARE(runs({QStringLiteral("compare"), QString::number(m_first)}).exitCode, 2);
    }

    void deleteRemovesTheFolder()
    {
        QCOMPARE(runs({QStringLiteral("delete"), QString::number(m_first)}).exitCode, 2); // asks first
        QVERIFY(QFileInfo::exists(m_firstDir));
        const CliResult deleted = runs(
            {QStringLiteral("delete"), QString::number(m_first), QStringLiteral("--yes"), QStringLiteral("--json")});
        QVERIFY2(deleted.exitCode == 0, deleted.err.constData());
        QVERIFY(json(deleted)[QStringLiteral("folder_removed")].toBool());
        QVERIFY(!QFileInfo::exists(m_firstDir));
        QCOMPARE(
            json(runs({QStringLiteral("list"), QStringLiteral("--json")}))[QStringLiteral("runs")].toArray().size(), 2);
        const CliResult again = runs({QStringLiteral("show"), QString::number(m_first)});
        QCOMPARE(again.exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(TestCliRuns)
#include "tst_cli_runs.moc"
