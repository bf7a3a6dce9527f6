#pragma once
// Bytes of a worker's stdout in, complete lines out. A line longer than `maxLineBytes` is dropped
// whole (counted in droppedLines()), so a worker that never writes a newline cannot make the reader
// grow without bound.

#include <QByteArray>
#include <QList>

namespace ft {

class LineSplitter {
public:
    explicit LineSplitter(qsizetype maxLineBytes = 1 << 20);
    QList<QByteArray> feed(const QByteArray& bytes);
    // What is left without a newline (e.g. at the worker's exit), then empty.
    QByteArray takeRest();
    int droppedLines() const { return m_dropped; }
    qsizetype maxLineBytes() const { return m_maxLineBytes; }

private:
    qsizetype m_maxLineBytes;
    QByteArray m_pending;
    bool m_skipping = false; // inside an over-long line: discard up to its newline
    int m_dropped = 0;
};

} // namespace ft
