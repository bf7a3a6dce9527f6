#include "store_test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTest>

#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"

namespace ft::test {

TempDatabase::TempDatabase()
    : m_path(QDir(m_dir.path()).filePath(QStringLiteral("studio.db")))
{
    threadConnection(m_path);
}

TempDatabase::~TempDatabase() { closeThreadConnection(m_path); }

QSqlDatabase TempDatabase::db() const { return threadConnection(m_path); }

ExampleRecord makeRecord(const QString& instruction, const QString& response, const QString& input)
{
    ExampleRecord record;
    record.instruction = instruction;
    record.input = input;
    record.response = response;
    return record;
}

QSqlDatabase openRawDatabase(const QString& path, const QString& name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    if (!db.open())
        qFatal("cannot open %s", qPrintable(path));
    return db;
}

QByteArray fileHash(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

qint64 addSplitDataset(QSqlDatabase db, const QString& name, int trainCount, int testCount)
{
    const qint64 id = DatasetStore(db).create(name);
    ExampleStore examples(db);
    for (int i = 0; i < trainCount + testCount; ++i) {
        StoredExample example;
        example.record = makeRecord(QStringLiteral("Count to %1.").arg(i), QStringLiteral("Done: %1.").arg(i));
        example.split = i < trainCount ? Split::Train : Split::Test;
        examples.add(id, example);
    }
    return id;
}

} // namespace ft::test
