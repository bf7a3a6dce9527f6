#include "store/database.h"

#include <unordered_map>
#include <vector>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QThread>

#include "common/error.h"
#include "store/fts_rank.h"
#include "store/schema.h"

namespace ft {

namespace {

// The connections this thread opened; closed and removed when the thread ends (thread-local objects
// are destroyed before the static ones Qt SQL keeps its connection list in).
struct ThreadConnections {
    std::vector<QString> names;
    // Open transactions per connection, so that nested ones become savepoints.
    std::unordered_map<QString, int> transactionDepth;

    ~ThreadConnections()
    {
        for (const QString& name : names) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                if (db.isValid())
                    db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
};

ThreadConnections& threadConnections()
{
    thread_local ThreadConnections connections;
    return connections;
}

QString connectionName(const QString& absolutePath)
{
    return QStringLiteral("ftstore:%1@%2")
        .arg(absolutePath)
        .arg(reinterpret_cast<quintptr>(QThread::currentThreadId()), 0, 16);
}

QString describe(QSqlDatabase db, const QString& sql, const QSqlError& error)
{
    QString statement = sql.simplified();
    if (statement.size() > 160)
        statement = statement.left(157) + QStringLiteral("...");
    return QStringLiteral("%1: %2 (in: %3)").arg(db.databaseName(), error.text(), statement);
}

QString pragmaText(QSqlDatabase db, const QString& pragma)
{
    QSqlQuery query(db);
    if (!query.exec(pragma) || !query.next())
        throw Error(describe(db, pragma, query.lastError()));
    return query.value(0).toString();
}

// Everything a connection needs before use. The schema version is read before anything is set, so
// that a database from a newer program is refused without one byte of it changed.
void configure(QSqlDatabase db)
{
    const QString path = db.databaseName();
    const int version = pragmaText(db, QStringLiteral("PRAGMA user_version")).toInt();
    if (version > kSchemaVersion)
        throw Error(QStringLiteral("%1: this workspace database has schema version %2, but this program only knows "
                                   "versions up to %3. It was written by a newer FineTune Studio; open it with that "
                                   "version, or choose another workspace. The file was not modified.")
                        .arg(path)
                        .arg(version)
                        .arg(kSchemaVersion));

    if (pragmaText(db, QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs)).toInt() != kBusyTimeoutMs)
        throw Error(QStringLiteral("%1: could not set the busy timeout").arg(path));
    execSql(db, QStringLiteral("PRAGMA foreign_keys = ON"));
    if (pragmaText(db, QStringLiteral("PRAGMA foreign_keys")).toInt() != 1)
        throw Error(QStringLiteral("%1: could not enable foreign keys").arg(path));
    const QString mode = pragmaText(db, QStringLiteral("PRAGMA journal_mode = WAL")).toLower();
    if (mode != QLatin1String("wal"))
        throw Error(QStringLiteral("%1: could not enable write-ahead logging (journal mode is \"%2\"); the workspace "
                                   "must be on a local file system that supports shared memory")
                        .arg(path, mode));
    // In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, a crash
    // of the program loses nothing.
    execSql(db, QStringLiteral("PRAGMA synchronous = NORMAL"));
    registerExampleRank(db);
    migrateSchema(db);
}

} // namespace

QSqlDatabase threadConnection(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString name = connectionName(absolute);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
    }
    if (!QDir().mkpath(QFileInfo(absolute).absolutePath()))
        throw Error(QStringLiteral("%1: cannot create the folder").arg(QFileInfo(absolute).absolutePath()));
    {
        QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name, false)
                                                       : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        if (!db.isValid())
            throw Error(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available: install libqt6sql6-sqlite"));
        db.setDatabaseName(absolute);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
        if (!db.open())
            throw Error(QStringLiteral("%1: cannot open the database: %2").arg(absolute, db.lastError().text()));
        try {
            configure(db);
        } catch (...) {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            throw;
        }
    }
    threadConnections().names.push_back(name);
    return QSqlDatabase::database(name, false);
}

void closeThreadConnection(const QString& path)
{
    const QString name = connectionName(QFileInfo(path).absoluteFilePath());
    auto& names = threadConnections().names;
    for (auto it = names.begin(); it != names.end(); ++it) {
        if (*it != name)
            continue;
        names.erase(it);
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        threadConnections().transactionDepth.erase(name);
        return;
    }
}

void execSql(QSqlDatabase db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        throw Error(describe(db, sql, query.lastError()));
}

QSqlQuery prepareSql(QSqlDatabase db, const QString& sql)
{
    QSqlQuery query(db);
    if (!query.prepare(sql))
        throw Error(describe(db, sql, query.lastError()));
    return query;
}

void execPrepared(QSqlQuery& query)
{
    if (!query.exec())
        throw Error(QStringLiteral("database: %1 (in: %2)")
                        .arg(query.lastError().text(), query.lastQuery().simplified().left(160)));
}

QVariant scalarSql(QSqlDatabase db, const QString& sql)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(sql))
        throw Error(describe(db, sql, query.lastError()));
    return query.next() ? query.value(0) : QVariant();
}

Transaction::Transaction(QSqlDatabase db)
    : m_db(db)
{
    int& depth = threadConnections().transactionDepth[db.connectionName()];
    if (depth == 0) {
        execSql(m_db, QStringLiteral("BEGIN IMMEDIATE"));
    } else {
        m_savepoint = QStringLiteral("ft_savepoint_%1").arg(depth);
        execSql(m_db, QStringLiteral("SAVEPOINT ") + m_savepoint);
    }
    ++depth;
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    try {
        rollback();
    } catch (...) {
        // Nothing more can be done here; the connection reports the error on its next use.
    }
}

void Transaction::commit()
{
    if (!m_open)
        throw Error(QStringLiteral("%1: transaction committed twice").arg(m_db.databaseName()));
    execSql(m_db, m_savepoint.isEmpty() ? QStringLiteral("COMMIT") : QStringLiteral("RELEASE ") + m_savepoint);
    m_open = false;
    --threadConnections().transactionDepth[m_db.connectionName()];
}

void Transaction::rollback()
{
    if (!m_open)
        return;
    m_open = false;
    --threadConnections().transactionDepth[m_db.connectionName()];
    if (m_savepoint.isEmpty()) {
        execSql(m_db, QStringLiteral("ROLLBACK"));
    } else {
        execSql(m_db, QStringLiteral("ROLLBACK TO ") + m_savepoint);
        execSql(m_db, QStringLiteral("RELEASE ") + m_savepoint);
    }
}

ReadSnapshot::ReadSnapshot(QSqlDatabase db)
    : m_db(db)
{
    int& depth = threadConnections().transactionDepth[db.connectionName()];
    m_nested = depth > 0;
    if (!m_nested)
        execSql(m_db, QStringLiteral("BEGIN DEFERRED"));
    ++depth;
}

ReadSnapshot::~ReadSnapshot()
{
    --threadConnections().transactionDepth[m_db.connectionName()];
    if (m_nested)
        return;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("COMMIT")))
        query.exec(QStringLiteral("ROLLBACK"));
}

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

} // namespace ft
