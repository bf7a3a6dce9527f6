#include "data/csv_parser.h"

#include "data/line_reader.h"
#include "data/utf8_check.h"

namespace ft {

CsvRecordReader::CsvRecordReader(const QString& path, char delimiter, qint64 maxRecordBytes)
    : m_lines(std::make_unique<LineReader>(path, maxRecordBytes))
    , m_delimiter(delimiter)
    , m_maxRecordBytes(maxRecordBytes)
{
}

CsvRecordReader::~CsvRecordReader() = default;

qint64 CsvRecordReader::bytesRead() const { return m_lines->bytesRead(); }
qint64 CsvRecordReader::totalBytes() const { return m_lines->totalBytes(); }

CsvRecordReader::Status CsvRecordReader::next(QStringList* fields, QString* reason)
{
    QByteArray line;
    LineReader::Status status;
    do {
        status = m_lines->next(&line);
    } while (status == LineReader::Status::Line && line.isEmpty());
    if (status == LineReader::Status::End)
        return Status::End;
    m_recordLine = m_lines->lineNumber();

    QList<QByteArray> raw;
    QByteArray field;
    bool inQuotes = false;
    bool afterQuote = false; // a quoted field has been closed; only a delimiter may follow
    qint64 recordBytes = 0;
    QString problem;
    for (;;) {
        if (status == LineReader::Status::TooLong) {
            if (problem.isEmpty())
                problem = QStringLiteral("line %1 is longer than the limit of %2 bytes for one record")
                              .arg(m_lines->lineNumber())
                              .arg(m_maxRecordBytes);
            line.clear();
        } else if (problem.isEmpty()) {
            const qsizetype bad = invalidUtf8Offset(line.constData(), line.size());
            if (bad >= 0)
                problem = QStringLiteral("line %1: invalid UTF-8 at column %2 (byte 0x%3); save the file as UTF-8")
                              .arg(m_lines->lineNumber())
                              .arg(bad + 1)
                              .arg(static_cast<unsigned char>(line[bad]), 2, 16, QLatin1Char('0'));
        }
        recordBytes += line.size() + 1;
        if (recordBytes > m_maxRecordBytes && problem.isEmpty())
            problem = QStringLiteral("the record is longer than the limit of %1 bytes").arg(m_maxRecordBytes);
        const char* p = line.constData();
        const qsizetype n = line.size();
        for (qsizetype i = 0; i < n; ++i) {
            const char c = p[i];
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < n && p[i + 1] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        inQuotes = false;
                        afterQuote = true;
                    }
                } else {
                    field += c;
                }
            } else if (c == m_delimiter) {
                raw.push_back(field);
                field.clear();
                afterQuote = false;
            } else if (afterQuote) {
                if (problem.isEmpty())
                    problem = QStringLiteral("line %1, column %2: unexpected '%3' after a closing quote (a quote "
                                             "inside a quoted field is written \"\")")
                                  .arg(m_lines->lineNumber())
                                  .arg(i + 1)
                                  .arg(QLatin1Char(c));
            } else if (c == '"' && field.isEmpty()) {
                inQuotes = true;
            } else {
                field += c; // a quote inside an unquoted field is kept as text
            }
            if (field.size() > m_maxRecordBytes)
                field.clear(); // already reported as too long
        }
        if (!inQuotes)
            break;
        field += '\n';
        status = m_lines->next(&line);
        if (status == LineReader::Status::End) {
            *reason = QStringLiteral("the quoted field opened on line %1 is never closed").arg(m_recordLine);
            return Status::Bad;
        }
    }
    raw.push_back(field);
    if (!problem.isEmpty()) {
        *reason = problem;
        return Status::Bad;
    }
    fields->clear();
    fields->reserve(raw.size());
    for (const QByteArray& bytes : raw)
        fields->push_back(QString::fromUtf8(bytes));
    return Status::Record;
}

QString csvQuote(const QString& value, QChar delimiter)
{
    const bool needsQuotes = value.contains(delimiter) || value.contains(QLatin1Char('"')) ||
                             value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r')) ||
                             value.startsWith(QLatin1Char(' ')) || value.endsWith(QLatin1Char(' '));
    if (!needsQuotes)
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace ft
