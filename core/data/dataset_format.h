#pragma once
// Reading and writing datasets in the formats people bring: Alpaca (JSON array or JSONL), Dolly,
// ShareGPT, OpenAI chat JSONL, preference pairs (prompt/chosen/rejected), CSV/TSV with a column mapping, plain text,
// and the studio's own JSONL.
//
// Readers stream: a 100,000-record file is never held parsed twice in memory. Every record carries
// where it came from ("file:line" or "file#index"), and every error names that place and what was
// expected.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

#include "data/example_record.h"

namespace ft {

enum class DatasetFormat { Studio, Alpaca, Dolly, ShareGpt, OpenAiChat, Preference, Csv, Tsv, PlainText };
QString datasetFormatName(
    DatasetFormat format); // "studio", "alpaca", "dolly", "sharegpt", "openai", "preference", "csv", "tsv", "text"
std::optional<DatasetFormat> datasetFormatFromName(const QString& name);
QStringList datasetFormatNames();

// Which column holds which field (CSV/TSV); empty names mean "not present".
struct ColumnMapping {
    QString instruction;
    QString input;
    QString response;
    QString system;
    QString tags; // split on ',' or ';'
};

enum class PlainTextUnit { Line, Paragraph }; // one example per line, or per blank-line-separated paragraph

struct ImportOptions {
    DatasetFormat format = DatasetFormat::Alpaca;
    ColumnMapping mapping; // CSV/TSV only
    PlainTextUnit textUnit = PlainTextUnit::Paragraph;
    bool skipBadRecords = false;              // false: the first bad record is an error
    qint64 maxRecordBytes = 32 * 1024 * 1024; // a longer line, array element or paragraph is a bad record
};

struct ImportedExample {
    ExampleRecord record;
    QStringList tags; // e.g. Dolly's category
    QString source;   // "file:line" or "file#index"
};

struct ImportIssue {
    QString location; // "file:line" or "file#index"
    QString reason;
};

// What a reader did with the records it returned so far (shown by the import wizard and the CLI).
struct ImportCounts {
    int64_t records = 0;   // returned by next()
    int64_t multiTurn = 0; // conversations of more than one exchange, kept whole
    int64_t toolCalls =
        0; // assistant tool-call turns (ShareGPT function_call, OpenAI tool_calls), kept as <tool_call> text
    int64_t toolResults = 0; // tool-result turns (ShareGPT observation, OpenAI tool), kept as <tool_response> user text
    int64_t toolDefinitions = 0; // records whose tool list was put into the system prompt as <tools> text
    int64_t skipped = 0;         // bad records skipped (each one is listed in issues())
};

class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    // The next record, or false at the end. Throws ft::Error naming the location for a bad record,
    // unless the options asked to skip bad records, in which case it is listed in issues().
    virtual bool next(ImportedExample* example) = 0;
    virtual qint64 bytesRead() const = 0; // for progress
    virtual qint64 totalBytes() const = 0;
    virtual const std::vector<ImportIssue>& issues() const = 0;
    virtual const ImportCounts& counts() const { return m_counts; }

protected:
    ImportCounts m_counts;
};

std::unique_ptr<DatasetReader> openDatasetReader(const QString& path, const ImportOptions& options);

struct FormatDetection {
    DatasetFormat format = DatasetFormat::Alpaca;
    ColumnMapping mapping;                             // chosen for CSV/TSV
    PlainTextUnit textUnit = PlainTextUnit::Paragraph; // chosen for plain text: Line when the file has no blank lines
    QStringList columns;                               // CSV/TSV header, or the keys seen in JSON records
    std::vector<ImportedExample> preview;              // the first records, parsed with the detected settings
    QString explanation;                               // why this format was chosen, for the import wizard
    ImportOptions options() const;                     // format, mapping and text unit as detected
};

// Looks at the start of the file (not the whole file) and guesses format and mapping.
FormatDetection detectDatasetFormat(const QString& path, int previewCount = 5);

// Writes records in `format`, atomically (temporary file + rename). Multi-turn records are written
// whole where the format can hold conversations (ShareGPT, OpenAI, studio) and refused, naming the
// record, where it cannot.
void writeDataset(const QString& path, DatasetFormat format, const std::vector<ImportedExample>& examples);

} // namespace ft
