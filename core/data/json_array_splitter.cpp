#include "data/json_array_splitter.h"

#include "common/error.h"

namespace ft {

namespace {
constexpr qint64 kChunkBytes = 1 << 20;

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

QString describeByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F)
        return QStringLiteral("'%1'").arg(QLatin1Char(c));
    return QStringLiteral("byte 0x%1").arg(u, 2, 16, QLatin1Char('0'));
}
} // namespace

JsonArraySplitter::JsonArraySplitter(const QString& path, qint64 maxElementBytes)
    : m_path(path)
    , m_file(path)
    , m_maxElementBytes(maxElementBytes)
{
    if (!m_file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, m_file.errorString()));
    m_totalBytes = m_file.size();
}

qint64 JsonArraySplitter::bytesRead() const { return m_file.pos() - (m_buffer.size() - m_pos); }

void JsonArraySplitter::fail(const QString& what) const { throw Error(QStringLiteral("%1: %2").arg(m_path, what)); }

bool JsonArraySplitter::fill()
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
        fail(QStringLiteral("read failed: %1").arg(m_file.errorString()));
    m_buffer.resize(old + got);
    if (got == 0)
        m_eof = true;
    return got > 0;
}

qsizetype JsonArraySplitter::scanElement()
{
    const char* p = m_buffer.constData() + m_pos;
    const qsizetype n = m_buffer.size() - m_pos;
    qsizetype i = m_scan;
    while (i < n) {
        const char c = p[i];
        if (m_inString) {
            if (m_escape)
                m_escape = false;
            else if (c == '\\')
                m_escape = true;
            else if (c == '"') {
                m_inString = false;
                if (m_depth == 0)
                    return i + 1;
            } else if (c == '\n')
                ++m_line;
            ++i;
            continue;
        }
        switch (c) {
        case '"':
            m_inString = true;
            break;
        case '{':
        case '[':
            ++m_depth;
            break;
        case '}':
        case ']':
            if (m_depth == 0)
                return i; // ends a bare value such as a number
            if (--m_depth == 0)
                return i + 1;
            break;
        case ',':
        case ' ':
        case '\t':
        case '\r':
            if (m_depth == 0)
                return i;
            break;
        case '\n':
            if (m_depth == 0)
                return i;
            ++m_line;
            break;
        default:
            break;
        }
        ++i;
    }
    m_scan = n;
    if (m_scan > m_maxElementBytes) {
        // Too long to keep: drop what has been scanned; the scanner state carries on.
        m_skipping = true;
        m_pos += m_scan;
        m_scan = 0;
    }
    return -1;
}

JsonArraySplitter::Status JsonArraySplitter::next(QByteArray* element)
{
    // Skips JSON whitespace, counting lines; false at the end of the file.
    auto skipSpace = [this]() {
        for (;;) {
            while (m_pos < m_buffer.size() && isJsonSpace(m_buffer[m_pos])) {
                if (m_buffer[m_pos] == '\n')
                    ++m_line;
                ++m_pos;
            }
            if (m_pos < m_buffer.size())
                return true;
            if (!fill())
                return false;
        }
    };
    for (;;) {
        switch (m_state) {
        case State::Start:
            fill();
            if (m_buffer.startsWith("\xEF\xBB\xBF"))
                m_pos = 3;
            if (!skipSpace())
                fail(QStringLiteral("the file is empty (expected a JSON array of records)"));
            if (m_buffer[m_pos] != '[')
                fail(QStringLiteral("expected a JSON array ('[') at line %1, found %2")
                         .arg(m_line)
                         .arg(describeByte(m_buffer[m_pos])));
            ++m_pos;
            m_state = State::FirstElement;
            break;
        case State::FirstElement:
            if (!skipSpace())
                fail(QStringLiteral("truncated: the array opened at the start is never closed with ']'"));
            if (m_buffer[m_pos] == ']') {
                ++m_pos;
                m_state = State::Done;
            } else {
                m_state = State::Element;
            }
            break;
        case State::Element: {
            if (m_scan == 0 && !m_skipping) {
                ++m_index;
                m_elementLine = m_line;
            }
            const qsizetype length = scanElement();
            if (length < 0) {
                if (!fill())
                    fail(QStringLiteral(
                             "truncated: element #%1 starting at line %2 is not complete at the end of the file "
                             "(or its brackets or quotes are unbalanced)")
                             .arg(m_index)
                             .arg(m_elementLine));
                continue;
            }
            if (length == 0)
                fail(QStringLiteral("expected a JSON value at line %1, found %2")
                         .arg(m_line)
                         .arg(describeByte(m_buffer[m_pos])));
            const bool tooLong = m_skipping || length > m_maxElementBytes;
            if (!tooLong)
                *element = m_buffer.mid(m_pos, length);
            m_pos += length;
            m_scan = 0;
            m_depth = 0;
            m_inString = false;
            m_escape = false;
            m_skipping = false;
            m_state = State::AfterElement;
            return tooLong ? Status::TooLong : Status::Element;
        }
        case State::AfterElement:
            if (!skipSpace())
                fail(QStringLiteral(
                         "truncated: the array is not closed (expected ',' or ']' after element #%1, at line %2)")
                         .arg(m_index)
                         .arg(m_line));
            if (m_buffer[m_pos] == ']') {
                ++m_pos;
                m_state = State::Done;
            } else if (m_buffer[m_pos] == ',') {
                ++m_pos;
                if (!skipSpace())
                    fail(QStringLiteral("truncated: the array is not closed (expected an element after ',' at line %1)")
                             .arg(m_line));
                if (m_buffer[m_pos] == ']')
                    fail(QStringLiteral(
                             "expected an element after ',' at line %1, found ']' (a trailing comma is not JSON)")
                             .arg(m_line));
                m_state = State::Element;
            } else {
                fail(QStringLiteral("expected ',' or ']' after element #%1 at line %2, found %3")
                         .arg(m_index)
                         .arg(m_line)
                         .arg(describeByte(m_buffer[m_pos])));
            }
            break;
        case State::Done:
            if (skipSpace())
                fail(QStringLiteral("unexpected data after the closing ']' at line %1").arg(m_line));
            return Status::End;
        }
    }
}

} // namespace ft
