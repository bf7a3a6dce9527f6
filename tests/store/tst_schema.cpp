// Migrations: from an empty file and from every older version up to the current one, keeping data;
// a failing step rolls back and leaves the database at its old version.

#include <QDir>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/schema.h"
#include "store_test_support.h"

using namespace ft;

namespace {

QStringList schemaObjects(QSqlDatabase db)
{
    QSqlQuery query(db);
    query.exec(QStringLiteral("SELECT type || ':' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                              "AND name NOT IN ('examples_fts_data', 'examples_fts_idx', 'examples_fts_docsize', "
                              "'examples_fts_config') ORDER BY 1"));
    QStringList names;
    while (query.next())
        names << query.value(0).toString();
    return names;
}

const QStringList kCurrentObjects = {
    QStringLiteral("index:evaluation_outputs_base"),
    QStringLiteral("index:evaluation_outputs_run"),
    QStringLiteral("index:evaluations_run"),
    QStringLiteral("index:evaluations_run_checkpoint"),
    QStringLiteral("index:examples_dataset_position"),
    QStringLiteral("index:examples_dataset_split"),
    QStringLiteral("index:ratings_run_a"),
    QStringLiteral("index:ratings_run_b"),
    QStringLiteral("index:runs_status"),
    QStringLiteral("table:base_evaluations"),
    QStringLiteral("table:checkpoints"),
    QStringLiteral("table:datasets"),
    QStringLiteral("table:evaluation_outputs"),
    QStringLiteral("table:evaluations"),
    QStringLiteral("table:examples"),
    QStringLiteral("table:examples_fts"),
    QStringLiteral("table:examples_fts_deferred"),
    QStringLiteral("table:metrics"),
    QStringLiteral("table:ratings"),
    QStringLiteral("table:run_evaluations"),
    QStringLiteral("table:runs"),
    QStringLiteral("trigger:examples_fts_delete"),
    QStringLiteral("trigger:examples_fts_insert"),
    QStringLiteral("trigger:examples_fts_update"),
    QStringLiteral("view:examples_fts_source"),
};

} // namespace

class TestSchema : public QObject {
    Q_OBJECT
private slots:
    void fromEmpty()
    {
        test::TempDatabase temp;
        QCOMPARE(schemaVersion(temp.db()), kSchemaVersion);
        QCOMPARE(schemaObjects(temp.db()), kCurrentObjects);
    }

    void fromEachOlderVersion_data()
    {
        QTest::addColumn<int>("from");
        for (int version = 0; version < kSchemaVersion; ++version)
            QTest::newRow(qPrintable(QStringLiteral("version %1").arg(version))) << version;
    }
    void fromEachOlderVersion()
    {
        QFETCH(int, from);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studio.db"));
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            migrateSchema(raw, from);
            QCOMPARE(schemaVersion(raw), from);
            if (from >= 1) { // data written by the older program must survive
                execSql(raw,
                        QStringLiteral("INSERT INTO datasets (id, name, created, modified) VALUES (7, 'old', 1, 1)"));
                execSql(raw,
                        QStringLiteral("INSERT INTO examples (dataset_id, position, instruction, response, created, "
                                       "modified) VALUES (7, 1, 'kept across migrations', 'yes', 1, 1)"));
            }
            if (from >= 2) { // a run with the evaluation its worker recorded
                execSql(raw,
                        QStringLiteral("INSERT INTO runs (id, name, dataset_id, created) VALUES (3, 'old run', 7, 1)"));
                execSql(raw,
                        QStringLiteral("INSERT INTO evaluations (run_id, checkpoint, split, metric, value, created) "
                                       "VALUES (3, 'best', 'val', 'loss', 1.25, 1)"));
            }
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));

        QSqlDatabase db = threadConnection(path);
        QCOMPARE(schemaVersion(db), kSchemaVersion);
        QCOMPARE(schemaObjects(db), kCurrentObjects);
        if (from >= 1) {
            QCOMPARE(scalarSql(db, QStringLiteral("SELECT name FROM datasets WHERE id = 7")).toString(),
                     QStringLiteral("old"));
            QCOMPARE(
                scalarSql(db, QStringLiteral("SELECT count(*) FROM examples_fts WHERE examples_fts MATCH 'migrations'"))
                    .toInt(),
                1);
        }
        if (from >= 2) {
            QCOMPARE(scalarSql(db, QStringLiteral("SELECT value FROM evaluations WHERE run_id = 3 AND metric = 'loss'"))
                         .toDouble(),
                     1.25);
            // Version 3's tables work on the migrated data: outputs of an evaluation of the old run.
            execSql(
                db,
                QStringLiteral(
                    "INSERT INTO run_evaluations (run_id, checkpoint, split, records_sha256, examples, settings_key, "
                    "created) VALUES (3, 'best', 'val', 'r', 1, 's', 1)"));
            execSql(db,
                    QStringLiteral("INSERT INTO evaluation_outputs (run_evaluation_id, example, example_key, output) "
                                   "VALUES (last_insert_rowid(), 0, 'k', 'kept')"));
            execSql(db, QStringLiteral("DELETE FROM runs WHERE id = 3"));
            QCOMPARE(scalarSql(db, QStringLiteral("SELECT count(*) FROM evaluation_outputs")).toInt(), 0); // cascaded
        }
        if (from >= 1) // examples written before preference pairs are plain examples
            QCOMPARE(scalarSql(db, QStringLiteral("SELECT rejected FROM examples WHERE dataset_id = 7")).toString(),
                     QString());
        closeThreadConnection(path);
    }

    void failedStepRollsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studio.db"));
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            migrateSchema(raw, 1);
            // In the way of version 2, whose "runs" table is created before its "metrics" table.
            execSql(raw, QStringLiteral("CREATE TABLE metrics (x)"));
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        try {
            threadConnection(path);
            QFAIL("the migration should have failed");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("version 2")), qPrintable(error.message()));
        }
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            QCOMPARE(schemaVersion(raw), 1);
            QVERIFY2(!schemaObjects(raw).contains(QStringLiteral("table:runs")), "half of version 2 was left behind");
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void failedVersion3RollsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studio.db"));
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            migrateSchema(raw, 2);
            execSql(raw, QStringLiteral("INSERT INTO runs (id, name, created) VALUES (1, 'r', 1)"));
            // In the way of version 3, whose run_evaluations table is created before this one.
            execSql(raw, QStringLiteral("CREATE TABLE base_evaluations (x)"));
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        try {
            threadConnection(path);
            QFAIL("the migration should have failed");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("version 3")), qPrintable(error.message()));
        }
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            QCOMPARE(schemaVersion(raw), 2);
            QVERIFY2(!schemaObjects(raw).contains(QStringLiteral("table:run_evaluations")),
                     "half of version 3 was left behind");
            QCOMPARE(scalarSql(raw, QStringLiteral("SELECT count(*) FROM runs")).toInt(), 1);
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void reopeningDoesNotMigrateAgain()
    {
        test::TempDatabase temp;
        execSql(temp.db(), QStringLiteral("INSERT INTO datasets (name, created, modified) VALUES ('x', 0, 0)"));
        closeThreadConnection(temp.path());
        QSqlDatabase db = threadConnection(temp.path());
        QCOMPARE(schemaVersion(db), kSchemaVersion);
        QCOMPARE(scalarSql(db, QStringLiteral("SELECT count(*) FROM datasets")).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
