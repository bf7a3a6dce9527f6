#pragma once
// CSV/TSV records as RFC 4180 describes them: fields separated by a delimiter, optionally enclosed
// in double quotes; inside quotes a delimiter or a line break is text and a quote is written twice.
// Line breaks inside quoted fields are read as "\n" (a "\r\n" there becomes "\n").

#include <memory>

#include <QString>
#include <QStringList>

namespace ft {

class LineReader;

class CsvRecordReader {
public:
    // Throws ft::Error naming the file when it cannot be opened.
    CsvRecordReader(const QString& path, char delimiter, qint64 maxRecordBytes);
    ~CsvRecordReader();

    enum class Status { Record, Bad, End };
    // Record: *fields set. Bad: *reason says why the record (which may span lines) cannot be used;
    // reading goes on after it. Empty lines between records are skipped.
    Status next(QStringList* fields, QString* reason);

    qint64 line() const { return m_recordLine; } // first line of the record just returned
    qint64 bytesRead() const;
    qint64 totalBytes() const;

private:
    std::unique_ptr<LineReader> m_lines;
    char m_delimiter;
    qint64 m_maxRecordBytes;
    qint64 m_recordLine = 0;
};

// A field as written: quoted (quotes doubled) when it holds the delimiter, a quote, a line break or
// leading/trailing spaces.
QString csvQuote(const QString& value, QChar delimiter);

} // namespace ft
