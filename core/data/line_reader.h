#pragma once
// Reading a text file line by line in large chunks, with a bound on the length of one line, so that
// a hostile file (a 50 MB line, no newline at all) costs bounded memory and gives a clear error.

#include <QByteArray>
#include <QFile>
#include <QString>

namespace ft {

class LineReader {
public:
    // Throws ft::Error naming the file when it cannot be opened.
    LineReader(const QString& path, qint64 maxLineBytes);

    enum class Status { Line, TooLong, End };
    // The next line without its "\n" or "\r\n"; a UTF-8 byte order mark at the start of the file is
    // dropped. A line longer than maxLineBytes is skipped without being held in memory (TooLong).
    Status next(QByteArray* line);

    qint64 lineNumber() const { return m_lineNumber; } // 1-based, of the line just returned
    qint64 bytesRead() const;
    qint64 totalBytes() const { return m_totalBytes; }
    qint64 maxLineBytes() const { return m_maxLineBytes; }
    const QString& path() const { return m_path; }

private:
    bool fill(); // appends a chunk after dropping consumed bytes; false at the end of the file
    Status skipRestOfLine();

    QString m_path;
    QFile m_file;
    QByteArray m_buffer;
    qsizetype m_pos = 0;      // start of the unconsumed bytes in m_buffer
    qsizetype m_searched = 0; // bytes after m_pos already known to hold no '\n'
    qint64 m_maxLineBytes = 0;
    qint64 m_totalBytes = 0;
    qint64 m_lineNumber = 0;
    bool m_eof = false;
    bool m_started = false;
};

} // namespace ft
