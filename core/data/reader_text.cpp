// Plain text for continued pre-training: one example per line, or per paragraph (lines up to a blank
// line). Each becomes a response-only record: the whole text carries the loss.
#include "common/error.h"
#include "data/format_readers.h"
#include "data/line_reader.h"
#include "data/utf8_check.h"

namespace ft {

namespace {

bool isBlank(const QByteArray& line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\f' && c != '\v')
            return false;
    return true;
}

class PlainTextReader : public DatasetReader {
public:
    PlainTextReader(const QString& path, const ImportOptions& options)
        : m_path(path)
        , m_options(options)
        , m_lines(path, options.maxRecordBytes)
    {
        if (m_lines.totalBytes() == 0)
            throw Error(QStringLiteral("%1: the file is empty").arg(path));
    }

    bool next(ImportedExample* example) override
    {
        for (;;) {
            QByteArray text;
            QString problem;
            qint64 firstLine = 0;
            QByteArray line;
            LineReader::Status status;
            while ((status = m_lines.next(&line)) != LineReader::Status::End) {
                const bool blank = status == LineReader::Status::Line && isBlank(line);
                if (blank) {
                    if (firstLine == 0)
                        continue; // blank lines before a unit
                    break;        // the end of a paragraph
                }
                if (firstLine == 0)
                    firstLine = m_lines.lineNumber();
                if (status == LineReader::Status::TooLong) {
                    if (problem.isEmpty())
                        problem = QStringLiteral("line %1 is longer than the limit of %2 bytes for one record")
                                      .arg(m_lines.lineNumber())
                                      .arg(m_options.maxRecordBytes);
                } else if (problem.isEmpty()) {
                    const qsizetype bad = invalidUtf8Offset(line.constData(), line.size());
                    if (bad >= 0)
                        problem =
                            QStringLiteral("line %1: invalid UTF-8 at column %2 (byte 0x%3); save the file as UTF-8")
                                .arg(m_lines.lineNumber())
                                .arg(bad + 1)
                                .arg(static_cast<unsigned char>(line[bad]), 2, 16, QLatin1Char('0'));
                    else if (text.size() + line.size() + 1 > m_options.maxRecordBytes)
                        problem = QStringLiteral("the paragraph is longer than the limit of %1 bytes for one record")
                                      .arg(m_options.maxRecordBytes);
                    else {
                        if (!text.isEmpty())
                            text += '\n';
                        text += line;
                    }
                }
                if (m_options.textUnit == PlainTextUnit::Line)
                    break;
            }
            if (firstLine == 0)
                return false;
            const QString location = QStringLiteral("%1:%2").arg(m_path).arg(firstLine);
            if (!problem.isEmpty()) {
                reportBadRecord(m_options, location, problem, &m_issues, &m_counts);
                continue;
            }
            *example = ImportedExample{};
            example->record.response = QString::fromUtf8(text);
            example->source = location;
            ++m_counts.records;
            return true;
        }
    }
    qint64 bytesRead() const override { return m_lines.bytesRead(); }
    qint64 totalBytes() const override { return m_lines.totalBytes(); }
    const std::vector<ImportIssue>& issues() const override { return m_issues; }

private:
    QString m_path;
    ImportOptions m_options;
    LineReader m_lines;
    std::vector<ImportIssue> m_issues;
};

} // namespace

std::unique_ptr<DatasetReader> openPlainTextReader(const QString& path, const ImportOptions& options)
{
    return std::make_unique<PlainTextReader>(path, options);
}

} // namespace ft
