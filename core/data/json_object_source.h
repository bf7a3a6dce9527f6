#pragma once
// The records of a JSON dataset file, one JSON object at a time, whether the file is one JSON array
// or JSON Lines (told apart by its first character). Each record is parsed on its own, so a
// 100,000-record array never becomes one parsed document.

#include <memory>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "common/json_file.h" // jsonTypeName, for the readers' errors

namespace ft {

class JsonArraySplitter;
class LineReader;

class JsonObjectSource {
public:
    // Throws ft::Error naming the file when it cannot be opened, is empty, or starts with neither
    // '[' nor '{'.
    JsonObjectSource(const QString& path, qint64 maxRecordBytes);
    ~JsonObjectSource();

    enum class Status { Object, Bad, End };
    // Object: *object and *location ("file#index" in an array, "file:line" in JSON Lines) are set.
    // Bad: *location and *reason say which record is unusable and why; reading can go on after it.
    // Throws ft::Error for what breaks the file itself (a truncated array, a missing comma).
    Status next(QJsonObject* object, QString* location, QString* reason);

    bool isArray() const { return m_splitter != nullptr; }
    qint64 line() const; // where the record just returned starts (1-based)
    qint64 bytesRead() const;
    qint64 totalBytes() const;

private:
    QString m_path;
    qint64 m_maxRecordBytes = 0;
    std::unique_ptr<JsonArraySplitter> m_splitter;
    std::unique_ptr<LineReader> m_lines;
};

// Typed access to record fields; errors (ft::Error) give the reason only, the caller adds the place.
QString requiredStringField(const QJsonObject& object, const QString& key);
QString optionalStringField(const QJsonObject& object, const QString& key); // missing or null: empty
// A string split on ',' or ';', or an array of strings; missing or null: empty.
QStringList optionalTagsField(const QJsonObject& object, const QString& key);
QStringList splitTags(const QString& text);

} // namespace ft
