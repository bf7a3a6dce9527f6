#include "common/atomic_write.h"
#include "common/error.h"
#include "data/format_writers.h"

namespace ft {

void appendJsonString(QByteArray& out, const QString& value)
{
    const QByteArray utf8 = value.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (u < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 15];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

JsonObjectText& JsonObjectText::add(const char* key, const QString& value)
{
    QByteArray json;
    appendJsonString(json, value);
    return addRaw(key, json);
}

JsonObjectText& JsonObjectText::addRaw(const char* key, const QByteArray& json)
{
    if (m_text.size() > 1)
        m_text += ", ";
    m_text += '"';
    m_text += key;
    m_text += "\": ";
    m_text += json;
    return *this;
}

JsonObjectText& JsonObjectText::addStrings(const char* key, const QStringList& values)
{
    QByteArray json = "[";
    for (const QString& value : values) {
        if (json.size() > 1)
            json += ", ";
        appendJsonString(json, value);
    }
    json += ']';
    return addRaw(key, json);
}

void DatasetSink::write(const QByteArray& bytes)
{
    writeAllOrThrow(*m_device, bytes.constData(), bytes.size(), m_path);
}

void refuseRecord(const QString& path, DatasetFormat format, size_t index, const ImportedExample& example,
                  const QString& problem)
{
    const QString where = example.source.isEmpty() ? QStringLiteral("record #%1").arg(index)
                                                   : QStringLiteral("record #%1 (%2)").arg(index).arg(example.source);
    throw Error(QStringLiteral("cannot write %1 as %2: %3 %4").arg(path, datasetFormatName(format), where, problem));
}

} // namespace ft
