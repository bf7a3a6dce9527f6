#include "data/json_string_check.h"

namespace ft {

namespace {

// The value of four hex digits at `at`, or -1 when they are not four hex digits.
int hex4(const QByteArray& json, qsizetype at)
{
    if (at + 4 > json.size())
        return -1;
    int value = 0;
    for (qsizetype i = at; i < at + 4; ++i) {
        const char c = json[i];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

bool isHighSurrogate(int unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool isLowSurrogate(int unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

QString unitText(int unit) { return QStringLiteral("\\u%1").arg(unit, 4, 16, QLatin1Char('0')); }

} // namespace

JsonTextProblem findJsonTextProblem(const QByteArray& json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (c == '\0')
            return {i, inString ? QStringLiteral("a raw NUL byte inside a string (remove it: no tool downstream keeps it)")
                                : QStringLiteral("a raw NUL byte")};
        if (!inString) {
            inString = c == '"';
            continue;
        }
        if (c == '"') {
            inString = false;
            continue;
        }
        if (c != '\\' || i + 1 >= json.size())
            continue;
        if (json[i + 1] != 'u') {
            ++i; // a one-character escape such as \" or \\ .
            continue;
        }
        const int unit = hex4(json, i + 2);
        if (unit < 0) {
            i += 1; // malformed: Qt's parser reports it
            continue;
        }
        if (isLowSurrogate(unit))
            return {i, QStringLiteral("an unpaired UTF-16 surrogate %1 in a string (a low surrogate without the "
                                      "high one before it)")
                           .arg(unitText(unit))};
        if (isHighSurrogate(unit)) {
            const bool paired = i + 7 < json.size() && json[i + 6] == '\\' && json[i + 7] == 'u' &&
                                isLowSurrogate(hex4(json, i + 8));
            if (!paired)
                return {i, QStringLiteral("an unpaired UTF-16 surrogate %1 in a string (a high surrogate must be "
                                          "followed by a low one, \\udc00 to \\udfff)")
                               .arg(unitText(unit))};
            i += 6; // the low half is checked with its pair
        }
        i += 5;
    }
    return {};
}

} // namespace ft
