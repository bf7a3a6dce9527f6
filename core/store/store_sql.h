#pragma once
// How values are written to and read from columns (internal to ft_store): splits, tag lists,
// conversation turns, optional numbers.

#include <optional>

#include <QString>
#include <QStringList>
#include <QVariant>

#include "data/example_record.h"
#include "data/splits.h"

namespace ft::store {

// A string to bind: never NULL (a null QString binds as NULL, which the NOT NULL text columns refuse).
inline QString text(const QString& value) { return value.isNull() ? QStringLiteral("") : value; }

QString splitToSql(Split split); // "train", "val", "test"
Split splitFromSql(const QString& text);
std::optional<Split> splitFromText(const QString& text); // also accepts "validation"

// Tags are stored as ",a,b," (empty string: none), so that one tag is found with instr(tags, ',a,').
// A tag is trimmed, non-empty and holds no comma.
QString normalizeTag(const QString& tag); // throws ft::Error for an empty tag or one with a comma
QString tagsToSql(const QStringList& tags);
QStringList tagsFromSql(const QString& text);
// Tags from an imported file: commas become spaces, empty ones and repeats are dropped.
QStringList sanitizeTags(const QStringList& tags);

// Turns of a multi-turn example as a JSON array of {role, content}; NULL for a single exchange.
QVariant turnsToSql(const ExampleRecord& record);
void turnsFromSql(const QVariant& value, ExampleRecord* record);

QVariant optionalToSql(const std::optional<double>& value);
QVariant optionalToSql(const std::optional<qint64>& value);
std::optional<double> optionalDoubleFromSql(const QVariant& value);
std::optional<qint64> optionalIntFromSql(const QVariant& value);

// A NaN is stored as NULL (SQLite has no NaN) and read back as NaN.
QVariant doubleToSql(double value);
double doubleFromSql(const QVariant& value);

// The FTS5 query for words a person typed: every word must occur (as a prefix when it ends in '*');
// punctuation cannot produce a syntax error. Empty when there is no word.
QString ftsQueryFromText(const QString& text);

} // namespace ft::store
