#pragma once
// What Qt's JSON parser lets through and a dataset must not hold: a raw NUL byte (JSON forbids
// unescaped control characters; a NUL also ends C strings in every tool downstream) and an escaped
// lone UTF-16 surrogate ("\ud800" without its pair), which Qt silently turns into '?'.

#include <QByteArray>
#include <QString>

namespace ft {

struct JsonTextProblem {
    qsizetype offset = -1; // byte offset into the text, -1: none
    QString what;          // e.g. "a raw NUL byte inside a string"
};

// The first such problem in one JSON text (an object or a line), or offset -1.
JsonTextProblem findJsonTextProblem(const QByteArray& json);

} // namespace ft
