#pragma once
// The readers behind openDatasetReader(), one per format (internal to ft_data).

#include <functional>
#include <memory>

#include <QJsonObject>

#include "data/dataset_format.h"
#include "data/json_object_source.h"

namespace ft {

// Turns one JSON record into an example; throws ft::Error with the reason (no location) when the
// record does not have the expected fields.
using JsonRecordConverter = std::function<ImportedExample(const QJsonObject& json, ImportCounts* counts)>;

// A reader for any JSON format (array or JSON Lines): locations, skipping and counting are shared;
// the format is the converter.
class JsonFormatReader : public DatasetReader {
public:
    JsonFormatReader(const QString& path, const ImportOptions& options, JsonRecordConverter convert);
    bool next(ImportedExample* example) override;
    qint64 bytesRead() const override { return m_source.bytesRead(); }
    qint64 totalBytes() const override { return m_source.totalBytes(); }
    const std::vector<ImportIssue>& issues() const override { return m_issues; }

private:
    QString m_path;
    JsonObjectSource m_source;
    ImportOptions m_options;
    JsonRecordConverter m_convert;
    std::vector<ImportIssue> m_issues;
    bool m_done = false;
};

// Records a bad record as an issue when skipping, else throws "<location>: <reason>".
void reportBadRecord(const ImportOptions& options, const QString& location, const QString& reason,
                     std::vector<ImportIssue>* issues, ImportCounts* counts);

// The tool list of a ShareGPT/OpenAI record as text: a string as given, JSON as compact JSON; "[]" is none.
QString toolsText(const QJsonValue& tools);

ImportedExample alpacaExample(const QJsonObject& json, ImportCounts* counts);
ImportedExample dollyExample(const QJsonObject& json, ImportCounts* counts);
ImportedExample shareGptExample(const QJsonObject& json, ImportCounts* counts);
ImportedExample openAiChatExample(const QJsonObject& json, ImportCounts* counts);
ImportedExample studioExample(const QJsonObject& json, ImportCounts* counts);
ImportedExample preferenceExample(const QJsonObject& json, ImportCounts* counts);

std::unique_ptr<DatasetReader> openCsvReader(const QString& path, const ImportOptions& options);
std::unique_ptr<DatasetReader> openPlainTextReader(const QString& path, const ImportOptions& options);

} // namespace ft
