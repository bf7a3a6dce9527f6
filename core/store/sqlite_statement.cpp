#include "store/sqlite_statement.h"

#include <sqlite3.h>

#include <QSqlDriver>
#include <QVariant>

#include "common/error.h"

namespace ft {

SqliteStatement::SqliteStatement(const QSqlDatabase& db, const char* sql)
{
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        throw Error(QStringLiteral("the workspace database is not an SQLite connection"));
    m_db = *static_cast<sqlite3* const*>(handle.constData());
    if (sqlite3_prepare_v2(m_db, sql, -1, &m_statement, nullptr) != SQLITE_OK)
        throw Error(QStringLiteral("cannot prepare \"%1\": %2")
                        .arg(QLatin1String(sql), QString::fromUtf8(sqlite3_errmsg(m_db))));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_statement); }

void SqliteStatement::bind(int index, qint64 value) { sqlite3_bind_int64(m_statement, index, value); }

void SqliteStatement::bind(int index, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text(m_statement, index, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bindNull(int index) { sqlite3_bind_null(m_statement, index); }

void SqliteStatement::execute()
{
    const int result = sqlite3_step(m_statement);
    sqlite3_reset(m_statement);
    if (result != SQLITE_DONE && result != SQLITE_ROW) {
        // Named by its file: "database or disk is full" alone does not say which disk.
        const char* file = sqlite3_db_filename(m_db, "main");
        throw Error(QStringLiteral("%1: database write failed: %2")
                        .arg(file && *file ? QString::fromUtf8(file) : QStringLiteral("the workspace database"),
                             QString::fromUtf8(sqlite3_errmsg(m_db))));
    }
}

qint64 SqliteStatement::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

} // namespace ft
