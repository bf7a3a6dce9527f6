#include "data/jsonl_records.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "data/json_string_check.h"

namespace ft {

void readJsonlRecords(const QString& path, const std::function<void(NumberedRecord&&)>& onRecord,
                      bool allowEmptyResponse)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    int64_t lineNumber = 0;
    while (!file.atEnd()) {
        QByteArray line = file.readLine();
        ++lineNumber;
        if (lineNumber == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        line = line.trimmed(); // also drops "\r\n"
        if (line.isEmpty())
            continue;
        const QString origin = QStringLiteral("%1:%2").arg(path).arg(lineNumber);
        const JsonTextProblem problem = findJsonTextProblem(line);
        if (problem.offset >= 0)
            throw Error(QStringLiteral("%1: %2 at column %3").arg(origin, problem.what).arg(problem.offset + 1));
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError)
            throw Error(QStringLiteral("%1: malformed JSON at column %2: %3")
                            .arg(origin)
                            .arg(error.offset + 1)
                            .arg(jsonErrorText(line, error)));
        if (!document.isObject())
            throw Error(QStringLiteral("%1: expected a JSON object per line").arg(origin));
        onRecord({ExampleRecord::fromJson(document.object(), origin, allowEmptyResponse), lineNumber});
    }
}

std::vector<NumberedRecord> readJsonlRecords(const QString& path, bool allowEmptyResponse)
{
    std::vector<NumberedRecord> records;
    readJsonlRecords(
        path, [&](NumberedRecord&& record) { records.push_back(std::move(record)); }, allowEmptyResponse);
    return records;
}

QString writeJsonlRecords(const QString& path, const std::vector<ExampleRecord>& records)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const ExampleRecord& record : records) {
        const QByteArray line = QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact) + '\n';
        hash.addData(line);
        writeAllOrThrow(file, line.constData(), line.size(), path);
    }
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot finish writing: %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

QString fileSha256(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace ft
