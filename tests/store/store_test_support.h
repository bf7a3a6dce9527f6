#pragma once
// What the store tests share: a database in a temporary folder, example records.

#include <QSqlDatabase>
#include <QString>
#include <QTemporaryDir>

#include "data/example_record.h"

namespace ft::test {

// studio.db in a fresh temporary folder, opened (and migrated) for this thread.
class TempDatabase {
public:
    TempDatabase();
    ~TempDatabase();
    QSqlDatabase db() const;
    QString path() const { return m_path; }
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

ExampleRecord makeRecord(const QString& instruction, const QString& response, const QString& input = {});

// A new dataset `name` of `trainCount` examples in the train split and then `testCount` in the test
// split ("Count to i." / "Done: i."), none in validation; returns its id.
qint64 addSplitDataset(QSqlDatabase db, const QString& name, int trainCount, int testCount);

// A raw QSQLITE connection without the store's settings or migrations (to build old or odd files).
// Remove it with QSqlDatabase::removeDatabase(name) once every copy is gone.
QSqlDatabase openRawDatabase(const QString& path, const QString& name);

// SHA-256 of a file's bytes, hex.
QByteArray fileHash(const QString& path);

} // namespace ft::test
