#include "data/line_reader.h"

#include <cstring>

#include "common/error.h"

namespace ft {

namespace {
constexpr qint64 kChunkBytes = 1 << 20;
}

LineReader::LineReader(const QString& path, qint64 maxLineBytes)
    : m_path(path)
    , m_file(path)
    , m_maxLineBytes(maxLineBytes)
{
    if (!m_file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, m_file.errorString()));
    m_totalBytes = m_file.size();
}

qint64 LineReader::bytesRead() const { return m_file.pos() - (m_buffer.size() - m_pos); }

bool LineReader::fill()
{
    if (m_eof)
        return false;
    if (m_pos > 0) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype old = m_buffer.size();
    m_buffer.resize(old + kChunkBytes);
    const qint64 got = m_file.read(m_buffer.data() + old, kChunkBytes);
    if (got < 0)
        throw Error(QStringLiteral("%1: read failed: %2").arg(m_path, m_file.errorString()));
    m_buffer.resize(old + got);
    if (got == 0)
        m_eof = true;
    if (!m_started && m_buffer.size() >= 3) {
        m_started = true;
        if (m_buffer.startsWith("\xEF\xBB\xBF"))
            m_pos = 3;
    } else if (m_eof) {
        m_started = true;
    }
    return got > 0;
}

LineReader::Status LineReader::skipRestOfLine()
{
    // Drop what is buffered and read on until the next newline.
    for (;;) {
        const char* begin = m_buffer.constData() + m_pos;
        const qsizetype available = m_buffer.size() - m_pos;
        if (const void* newline = std::memchr(begin, '\n', static_cast<size_t>(available))) {
            m_pos += static_cast<const char*>(newline) - begin + 1;
            m_searched = 0;
            return Status::TooLong;
        }
        m_pos = m_buffer.size();
        if (!fill()) {
            m_searched = 0;
            return Status::TooLong;
        }
    }
}

LineReader::Status LineReader::next(QByteArray* line)
{
    if (!m_started)
        fill();
    for (;;) {
        const char* begin = m_buffer.constData() + m_pos;
        const qsizetype available = m_buffer.size() - m_pos;
        const void* newline = std::memchr(begin + m_searched, '\n', static_cast<size_t>(available - m_searched));
        qsizetype length = -1;
        qsizetype consumed = 0;
        if (newline) {
            length = static_cast<const char*>(newline) - begin;
            consumed = length + 1;
        } else if (available > m_maxLineBytes) {
            ++m_lineNumber;
            return skipRestOfLine();
        } else if (m_eof) {
            if (available == 0)
                return Status::End;
            length = available;
            consumed = available;
        } else {
            m_searched = available;
            fill();
            continue;
        }
        ++m_lineNumber;
        m_searched = 0;
        m_pos += consumed;
        if (length > m_maxLineBytes)
            return Status::TooLong;
        if (length > 0 && begin[length - 1] == '\r')
            --length;
        *line = QByteArray(begin, length);
        return Status::Line;
    }
}

} // namespace ft
