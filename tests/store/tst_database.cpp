// The database connection: WAL, pragmas, one connection per thread, transactions, refusing a newer
// database, and two writers (a thread, a second process) working at the same time.

#include <atomic>
#include <thread>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>

#include "common/error.h"
#include "store/database.h"
#include "store/schema.h"
#include "store_test_support.h"

using namespace ft;

namespace {

qint64 countRows(QSqlDatabase db)
{
    return scalarSql(db, QStringLiteral("SELECT count(*) FROM datasets")).toLongLong();
}

void insertDataset(QSqlDatabase db, const QString& name)
{
    QSqlQuery query = prepareSql(db, QStringLiteral("INSERT INTO datasets (name, created, modified) VALUES (?, 0, 0)"));
    query.addBindValue(name);
    execPrepared(query);
}

// The second process of concurrentWriterProcess: takes the write lock, says so, holds it, commits.
int holdWriteLock(const QString& path, int holdMs)
{
    QSqlDatabase db = threadConnection(path);
    {
        Transaction transaction(db);
        insertDataset(db, QStringLiteral("from the other process"));
        QTextStream(stdout) << "locked" << Qt::endl;
        QThread::msleep(static_cast<unsigned long>(holdMs));
        transaction.commit();
    }
    return 0;
}

} // namespace

