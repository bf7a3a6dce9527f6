#pragma once
// A position inside a tokenizer.json document: the value, the file and the key path that leads to it
// ("pre_tokenizer.pretokenizers[1].pattern"), so that every error names the file, the key and what
// was expected.

#include <string>

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace ft {

// Reads a tokenizer's JSON file (tokenizer.json, tokenizer_config.json, ...) as one object, refusing
// files over `maxBytes`; errors name the file, the line and the column. Unlike a plain
// QJsonDocument::fromJson, a string that starts with U+FEFF keeps it (vocabularies converted from
// sentencepiece have "\uFEFF" as a token, and Qt's UTF-8 decoder drops a leading byte order mark).
QJsonObject readTokenizerJsonObject(const QString& path, qint64 maxBytes);

class JsonNode {
public:
    JsonNode(QJsonValue value, QString file, QString path);

    const QJsonValue& value() const { return m_value; }
    const QString& file() const { return m_file; }
    const QString& path() const { return m_path; }

    bool isNull() const { return m_value.isNull() || m_value.isUndefined(); } // absent or null
    bool has(const QString& key) const;                                       // present and not null

    JsonNode operator[](const QString& key) const; // undefined when absent
    JsonNode at(qsizetype index) const;

    QJsonObject object() const; // throws unless an object
    QJsonArray array() const;   // throws unless an array
    std::string string() const; // throws unless a string (UTF-8)
    bool boolean() const;
    qint64 integer(qint64 minimum, qint64 maximum) const;

    // Optional members: absent or null gives `fallback`; any other type throws.
    bool boolean(const QString& key, bool fallback) const;
    std::string string(const QString& key, const std::string& fallback) const;
    std::string requireString(const QString& key) const;

    // The component's "type" (an object with a string "type").
    QString type() const;

    // "<file>: <path>: <what>"
    [[noreturn]] void fail(const QString& what) const;
    // "<file>: <path>: <component> type "X" is not supported (supported: ...)"
    [[noreturn]] void unsupported(const QString& component, const QStringList& supported) const;

private:
    QJsonValue m_value;
    QString m_file;
    QString m_path;
};

} // namespace ft
