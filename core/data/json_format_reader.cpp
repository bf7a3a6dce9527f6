#include "common/error.h"
#include "data/format_readers.h"

namespace ft {

void reportBadRecord(const ImportOptions& options, const QString& location, const QString& reason,
                     std::vector<ImportIssue>* issues, ImportCounts* counts)
{
    if (!options.skipBadRecords)
        throw Error(QStringLiteral("%1: %2").arg(location, reason));
    issues->push_back({location, reason});
    ++counts->skipped;
}

JsonFormatReader::JsonFormatReader(const QString& path, const ImportOptions& options, JsonRecordConverter convert)
    : m_path(path)
    , m_source(path, options.maxRecordBytes)
    , m_options(options)
    , m_convert(std::move(convert))
{
}

bool JsonFormatReader::next(ImportedExample* example)
{
    while (!m_done) {
        QJsonObject object;
        QString location;
        QString reason;
        JsonObjectSource::Status status = JsonObjectSource::Status::End;
        try {
            status = m_source.next(&object, &location, &reason);
        } catch (const Error& error) {
            // The file itself is broken (truncated array, missing comma): nothing after it can be read.
            m_done = true;
            if (!m_options.skipBadRecords)
                throw;
            QString reason = error.message();
            if (reason.startsWith(m_path + QStringLiteral(": ")))
                reason.remove(0, m_path.size() + 2);
            m_issues.push_back({m_path, reason});
            ++m_counts.skipped;
            return false;
        }
        if (status == JsonObjectSource::Status::End) {
            m_done = true;
            return false;
        }
        if (status == JsonObjectSource::Status::Bad) {
            reportBadRecord(m_options, location, reason, &m_issues, &m_counts);
            continue;
        }
        ImportCounts counts;
        try {
            *example = m_convert(object, &counts);
        } catch (const Error& error) {
            const QString where = m_source.isArray()
                                      ? QStringLiteral("line %1: %2").arg(m_source.line()).arg(error.message())
                                      : error.message();
            reportBadRecord(m_options, location, where, &m_issues, &m_counts);
            continue;
        }
        example->source = location;
        ++m_counts.records;
        m_counts.multiTurn += counts.multiTurn;
        m_counts.toolCalls += counts.toolCalls;
        m_counts.toolResults += counts.toolResults;
        m_counts.toolDefinitions += counts.toolDefinitions;
        return true;
    }
    return false;
}

} // namespace ft
