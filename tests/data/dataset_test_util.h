#pragma once
// Small helpers shared by the dataset format tests.

#include <vector>

#include <QFile>
#include <QTemporaryDir>

#include "data/dataset_format.h"

namespace ft::test {

struct ReadResult {
    std::vector<ImportedExample> examples;
    std::vector<ImportIssue> issues;
    ImportCounts counts;
    qint64 bytesRead = 0;
    qint64 totalBytes = 0;
};

inline ReadResult readDataset(const QString& path, const ImportOptions& options)
{
    ReadResult result;
    const std::unique_ptr<DatasetReader> reader = openDatasetReader(path, options);
    ImportedExample example;
    while (reader->next(&example))
        result.examples.push_back(example);
    result.issues = reader->issues();
    result.counts = reader->counts();
    result.bytesRead = reader->bytesRead();
    result.totalBytes = reader->totalBytes();
    return result;
}

inline ReadResult readDataset(const QString& path, DatasetFormat format, bool skipBad = false)
{
    ImportOptions options;
    options.format = format;
    options.skipBadRecords = skipBad;
    return readDataset(path, options);
}

inline QString writeBytes(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write test file %s", qPrintable(path));
    return path;
}

} // namespace ft::test

// Runs `statement`, expecting ft::Error whose message contains every string in `parts`.
#define FT_EXPECT_ERROR(statement, ...)                                                                                \
    do {                                                                                                               \
        try {                                                                                                          \
            statement;                                                                                                 \
            QFAIL("expected an ft::Error from: " #statement);                                                          \
        } catch (const ft::Error& error_) {                                                                            \
            for (const QString& part_ : QStringList{__VA_ARGS__})                                                      \
                QVERIFY2(error_.message().contains(part_),                                                             \
                         qPrintable(QStringLiteral("\"%1\" not in: %2").arg(part_, error_.message())));                \
        }                                                                                                              \
    } while (false)
