#include "store/store_sql.h"

#include <cmath>
#include <limits>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include "common/error.h"

namespace ft::store {

QString splitToSql(Split split) { return splitName(split); }

std::optional<Split> splitFromText(const QString& text)
{
    Split split = Split::Train;
    if (!splitFromName(text, &split))
        return std::nullopt;
    return split;
}

Split splitFromSql(const QString& text) { return splitFromText(text).value_or(Split::Train); }

QString normalizeTag(const QString& tag)
{
    const QString trimmed = tag.trimmed();
    if (trimmed.isEmpty())
        throw Error(QStringLiteral("a tag cannot be empty"));
    if (trimmed.contains(QLatin1Char(',')))
        throw Error(QStringLiteral("tag \"%1\": a tag cannot contain a comma").arg(trimmed));
    return trimmed;
}

QString tagsToSql(const QStringList& tags)
{
    if (tags.isEmpty())
        return QStringLiteral("");
    return QLatin1Char(',') + tags.join(QLatin1Char(',')) + QLatin1Char(',');
}

QStringList tagsFromSql(const QString& text) { return text.split(QLatin1Char(','), Qt::SkipEmptyParts); }

QStringList sanitizeTags(const QStringList& tags)
{
    QStringList result;
    for (QString tag : tags) {
        tag = tag.replace(QLatin1Char(','), QLatin1Char(' ')).simplified();
        if (!tag.isEmpty() && !result.contains(tag))
            result << tag;
    }
    return result;
}

QVariant turnsToSql(const ExampleRecord& record)
{
    if (!record.isMultiTurn())
        return QVariant(QMetaType::fromType<QString>());
    QJsonArray turns;
    for (const ChatTurn& turn : record.turns)
        turns.append(
            QJsonObject{{QStringLiteral("role"),
                         turn.role == ChatTurn::Role::User ? QStringLiteral("user") : QStringLiteral("assistant")},
                        {QStringLiteral("content"), turn.content}});
    return QString::fromUtf8(QJsonDocument(turns).toJson(QJsonDocument::Compact));
}

void turnsFromSql(const QVariant& value, ExampleRecord* record)
{
    record->turns.clear();
    if (value.isNull())
        return;
    const QJsonArray turns = QJsonDocument::fromJson(value.toString().toUtf8()).array();
    for (const QJsonValue& turn : turns) {
        const QJsonObject object = turn.toObject();
        record->turns.push_back({object.value(QStringLiteral("role")).toString() == QLatin1String("assistant")
                                     ? ChatTurn::Role::Assistant
                                     : ChatTurn::Role::User,
                                 object.value(QStringLiteral("content")).toString()});
    }
}

QVariant optionalToSql(const std::optional<double>& value)
{
    return value ? doubleToSql(*value) : QVariant(QMetaType::fromType<double>());
}

QVariant optionalToSql(const std::optional<qint64>& value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

std::optional<double> optionalDoubleFromSql(const QVariant& value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

std::optional<qint64> optionalIntFromSql(const QVariant& value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

QVariant doubleToSql(double value)
{
    return std::isnan(value) ? QVariant(QMetaType::fromType<double>()) : QVariant(value);
}

double doubleFromSql(const QVariant& value)
{
    return value.isNull() ? std::numeric_limits<double>::quiet_NaN() : value.toDouble();
}

QString ftsQueryFromText(const QString& text)
{
    static const QRegularExpression word(QStringLiteral("[\\p{L}\\p{N}_]+(\\*)?"));
    QStringList terms;
    auto it = word.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        QString term = match.captured(0);
        const bool prefix = term.endsWith(QLatin1Char('*'));
        if (prefix)
            term.chop(1);
        terms << QLatin1Char('"') + term + QLatin1Char('"') + (prefix ? QStringLiteral("*") : QString());
    }
    return terms.join(QLatin1Char(' '));
}

} // namespace ft::store
