#pragma once
// Reading JSON documents with errors that name the file, the line and the column.

#include <QByteArray>
#include <QJsonObject>
#include <QJsonParseError>
#include <QString>

namespace ft {

// Parses `bytes` as one JSON object; `origin` (usually a path) names it in errors.
QJsonObject parseJsonObject(const QByteArray& bytes, const QString& origin);

// A file's bytes, refusing files larger than `maxBytes`; errors name the file.
QByteArray readFileAtMost(const QString& path, qint64 maxBytes);

// Reads and parses a JSON object file, refusing files larger than `maxBytes`.
QJsonObject readJsonObjectFile(const QString& path, qint64 maxBytes = 64 * 1024 * 1024);

// "a string", "a number", "an array", "an object", "a boolean", "null"; "nothing" for a missing value.
QString jsonTypeName(const QJsonValue& value);

// What is wrong with `bytes`, for an error Qt's parser reported. Qt calls a text that merely ends
// before its closing '}' an "unterminated string"; this says that it ends early and what it lacks.
QString jsonErrorText(const QByteArray& bytes, const QJsonParseError& error);

// "line L, column C" for a byte offset into `bytes`.
QString describeOffset(const QByteArray& bytes, qint64 offset);

// Typed access with errors naming the file and the key.
qint64 requireInt(const QJsonObject& object, const QString& key, const QString& origin);
double requireDouble(const QJsonObject& object, const QString& key, const QString& origin);
QString requireString(const QJsonObject& object, const QString& key, const QString& origin);
qint64 optionalInt(const QJsonObject& object, const QString& key, qint64 fallback, const QString& origin);
double optionalDouble(const QJsonObject& object, const QString& key, double fallback, const QString& origin);
bool optionalBool(const QJsonObject& object, const QString& key, bool fallback, const QString& origin);

} // namespace ft
