#include "modelio/tokenizer_json_node.h"

#include <cmath>
#include <utility>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

namespace {

// What a value is, for errors; a key that is absent reads "missing".
QString describeType(const QJsonValue& value)
{
    return value.isUndefined() ? QStringLiteral("missing") : jsonTypeName(value);
}

// Every raw byte order mark (EF BB BF) after the first byte becomes the escape \ufeff, which Qt keeps.
// Outside a string a BOM is not JSON anyway; one at the very start is the file's own and stays.
QByteArray escapeInnerByteOrderMarks(QByteArray bytes)
{
    static const QByteArray bom("\xEF\xBB\xBF");
    qsizetype at = bytes.indexOf(bom, 1);
    if (at < 0)
        return bytes;
    QByteArray out;
    out.reserve(bytes.size() + 64);
    qsizetype from = 0;
    for (; at >= 0; at = bytes.indexOf(bom, from)) {
        out.append(bytes.constData() + from, at - from);
        out.append("\\ufeff");
        from = at + bom.size();
    }
    out.append(bytes.constData() + from, bytes.size() - from);
    return out;
}

} // namespace

QJsonObject readTokenizerJsonObject(const QString& path, qint64 maxBytes)
{
    return parseJsonObject(escapeInnerByteOrderMarks(readFileAtMost(path, maxBytes)), path);
}

JsonNode::JsonNode(QJsonValue value, QString file, QString path)
    : m_value(std::move(value))
    , m_file(std::move(file))
    , m_path(std::move(path))
{
}

bool JsonNode::has(const QString& key) const
{
    if (!m_value.isObject())
        return false;
    const QJsonValue child = m_value.toObject().value(key);
    return !child.isNull() && !child.isUndefined();
}

JsonNode JsonNode::operator[](const QString& key) const
{
    const QString path = m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
    if (!m_value.isObject())
        fail(QStringLiteral("expected an object holding \"%1\", found %2").arg(key, describeType(m_value)));
    return JsonNode(m_value.toObject().value(key), m_file, path);
}

JsonNode JsonNode::at(qsizetype index) const
{
    return JsonNode(array().at(index), m_file, QStringLiteral("%1[%2]").arg(m_path).arg(index));
}

QJsonObject JsonNode::object() const
{
    if (!m_value.isObject())
        fail(QStringLiteral("expected an object, found %1").arg(describeType(m_value)));
    return m_value.toObject();
}

QJsonArray JsonNode::array() const
{
    if (!m_value.isArray())
        fail(QStringLiteral("expected an array, found %1").arg(describeType(m_value)));
    return m_value.toArray();
}

std::string JsonNode::string() const
{
    if (!m_value.isString())
        fail(QStringLiteral("expected a string, found %1").arg(describeType(m_value)));
    return m_value.toString().toStdString();
}

bool JsonNode::boolean() const
{
    if (!m_value.isBool())
        fail(QStringLiteral("expected true or false, found %1").arg(describeType(m_value)));
    return m_value.toBool();
}

qint64 JsonNode::integer(qint64 minimum, qint64 maximum) const
{
    const double number = m_value.toDouble(std::nan(""));
    if (!m_value.isDouble() || std::floor(number) != number || number < double(minimum) || number > double(maximum))
        fail(QStringLiteral("expected an integer from %1 to %2, found %3")
                 .arg(minimum)
                 .arg(maximum)
                 .arg(m_value.isDouble() ? QString::number(number) : describeType(m_value)));
    return static_cast<qint64>(number);
}

bool JsonNode::boolean(const QString& key, bool fallback) const
{
    const JsonNode child = (*this)[key];
    return child.isNull() ? fallback : child.boolean();
}

std::string JsonNode::string(const QString& key, const std::string& fallback) const
{
    const JsonNode child = (*this)[key];
    return child.isNull() ? fallback : child.string();
}

std::string JsonNode::requireString(const QString& key) const
{
    const JsonNode child = (*this)[key];
    if (child.isNull())
        child.fail(QStringLiteral("missing required string"));
    return child.string();
}

QString JsonNode::type() const
{
    const JsonNode child = (*this)[QStringLiteral("type")];
    if (!child.m_value.isString())
        child.fail(QStringLiteral("expected the component's type name, found %1").arg(describeType(child.m_value)));
    return child.m_value.toString();
}

void JsonNode::fail(const QString& what) const
{
    throw Error(
        QStringLiteral("%1: %2: %3").arg(m_file, m_path.isEmpty() ? QStringLiteral("top level") : m_path, what));
}

void JsonNode::unsupported(const QString& component, const QStringList& supported) const
{
    fail(QStringLiteral("%1 type \"%2\" is not supported (supported: %3)")
             .arg(component, type(), supported.join(QStringLiteral(", "))));
}

} // namespace ft
