#include "common/json_file.h"

#include <cmath>

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include "common/error.h"

namespace ft {

QString describeOffset(const QByteArray& bytes, qint64 offset)
{
    qint64 line = 1;
    qint64 column = 1;
    const qint64 end = std::min<qint64>(offset, bytes.size());
    for (qint64 i = 0; i < end; ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

QString jsonErrorText(const QByteArray& bytes, const QJsonParseError& error)
{
    const bool endsEarly = error.error == QJsonParseError::UnterminatedString ||
                           error.error == QJsonParseError::UnterminatedObject ||
                           error.error == QJsonParseError::UnterminatedArray ||
                           error.error == QJsonParseError::TerminationByNumber;
    if (!endsEarly)
        return error.errorString();
    // The containers still open at the end, outside strings; a mismatched closer is another error.
    QByteArray closers;
    bool inString = false;
    bool escaped = false;
    for (const char c : bytes) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            closers += c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            if (closers.isEmpty() || closers.back() != c)
                return error.errorString();
            closers.chop(1);
        }
    }
    if (inString)
        return QStringLiteral("unterminated string: the text ends inside a string");
    if (closers.isEmpty())
        return error.errorString();
    return QStringLiteral("the text ends before its closing '%1'").arg(QLatin1Char(closers.back()));
}

QJsonObject parseJsonObject(const QByteArray& bytes, const QString& origin)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        throw Error(QStringLiteral("%1: malformed JSON at %2: %3")
                        .arg(origin, describeOffset(bytes, error.offset), jsonErrorText(bytes, error)));
    if (!document.isObject())
        throw Error(QStringLiteral("%1: expected a JSON object at the top level").arg(origin));
    return document.object();
}

QByteArray readFileAtMost(const QString& path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    if (file.size() > maxBytes)
        throw Error(QStringLiteral("%1: %2 bytes is larger than the %3 bytes expected of this file")
                        .arg(path)
                        .arg(file.size())
                        .arg(maxBytes));
    return file.readAll();
}

QJsonObject readJsonObjectFile(const QString& path, qint64 maxBytes)
{
    return parseJsonObject(readFileAtMost(path, maxBytes), path);
}

QString jsonTypeName(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

namespace {

QJsonValue requireValue(const QJsonObject& object, const QString& key, const QString& origin)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        throw Error(QStringLiteral("%1: missing required field \"%2\"").arg(origin, key));
    return *it;
}

qint64 toInt(const QJsonValue& value, const QString& key, const QString& origin)
{
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::floor(number) != number || std::fabs(number) > 9.0e15)
        throw Error(QStringLiteral("%1: field \"%2\" must be an integer").arg(origin, key));
    return static_cast<qint64>(number);
}

double toDouble(const QJsonValue& value, const QString& key, const QString& origin)
{
    if (!value.isDouble())
        throw Error(QStringLiteral("%1: field \"%2\" must be a number").arg(origin, key));
    return value.toDouble();
}

} // namespace

qint64 requireInt(const QJsonObject& object, const QString& key, const QString& origin)
{
    return toInt(requireValue(object, key, origin), key, origin);
}

double requireDouble(const QJsonObject& object, const QString& key, const QString& origin)
{
    return toDouble(requireValue(object, key, origin), key, origin);
}

QString requireString(const QJsonObject& object, const QString& key, const QString& origin)
{
    const QJsonValue value = requireValue(object, key, origin);
    if (!value.isString())
        throw Error(QStringLiteral("%1: field \"%2\" must be a string").arg(origin, key));
    return value.toString();
}

qint64 optionalInt(const QJsonObject& object, const QString& key, qint64 fallback, const QString& origin)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        return fallback;
    return toInt(*it, key, origin);
}

double optionalDouble(const QJsonObject& object, const QString& key, double fallback, const QString& origin)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        return fallback;
    return toDouble(*it, key, origin);
}

bool optionalBool(const QJsonObject& object, const QString& key, bool fallback, const QString& origin)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isNull())
        return fallback;
    if (!it->isBool())
        throw Error(QStringLiteral("%1: field \"%2\" must be true or false").arg(origin, key));
    return it->toBool();
}

} // namespace ft
