#pragma once
// Splitting a JSON array file into its top-level elements without parsing the whole file: a small
// scanner follows strings, escapes and nesting to find where each element begins and ends, and only
// that slice is handed to a JSON parser. Memory stays bounded by the largest element.

#include <QByteArray>
#include <QFile>
#include <QString>

namespace ft {

class JsonArraySplitter {
public:
    // Throws ft::Error naming the file when it cannot be opened.
    JsonArraySplitter(const QString& path, qint64 maxElementBytes);

    enum class Status { Element, TooLong, End };
    // The bytes of the next top-level element. An element longer than maxElementBytes is skipped
    // (TooLong). Throws ft::Error "<path>: ..." naming the line for what breaks the array itself: no
    // '[' at the start, a missing ',' between elements, a truncated file, data after the closing ']'.
    Status next(QByteArray* element);

    qint64 index() const { return m_index; }             // 0-based, of the element just returned
    qint64 elementLine() const { return m_elementLine; } // 1-based line where it starts
    qint64 bytesRead() const;
    qint64 totalBytes() const { return m_totalBytes; }

private:
    enum class State { Start, FirstElement, Element, AfterElement, Done };
    bool fill();
    [[noreturn]] void fail(const QString& what) const;
    // Scans the element starting at m_pos; returns its length once complete, or -1 at the end of the
    // buffered data.
    qsizetype scanElement();

    QString m_path;
    QFile m_file;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_maxElementBytes = 0;
    qint64 m_totalBytes = 0;
    qint64 m_line = 1; // line at m_pos (between elements) or at the scan position (inside one)
    qint64 m_elementLine = 0;
    qint64 m_index = -1;
    State m_state = State::Start;
    bool m_eof = false;
    // Scanner state inside an element, kept across refills.
    qsizetype m_scan = 0;
    int64_t m_depth = 0;
    bool m_inString = false;
    bool m_escape = false;
    bool m_skipping = false; // past maxElementBytes: bytes are dropped as they are scanned
};

} // namespace ft
