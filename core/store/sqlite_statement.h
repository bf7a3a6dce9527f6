#pragma once
// A prepared statement on the SQLite connection behind a QSqlDatabase, through SQLite's own C API.
// For the hot loops only (bulk inserts): Qt SQL binds every value through a QVariant and hands text
// to SQLite as UTF-16, which SQLite converts back to UTF-8; this binds UTF-8 directly and is about
// twice as fast. Everything else uses Qt SQL.

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace ft {

class SqliteStatement {
public:
    SqliteStatement(const QSqlDatabase& db, const char* sql); // throws ft::Error naming the statement
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // 1-based parameter indices, as SQLite counts them.
    void bind(int index, qint64 value);
    void bind(int index, const QString& text); // a null QString binds ''
    void bindNull(int index);
    // Runs the statement to completion and resets it for the next row; throws with SQLite's message.
    void execute();
    qint64 lastInsertId() const;

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_statement = nullptr;
};

} // namespace ft
