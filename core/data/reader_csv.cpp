// CSV and TSV with a header line; a ColumnMapping says which columns hold which fields.
#include "common/error.h"
#include "data/csv_parser.h"
#include "data/format_readers.h"
#include "data/json_object_source.h"

namespace ft {

namespace {

class CsvReader : public DatasetReader {
public:
    CsvReader(const QString& path, const ImportOptions& options)
        : m_path(path)
        , m_options(options)
        , m_records(path, options.format == DatasetFormat::Tsv ? '\t' : ',', options.maxRecordBytes)
    {
        QStringList header;
        QString reason;
        const CsvRecordReader::Status status = m_records.next(&header, &reason);
        if (status == CsvRecordReader::Status::End)
            throw Error(QStringLiteral("%1: the file is empty (expected a header line naming the columns)").arg(path));
        if (status == CsvRecordReader::Status::Bad)
            throw Error(
                QStringLiteral("%1:%2: cannot read the header line: %3").arg(path).arg(m_records.line()).arg(reason));
        for (QString& name : header)
            name = name.trimmed();
        m_columnCount = header.size();
        const ColumnMapping& mapping = options.mapping;
        if (mapping.response.isEmpty())
            throw Error(QStringLiteral("%1: the column mapping names no response column (columns: %2)")
                            .arg(path, header.join(QStringLiteral(", "))));
        auto column = [&](const QString& name, const char* field) -> int {
            if (name.isEmpty())
                return -1;
            const int index = static_cast<int>(header.indexOf(name.trimmed()));
            if (index < 0)
                throw Error(QStringLiteral("%1: the %2 column \"%3\" is not in the header (columns: %4)")
                                .arg(path, QLatin1String(field), name, header.join(QStringLiteral(", "))));
            return index;
        };
        m_instruction = column(mapping.instruction, "instruction");
        m_input = column(mapping.input, "input");
        m_response = column(mapping.response, "response");
        m_system = column(mapping.system, "system");
        m_tags = column(mapping.tags, "tags");
    }

    bool next(ImportedExample* example) override
    {
        for (;;) {
            QStringList fields;
            QString reason;
            const CsvRecordReader::Status status = m_records.next(&fields, &reason);
            if (status == CsvRecordReader::Status::End)
                return false;
            const QString location = QStringLiteral("%1:%2").arg(m_path).arg(m_records.line());
            if (status == CsvRecordReader::Status::Record && fields.size() != m_columnCount)
                reason = QStringLiteral("expected %1 fields as in the header, found %2")
                             .arg(m_columnCount)
                             .arg(fields.size());
            if (!reason.isEmpty()) {
                reportBadRecord(m_options, location, reason, &m_issues, &m_counts);
                continue;
            }
            auto field = [&](int index) { return index < 0 ? QString() : fields[index]; };
            *example = ImportedExample{};
            example->record.instruction = field(m_instruction);
            example->record.input = field(m_input);
            example->record.response = field(m_response);
            example->record.system = field(m_system);
            example->tags = splitTags(field(m_tags));
            example->source = location;
            ++m_counts.records;
            return true;
        }
    }
    qint64 bytesRead() const override { return m_records.bytesRead(); }
    qint64 totalBytes() const override { return m_records.totalBytes(); }
    const std::vector<ImportIssue>& issues() const override { return m_issues; }

private:
    QString m_path;
    ImportOptions m_options;
    CsvRecordReader m_records;
    std::vector<ImportIssue> m_issues;
    qsizetype m_columnCount = 0;
    int m_instruction = -1, m_input = -1, m_response = -1, m_system = -1, m_tags = -1;
};

} // namespace

std::unique_ptr<DatasetReader> openCsvReader(const QString& path, const ImportOptions& options)
{
    return std::make_unique<CsvReader>(path, options);
}

} // namespace ft
