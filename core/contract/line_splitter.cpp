#include "contract/line_splitter.h"

#include <algorithm>

namespace ft {

LineSplitter::LineSplitter(qsizetype maxLineBytes)
    : m_maxLineBytes(std::max<qsizetype>(16, maxLineBytes))
{
}

QList<QByteArray> LineSplitter::feed(const QByteArray& bytes)
{
    QList<QByteArray> lines;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', from);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!m_skipping) {
            if (m_pending.size() + (end - from) > m_maxLineBytes) {
                // Over-long: drop what we have and everything up to the next newline.
                m_pending.clear();
                m_skipping = true;
                ++m_dropped;
            } else {
                m_pending.append(bytes.constData() + from, end - from);
            }
        }
        if (newline < 0)
            break;
        if (!m_skipping) {
            if (m_pending.endsWith('\r'))
                m_pending.chop(1);
            if (!m_pending.trimmed().isEmpty())
                lines.append(m_pending);
        }
        m_pending.clear();
        m_skipping = false;
        from = newline + 1;
    }
    return lines;
}

QByteArray LineSplitter::takeRest()
{
    QByteArray rest = m_skipping ? QByteArray() : m_pending;
    m_pending.clear();
    m_skipping = false;
    return rest.trimmed();
}

} // namespace ft