class TestDatabase : public QObject {
    Q_OBJECT
private slots:
    void pragmasAreSet()
    {
        test::TempDatabase temp;
        QSqlDatabase db = temp.db();
        QCOMPARE(scalarSql(db, QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(scalarSql(db, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
        QCOMPARE(scalarSql(db, QStringLiteral("PRAGMA busy_timeout")).toInt(), kBusyTimeoutMs);
        QCOMPARE(schemaVersion(db), kSchemaVersion);
        insertDataset(db, QStringLiteral("a"));
        QVERIFY2(QFile::exists(temp.path() + QStringLiteral("-wal")), "a write in WAL mode goes to studio.db-wal");
    }

    void foreignKeysAreEnforced()
    {
        test::TempDatabase temp;
        QSqlQuery query(temp.db());
        QVERIFY(!query.exec(
            QStringLiteral("INSERT INTO examples (dataset_id, position, created, modified) VALUES (12345, 1, 0, 0)")));
        QVERIFY2(query.lastError().text().contains(QLatin1String("FOREIGN KEY")), qPrintable(query.lastError().text()));
    }

    void newerDatabaseIsRefusedUnmodified_data()
    {
        QTest::addColumn<QString>("journalMode");
        QTest::newRow("rollback journal") << QStringLiteral("DELETE");
        QTest::newRow("wal") << QStringLiteral("WAL");
    }
    void newerDatabaseIsRefusedUnmodified()
    {
        QFETCH(QString, journalMode);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studio.db"));
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            execSql(raw, QStringLiteral("PRAGMA journal_mode = %1").arg(journalMode));
            execSql(raw, QStringLiteral("CREATE TABLE future (x)"));
            execSql(raw, QStringLiteral("INSERT INTO future VALUES (42)"));
            execSql(raw, QStringLiteral("PRAGMA user_version = %1").arg(kSchemaVersion + 7));
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        const QByteArray before = test::fileHash(path);
        QVERIFY(!before.isEmpty());

        try {
            threadConnection(path);
            QFAIL("a database from a newer program was opened");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("newer")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QString::number(kSchemaVersion + 7)), qPrintable(error.message()));
            QVERIFY2(error.message().contains(path), qPrintable(error.message()));
        }
        QCOMPARE(test::fileHash(path), before);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")) || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
        {
            QSqlDatabase raw = test::openRawDatabase(path, QStringLiteral("raw"));
            QCOMPARE(scalarSql(raw, QStringLiteral("PRAGMA user_version")).toInt(), kSchemaVersion + 7);
            QCOMPARE(scalarSql(raw, QStringLiteral("PRAGMA journal_mode")).toString().toUpper(), journalMode);
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }

    void notADatabaseIsNamed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("studio.db"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        try {
            threadConnection(path);
            QFAIL("garbage opened as a database");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(path), qPrintable(error.message()));
        }
    }

    void transactionRollsBackWhenWorkThrows()
    {
        test::TempDatabase temp;
        QSqlDatabase db = temp.db();
        QVERIFY_THROWS_EXCEPTION(Error, inTransaction(db, [&] {
                                     insertDataset(db, QStringLiteral("a"));
                                     insertDataset(db, QStringLiteral("a")); // UNIQUE violation
                                 }));
        QCOMPARE(countRows(db), 0);
        inTransaction(db, [&] { insertDataset(db, QStringLiteral("b")); });
        QCOMPARE(countRows(db), 1);
    }

    void nestedTransactionsAreSavepoints()
    {
        test::TempDatabase temp;
        QSqlDatabase db = temp.db();
        inTransaction(db, [&] {
            insertDataset(db, QStringLiteral("outer"));
            try {
                inTransaction(db, [&] {
                    insertDataset(db, QStringLiteral("inner"));
                    throw Error(QStringLiteral("inner fails"));
                });
            } catch (const Error&) {
            }
            insertDataset(db, QStringLiteral("outer 2"));
        });
        QCOMPARE(countRows(db), 2);
        QCOMPARE(scalarSql(db, QStringLiteral("SELECT count(*) FROM datasets WHERE name = 'inner'")).toInt(), 0);
        // The depth bookkeeping is back at zero: a new transaction is a real one again.
        Transaction transaction(db);
        insertDataset(db, QStringLiteral("after"));
        transaction.commit();
        QCOMPARE(countRows(db), 3);
    }

    void oneConnectionPerThread()
    {
        test::TempDatabase temp;
        const QString mainName = temp.db().connectionName();
        QString threadName;
        bool threadWorked = false;
        std::thread worker([&] {
            QSqlDatabase db = threadConnection(temp.path());
            threadName = db.connectionName();
            insertDataset(db, QStringLiteral("from a thread"));
            threadWorked = threadConnection(temp.path()).connectionName() == threadName; // same one again
        });
        worker.join();
        QVERIFY(threadWorked);
        QVERIFY(threadName != mainName);
        QVERIFY2(!QSqlDatabase::contains(threadName), "the thread's connection is closed when the thread ends");
        QCOMPARE(countRows(temp.db()), 1);
    }

    // A writer thread holds the write lock; this thread still reads at once (WAL), and its own write
    // waits for the lock (busy timeout) instead of failing.
    void concurrentWriterThread()
    {
        test::TempDatabase temp;
        std::atomic<bool> locked{false};
        std::thread writer([&] {
            QSqlDatabase db = threadConnection(temp.path());
            Transaction transaction(db);
            insertDataset(db, QStringLiteral("writer"));
            locked = true;
            QThread::msleep(1500);
            transaction.commit();
        });
        while (!locked)
            QThread::msleep(1);
        QSqlDatabase db = temp.db();
        QElapsedTimer timer;
        timer.start();
        // The uncommitted row is not visible: a read that waited for the lock would have come after
        // the commit and counted it.
        QCOMPARE(countRows(db), 0);
        inTransaction(db, [&] { insertDataset(db, QStringLiteral("reader")); });
        const qint64 waited = timer.elapsed();
        writer.join();
        QVERIFY2(waited >= 800, qPrintable(QStringLiteral("the second writer waited only %1 ms").arg(waited)));
        QCOMPARE(countRows(db), 2);
    }

    void concurrentWriterProcess()
    {
        test::TempDatabase temp;
        QProcess other;
        other.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--hold-write-lock"), temp.path(), QStringLiteral("2000")});
        QVERIFY(other.waitForStarted());
        QVERIFY(other.waitForReadyRead(10000));
        QCOMPARE(other.readLine().trimmed(), QByteArray("locked"));

        QSqlDatabase db = temp.db();
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(countRows(db), 0); // read before the other process committed: a read that waited would count its row
        inTransaction(db, [&] { insertDataset(db, QStringLiteral("this process")); });
        const qint64 waited = timer.elapsed();
        QVERIFY(other.waitForFinished(10000));
        QCOMPARE(other.exitCode(), 0);
        QVERIFY2(waited >= 1000, qPrintable(QStringLiteral("the write waited only %1 ms").arg(waited)));
        QCOMPARE(countRows(db), 2);
    }
};

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && QByteArray(argv[1]) == "--hold-write-lock")
        return holdWriteLock(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toInt());
    TestDatabase test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_database.moc"
