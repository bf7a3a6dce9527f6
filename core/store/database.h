#pragma once
// The workspace database (studio.db): opening a connection, its settings, transactions and the small
// helpers every store uses to run SQL with errors that say what failed.
//
// Connections and threads (the rule): a QSqlDatabase connection belongs to the thread that opened it
// and must never be used from another thread. Every thread that touches a workspace calls
// threadConnection(path) (Workspace::database() does) and gets its own connection, named
// "ftstore:<path>@<thread>", opened and configured on the thread's first call and closed when the
// thread ends. Stores (DatasetStore, ExampleStore, RunStore, MetricStore) hold a connection, so they
// too are used on one thread only; create one per thread.
//
// Every connection runs in WAL mode (checked after enabling it: a database on a file system without
// shared memory would silently stay in rollback mode), with foreign keys on and a busy timeout of
// kBusyTimeoutMs, so that the GUI and a training worker process can read and write at the same time.
// Writes go through Transaction, which begins with BEGIN IMMEDIATE: it takes the write lock up
// front (waiting up to the busy timeout) instead of failing halfway when a reader upgrades.

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

namespace ft {

constexpr int kBusyTimeoutMs = 5000;

// This thread's connection to the database file `path` (created when missing), configured and with
// its schema migrated to the current version. Throws ft::Error when the file cannot be opened, WAL
// cannot be enabled, or the database was written by a newer program (in which case it is left
// untouched).
QSqlDatabase threadConnection(const QString& path);

// Closes this thread's connection to `path` (if open). Stores using it must be gone.
void closeThreadConnection(const QString& path);

// Runs `sql` (no results expected), throwing ft::Error with the statement and SQLite's message.
void execSql(QSqlDatabase db, const QString& sql);

// A prepared statement, ready to bind; throws ft::Error naming the statement when it does not compile.
QSqlQuery prepareSql(QSqlDatabase db, const QString& sql);

// Executes a prepared query, throwing ft::Error with the statement and SQLite's message on failure.
void execPrepared(QSqlQuery& query);

// The first column of the first row of `sql` (invalid QVariant when there is no row).
QVariant scalarSql(QSqlDatabase db, const QString& sql);

// A write transaction: BEGIN IMMEDIATE on construction, COMMIT in commit(), ROLLBACK in the
// destructor unless committed. Transactions nest: an inner one becomes a SAVEPOINT, so that a bulk
// operation can be part of a bigger one and still roll back on its own.
class Transaction {
public:
    explicit Transaction(QSqlDatabase db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();
    void rollback();

private:
    QSqlDatabase m_db;
    QString m_savepoint; // empty for the outermost transaction
    bool m_open = true;
};

// Runs `work` in a Transaction: commits when it returns, rolls back and rethrows when it throws.
template <typename Work> auto inTransaction(QSqlDatabase db, Work&& work)
{
    Transaction transaction(db);
    if constexpr (std::is_void_v<decltype(work())>) {
        work();
        transaction.commit();
    } else {
        auto result = work();
        transaction.commit();
        return result;
    }
}

// A read transaction (BEGIN DEFERRED ... COMMIT): several SELECTs see one snapshot of the database.
class ReadSnapshot {
public:
    explicit ReadSnapshot(QSqlDatabase db);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    QSqlDatabase m_db;
    bool m_nested = false;
};

// Milliseconds since the Unix epoch (UTC): how every created/modified/started time is stored.
qint64 nowMs();

} // namespace ft
