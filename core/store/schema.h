#pragma once
// The schema of studio.db and its migrations. The version lives in PRAGMA user_version; each step
// `if (version < N) migrateToN();` runs in its own transaction that commits (setting user_version to
// N) or rolls back and rethrows, so a database is always at exactly one known version. The schema is
// documented in docs/workspace.md.

#include <QSqlDatabase>
#include <QString>

namespace ft {

// The version this program writes. A database with a higher user_version is refused, unmodified.
constexpr int kSchemaVersion = 5;

int schemaVersion(QSqlDatabase db);

// The statement that adds the examples matching `where` (SQL over the table "examples") to the
// full-text index, computing exactly what the insert trigger would.
QString ftsIndexStatement(const QString& where);

// Brings the database from its stored version up to `target` (tests build older versions with a
// smaller target). Safe against a second process migrating at the same time: each step re-reads the
// version inside its write transaction.
void migrateSchema(QSqlDatabase db, int target = kSchemaVersion);

} // namespace ft
