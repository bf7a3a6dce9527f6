#pragma once
// The writers behind writeDataset(), one per format (internal to ft_data). Each appends the whole
// file to `out`; writeDataset() makes the write atomic.

#include <vector>

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include "data/dataset_format.h"

namespace ft {

// One JSON object written with its keys in the order given (QJsonObject would sort them).
class JsonObjectText {
public:
    JsonObjectText& add(const char* key, const QString& value);
    JsonObjectText& addRaw(const char* key, const QByteArray& json); // an already serialised value
    JsonObjectText& addStrings(const char* key, const QStringList& values);
    QByteArray finish() const { return m_text + '}'; }

private:
    QByteArray m_text = QByteArrayLiteral("{");
};
void appendJsonString(QByteArray& out, const QString& value);

// Writes bytes or throws ft::Error naming the file.
class DatasetSink {
public:
    DatasetSink(QIODevice* device, const QString& path)
        : m_device(device)
        , m_path(path)
    {
    }
    void write(const QByteArray& bytes);
    const QString& path() const { return m_path; }

private:
    QIODevice* m_device;
    QString m_path;
};

// Throws ft::Error "cannot write <path> as <format>: record #i (<source>) <problem>".
[[noreturn]] void refuseRecord(const QString& path, DatasetFormat format, size_t index, const ImportedExample& example,
                               const QString& problem);

void writeAlpaca(DatasetSink& out, const std::vector<ImportedExample>& examples, bool jsonLines);
void writeDolly(DatasetSink& out, const std::vector<ImportedExample>& examples);
void writeShareGpt(DatasetSink& out, const std::vector<ImportedExample>& examples, bool jsonLines);
void writeOpenAiChat(DatasetSink& out, const std::vector<ImportedExample>& examples);
void writeStudio(DatasetSink& out, const std::vector<ImportedExample>& examples);
// {"prompt", "chosen", "rejected", "system"?}: records that are not preference pairs are refused.
void writePreference(DatasetSink& out, const std::vector<ImportedExample>& examples);
void writeDelimited(DatasetSink& out, const std::vector<ImportedExample>& examples, DatasetFormat format);
void writePlainText(DatasetSink& out, const std::vector<ImportedExample>& examples);

} // namespace ft
