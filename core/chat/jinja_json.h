#pragma once
// JSON for the Jinja interpreter: the `tojson` filter exactly as @huggingface/jinja writes it
// (JSON.stringify's escaping, ", " and ": " separators without an indent, "," and ": " with one),
// and an order-keeping JSON reader, so that tool schemas print their keys in the order they were
// written (QJsonObject sorts them).

#include "chat/jinja_value.h"

#include <QByteArray>
#include <QString>

namespace ft::jinja {

struct JsonFormat {
    int indent = 0; // 0: one line
    bool ensureAscii = false;
    bool sortKeys = false;
    bool customSeparators = false;
    QString itemSeparator; // with customSeparators
    QString keySeparator;
};

// The oracle's toJSON. Undefined prints as null (or as `undefined` when undefinedAsNull is false, as
// `{{ list }}` does); functions cannot be written (a Failure).
QString toJson(const Value& value, const JsonFormat& format = {}, bool undefinedAsNull = true);
// JSON.stringify of one string.
QString jsonQuote(const QString& text);

// Parses JSON text into values, keeping every object's key order; a TemplateError-free ft::Error
// naming `origin`, the line and the column on bad input.
Value parseJson(const QByteArray& utf8, const QString& origin);

} // namespace ft::jinja
