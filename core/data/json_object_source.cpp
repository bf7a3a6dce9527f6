#include "data/json_object_source.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include "common/error.h"
#include "common/json_file.h"
#include "data/json_array_splitter.h"
#include "data/json_string_check.h"
#include "data/line_reader.h"
#include "data/utf8_check.h"

namespace ft {

namespace {

// The first character that is not whitespace or a byte order mark, or 0 for an empty file.
char firstSignificantByte(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    bool first = true;
    while (!file.atEnd()) {
        QByteArray chunk = file.read(64 * 1024);
        if (first && chunk.startsWith("\xEF\xBB\xBF"))
            chunk.remove(0, 3);
        first = false;
        for (char c : chunk)
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return c;
    }
    return 0;
}

// Parses one record's bytes; false with *reason set when they are not one JSON object.
bool parseObject(const QByteArray& bytes, qint64 firstLine, bool inArray, QJsonObject* object, QString* reason)
{
    const qsizetype bad = invalidUtf8Offset(bytes.constData(), bytes.size());
    if (bad >= 0) {
        const qint64 line = firstLine + bytes.left(bad).count('\n');
        *reason = inArray ? QStringLiteral("line %1: invalid UTF-8 (byte 0x%2); save the file as UTF-8")
                                .arg(line)
                                .arg(static_cast<unsigned char>(bytes[bad]), 2, 16, QLatin1Char('0'))
                          : QStringLiteral("invalid UTF-8 at column %1 (byte 0x%2); save the file as UTF-8")
                                .arg(bad + 1)
                                .arg(static_cast<unsigned char>(bytes[bad]), 2, 16, QLatin1Char('0'));
        return false;
    }
    const QByteArray start = bytes.left(64).trimmed();
    if (!start.startsWith('{')) {
        const char c = start.isEmpty() ? 0 : start.at(0);
        const char* what = c == '['                               ? "an array"
                           : c == '"'                             ? "a string"
                           : c == 't' || c == 'f'                 ? "a boolean"
                           : c == 'n'                             ? "null"
                           : (c == '-' || (c >= '0' && c <= '9')) ? "a number"
                                                                  : "something else";
        *reason = QStringLiteral("expected a JSON object {...}, found %1").arg(QLatin1String(what));
        if (inArray)
            *reason = QStringLiteral("line %1: %2").arg(firstLine).arg(*reason);
        return false;
    }
    const JsonTextProblem problem = findJsonTextProblem(bytes);
    if (problem.offset >= 0) {
        *reason = inArray ? QStringLiteral("line %1: %2")
                                .arg(firstLine + bytes.left(problem.offset).count('\n'))
                                .arg(problem.what)
                          : QStringLiteral("%1 at column %2").arg(problem.what).arg(problem.offset + 1);
        return false;
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        if (inArray)
            *reason = QStringLiteral("line %1: malformed JSON: %2")
                          .arg(firstLine + bytes.left(error.offset).count('\n'))
                          .arg(jsonErrorText(bytes, error));
        else
            *reason = QStringLiteral("malformed JSON at column %1: %2")
                          .arg(error.offset + 1)
                          .arg(jsonErrorText(bytes, error));
        return false;
    }
    *object = document.object();
    return true;
}

} // namespace

JsonObjectSource::JsonObjectSource(const QString& path, qint64 maxRecordBytes)
    : m_path(path)
    , m_maxRecordBytes(maxRecordBytes)
{
    const char first = firstSignificantByte(path);
    if (first == 0)
        throw Error(
            QStringLiteral("%1: the file is empty (expected a JSON array of records or one JSON object per line)")
                .arg(path));
    if (first == '[')
        m_splitter = std::make_unique<JsonArraySplitter>(path, maxRecordBytes);
    else if (first == '{')
        m_lines = std::make_unique<LineReader>(path, maxRecordBytes);
    else
        throw Error(
            QStringLiteral(
                "%1: expected a JSON array ('[') or JSON Lines (one '{...}' object per line) at the start of the file")
                .arg(path));
}

JsonObjectSource::~JsonObjectSource() = default;

qint64 JsonObjectSource::line() const { return m_splitter ? m_splitter->elementLine() : m_lines->lineNumber(); }
qint64 JsonObjectSource::bytesRead() const { return m_splitter ? m_splitter->bytesRead() : m_lines->bytesRead(); }
qint64 JsonObjectSource::totalBytes() const { return m_splitter ? m_splitter->totalBytes() : m_lines->totalBytes(); }

JsonObjectSource::Status JsonObjectSource::next(QJsonObject* object, QString* location, QString* reason)
{
    QByteArray bytes;
    if (m_splitter) {
        const JsonArraySplitter::Status status = m_splitter->next(&bytes);
        if (status == JsonArraySplitter::Status::End)
            return Status::End;
        *location = QStringLiteral("%1#%2").arg(m_path).arg(m_splitter->index());
        if (status == JsonArraySplitter::Status::TooLong) {
            *reason = QStringLiteral("line %1: the record is longer than the limit of %2 bytes for one record")
                          .arg(m_splitter->elementLine())
                          .arg(m_maxRecordBytes);
            return Status::Bad;
        }
        return parseObject(bytes, m_splitter->elementLine(), true, object, reason) ? Status::Object : Status::Bad;
    }
    for (;;) {
        const LineReader::Status status = m_lines->next(&bytes);
        if (status == LineReader::Status::End)
            return Status::End;
        *location = QStringLiteral("%1:%2").arg(m_path).arg(m_lines->lineNumber());
        if (status == LineReader::Status::TooLong) {
            *reason = QStringLiteral("the line is longer than the limit of %1 bytes for one record")
                          .arg(m_lines->maxLineBytes());
            return Status::Bad;
        }
        if (bytes.trimmed().isEmpty())
            continue; // blank lines between records
        return parseObject(bytes, m_lines->lineNumber(), false, object, reason) ? Status::Object : Status::Bad;
    }
}

QString requiredStringField(const QJsonObject& object, const QString& key)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd())
        throw Error(QStringLiteral("missing field \"%1\"").arg(key));
    if (!it->isString())
        throw Error(QStringLiteral("field \"%1\" must be a string, found %2").arg(key, jsonTypeName(*it)));
    return it->toString();
}

QString optionalStringField(const QJsonObject& object, const QString& key)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        return {};
    if (!it->isString())
        throw Error(QStringLiteral("field \"%1\" must be a string, found %2").arg(key, jsonTypeName(*it)));
    return it->toString();
}

QStringList splitTags(const QString& text)
{
    static const QRegularExpression separators(QStringLiteral("[,;]"));
    QStringList tags;
    for (const QString& part : text.split(separators)) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty())
            tags << tag;
    }
    return tags;
}

QStringList optionalTagsField(const QJsonObject& object, const QString& key)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        return {};
    if (it->isString())
        return splitTags(it->toString());
    if (!it->isArray())
        throw Error(QStringLiteral("field \"%1\" must be a string or an array of strings, found %2")
                        .arg(key, jsonTypeName(*it)));
    QStringList tags;
    for (const QJsonValue& value : it->toArray()) {
        if (!value.isString())
            throw Error(QStringLiteral("field \"%1\" must hold strings, found %2").arg(key, jsonTypeName(value)));
        if (!value.toString().trimmed().isEmpty())
            tags << value.toString().trimmed();
    }
    return tags;
}

} // namespace ft
