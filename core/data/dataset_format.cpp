#include "data/dataset_format.h"

#include <QSaveFile>

#include "common/error.h"
#include "data/format_readers.h"
#include "data/format_writers.h"

namespace ft {

namespace {

struct FormatName {
    DatasetFormat format;
    const char* name;
};
constexpr FormatName kFormatNames[] = {
    {DatasetFormat::Studio, "studio"},     {DatasetFormat::Alpaca, "alpaca"},
    {DatasetFormat::Dolly, "dolly"},       {DatasetFormat::ShareGpt, "sharegpt"},
    {DatasetFormat::OpenAiChat, "openai"}, {DatasetFormat::Preference, "preference"},
    {DatasetFormat::Csv, "csv"},           {DatasetFormat::Tsv, "tsv"},
    {DatasetFormat::PlainText, "text"},
};

} // namespace

QString datasetFormatName(DatasetFormat format)
{
    for (const FormatName& entry : kFormatNames)
        if (entry.format == format)
            return QString::fromLatin1(entry.name);
    return QStringLiteral("unknown");
}

std::optional<DatasetFormat> datasetFormatFromName(const QString& name)
{
    for (const FormatName& entry : kFormatNames)
        if (name.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.format;
    return std::nullopt;
}

QStringList datasetFormatNames()
{
    QStringList names;
    for (const FormatName& entry : kFormatNames)
        names << QString::fromLatin1(entry.name);
    return names;
}

ImportOptions FormatDetection::options() const
{
    ImportOptions options;
    options.format = format;
    options.mapping = mapping;
    options.textUnit = textUnit;
    return options;
}

std::unique_ptr<DatasetReader> openDatasetReader(const QString& path, const ImportOptions& options)
{
    if (options.maxRecordBytes <= 0)
        throw Error(QStringLiteral("%1: the record size limit must be positive").arg(path));
    switch (options.format) {
    case DatasetFormat::Alpaca:
        return std::make_unique<JsonFormatReader>(path, options, alpacaExample);
    case DatasetFormat::Dolly:
        return std::make_unique<JsonFormatReader>(path, options, dollyExample);
    case DatasetFormat::ShareGpt:
        return std::make_unique<JsonFormatReader>(path, options, shareGptExample);
    case DatasetFormat::OpenAiChat:
        return std::make_unique<JsonFormatReader>(path, options, openAiChatExample);
    case DatasetFormat::Studio:
        return std::make_unique<JsonFormatReader>(path, options, studioExample);
    case DatasetFormat::Preference:
        return std::make_unique<JsonFormatReader>(path, options, preferenceExample);
    case DatasetFormat::Csv:
    case DatasetFormat::Tsv:
        return openCsvReader(path, options);
    case DatasetFormat::PlainText:
        return openPlainTextReader(path, options);
    }
    throw Error(QStringLiteral("%1: unknown dataset format").arg(path));
}

void writeDataset(const QString& path, DatasetFormat format, const std::vector<ImportedExample>& examples)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    DatasetSink out(&file, path);
    const bool jsonLines = path.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive);
    switch (format) {
    case DatasetFormat::Alpaca:
        writeAlpaca(out, examples, jsonLines);
        break;
    case DatasetFormat::Dolly:
        writeDolly(out, examples);
        break;
    case DatasetFormat::ShareGpt:
        writeShareGpt(out, examples, jsonLines);
        break;
    case DatasetFormat::OpenAiChat:
        writeOpenAiChat(out, examples);
        break;
    case DatasetFormat::Studio:
        writeStudio(out, examples);
        break;
    case DatasetFormat::Preference:
        writePreference(out, examples);
        break;
    case DatasetFormat::Csv:
    case DatasetFormat::Tsv:
        writeDelimited(out, examples, format);
        break;
    case DatasetFormat::PlainText:
        writePlainText(out, examples);
        break;
    }
    // An exception above leaves the QSaveFile uncommitted: the temporary file is discarded and any
    // existing file at `path` is untouched.
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot finish writing: %2").arg(path, file.errorString()));
}

} // namespace ft
