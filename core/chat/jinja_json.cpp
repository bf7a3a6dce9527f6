#include "chat/jinja_json.h"

#include "chat/jinja_error.h"
#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace ft::jinja {

// ---- writing ----------------------------------------------------------------------------------

QString jsonQuote(const QString& text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        switch (c.unicode()) {
        case '"': out += QLatin1String("\\\""); continue;
        case '\\': out += QLatin1String("\\\\"); continue;
        case '\b': out += QLatin1String("\\b"); continue;
        case '\f': out += QLatin1String("\\f"); continue;
        case '\n': out += QLatin1String("\\n"); continue;
        case '\r': out += QLatin1String("\\r"); continue;
        case '\t': out += QLatin1String("\\t"); continue;
        default: break;
        }
        bool escape = c.unicode() < 0x20;
        if (c.isHighSurrogate())
            escape = !(i + 1 < text.size() && text.at(i + 1).isLowSurrogate());
        else if (c.isLowSurrogate())
            escape = !(i > 0 && text.at(i - 1).isHighSurrogate());
        if (escape)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    out += QLatin1Char('"');
    return out;
}

namespace {

QString asciiSafe(const QString& text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c.unicode() >= 0x7f)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

// An approximation of JavaScript's localeCompare (ICU's root collation), which sort_keys uses:
// punctuation and symbols before digits before letters, letters without regard to case first, then
// lower case before upper case.
int collationGroup(QChar c)
{
    if (c.isLetter())
        return 3;
    if (c.isDigit())
        return 2;
    return 1;
}

bool localeLess(const QString& a, const QString& b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const QChar x = a.at(i), y = b.at(i);
        const int gx = collationGroup(x), gy = collationGroup(y);
        if (gx != gy)
            return gx < gy;
        const char16_t lx = x.toLower().unicode(), ly = y.toLower().unicode();
        if (lx != ly)
            return lx < ly;
    }
    if (a.size() != b.size())
        return a.size() < b.size();
    for (qsizetype i = 0; i < n; ++i)
        if (a.at(i) != b.at(i))
            return a.at(i).isLower();
    return false;
}

QString write(const Value& value, const JsonFormat& format, int depth, bool undefinedAsNull)
{
    QString itemSeparator = QStringLiteral(", "), keySeparator = QStringLiteral(": ");
    if (format.customSeparators) {
        itemSeparator = format.itemSeparator;
        keySeparator = format.keySeparator;
    } else if (format.indent != 0) {
        itemSeparator = QStringLiteral(",");
    }
    switch (value.kind()) {
    case Value::Kind::None: return QStringLiteral("null");
    case Value::Kind::Undefined: return undefinedAsNull ? QStringLiteral("null") : QStringLiteral("undefined");
    case Value::Kind::Bool: return value.boolValue() ? QStringLiteral("true") : QStringLiteral("false");
    case Value::Kind::Int: return QString::number(value.intValue());
    case Value::Kind::Float:
        return std::isfinite(value.numberValue()) ? jsNumberToString(value.numberValue()) : QStringLiteral("null");
    case Value::Kind::String: {
        const QString quoted = jsonQuote(value.stringValue());
        return format.ensureAscii ? asciiSafe(quoted) : quoted;
    }
    case Value::Kind::Function:
    case Value::Kind::Tuple: // the oracle writes neither
    case Value::Kind::Kwargs: throw Failure{QStringLiteral("Cannot convert to JSON: %1").arg(value.typeName())};
    default: break;
    }
    const QString indentUnit = format.indent > 0 ? QString(format.indent, QLatin1Char(' ')) : QString();
    const QString basePadding = QLatin1Char('\n') + indentUnit.repeated(depth);
    const QString childPadding = basePadding + indentUnit;
    const bool indented = format.indent != 0;
    QStringList parts;
    if (value.isList()) {
        for (const Value& item : value.items())
            parts << write(item, format, depth + 1, undefinedAsNull);
        if (indented && !parts.isEmpty())
            return QLatin1Char('[') + childPadding + parts.join(itemSeparator + childPadding) + basePadding +
                   QLatin1Char(']');
        return QLatin1Char('[') + parts.join(itemSeparator) + QLatin1Char(']');
    }
    std::vector<std::pair<QString, Value>> entries = value.entries().entries();
    if (format.sortKeys)
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return localeLess(a.first, b.first); });
    for (const auto& [key, item] : entries) {
        const QString quotedKey = format.ensureAscii ? asciiSafe(jsonQuote(key)) : jsonQuote(key);
        const QString entry = quotedKey + keySeparator + write(item, format, depth + 1, undefinedAsNull);
        parts << (indented ? childPadding + entry : entry);
    }
    if (indented && !parts.isEmpty())
        return QLatin1Char('{') + parts.join(itemSeparator) + basePadding + QLatin1Char('}');
    return QLatin1Char('{') + parts.join(itemSeparator) + QLatin1Char('}');
}

} // namespace

QString toJson(const Value& value, const JsonFormat& format, bool undefinedAsNull)
{
    return write(value, format, 0, undefinedAsNull);
}

// ---- reading ----------------------------------------------------------------------------------

namespace {

class JsonReader {
public:
    JsonReader(const QString& text, const QString& origin)
        : text_(text)
        , origin_(origin)
    {
    }

    Value document()
    {
        Value result = value(0);
        skipSpace();
        if (pos_ < text_.size())
            fail(QStringLiteral("unexpected text after the JSON value"));
        return result;
    }

private:
    [[noreturn]] void fail(const QString& what) const
    {
        const SourcePosition p = positionOf(text_, int(pos_));
        throw ft::Error(QStringLiteral("%1: line %2, column %3: %4").arg(origin_).arg(p.line).arg(p.column).arg(what));
    }

    void skipSpace()
    {
        while (pos_ < text_.size()) {
            const char16_t c = text_.at(pos_).unicode();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++pos_;
        }
    }

    bool take(QLatin1String word)
    {
        if (QStringView(text_).mid(pos_, word.size()) != word)
            return false;
        pos_ += word.size();
        return true;
    }

    Value value(int depth)
    {
        if (depth > 512)
            fail(QStringLiteral("JSON nested deeper than 512 levels"));
        skipSpace();
        if (pos_ >= text_.size())
            fail(QStringLiteral("unexpected end of the JSON text"));
        const QChar c = text_.at(pos_);
        if (c == QLatin1Char('{'))
            return object(depth);
        if (c == QLatin1Char('['))
            return array(depth);
        if (c == QLatin1Char('"'))
            return Value::string(string());
        if (take(QLatin1String("true")))
            return Value::boolean(true);
        if (take(QLatin1String("false")))
            return Value::boolean(false);
        if (take(QLatin1String("null")))
            return Value::none();
        if (c == QLatin1Char('-') || c.isDigit())
            return number();
        fail(QStringLiteral("unexpected character '%1' in JSON").arg(c));
    }

    Value object(int depth)
    {
        ++pos_;
        Value result = Value::dict();
        skipSpace();
        if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char('}')) {
            ++pos_;
            return result;
        }
        for (;;) {
            skipSpace();
            if (pos_ >= text_.size() || text_.at(pos_) != QLatin1Char('"'))
                fail(QStringLiteral("expected a string key in a JSON object"));
            const QString key = string();
            skipSpace();
            if (pos_ >= text_.size() || text_.at(pos_) != QLatin1Char(':'))
                fail(QStringLiteral("expected ':' after a key in a JSON object"));
            ++pos_;
            result.entries().set(key, value(depth + 1));
            skipSpace();
            if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char(',')) {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char('}')) {
                ++pos_;
                return result;
            }
            fail(QStringLiteral("expected ',' or '}' in a JSON object"));
        }
    }

    Value array(int depth)
    {
        ++pos_;
        ValueList items;
        skipSpace();
        if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char(']')) {
            ++pos_;
            return Value::list();
        }
        for (;;) {
            items.push_back(value(depth + 1));
            skipSpace();
            if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char(',')) {
                ++pos_;
                continue;
            }
            if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char(']')) {
                ++pos_;
                return Value::list(std::move(items));
            }
            fail(QStringLiteral("expected ',' or ']' in a JSON array"));
        }
    }

    QString string()
    {
        ++pos_;
        QString out;
        while (pos_ < text_.size()) {
            const QChar c = text_.at(pos_++);
            if (c == QLatin1Char('"'))
                return out;
            if (c.unicode() < 0x20)
                fail(QStringLiteral("control character in a JSON string"));
            if (c != QLatin1Char('\\')) {
                out += c;
                continue;
            }
            if (pos_ >= text_.size())
                break;
            const QChar e = text_.at(pos_++);
            switch (e.unicode()) {
            case '"': out += QLatin1Char('"'); break;
            case '\\': out += QLatin1Char('\\'); break;
            case '/': out += QLatin1Char('/'); break;
            case 'b': out += QLatin1Char('\b'); break;
            case 'f': out += QLatin1Char('\f'); break;
            case 'n': out += QLatin1Char('\n'); break;
            case 'r': out += QLatin1Char('\r'); break;
            case 't': out += QLatin1Char('\t'); break;
            case 'u': {
                bool ok = false;
                const uint code = text_.mid(pos_, 4).toUInt(&ok, 16);
                if (!ok || text_.mid(pos_, 4).size() != 4)
                    fail(QStringLiteral("bad \\u escape in a JSON string"));
                out += QChar(char16_t(code));
                pos_ += 4;
                break;
            }
            default: fail(QStringLiteral("bad escape '\\%1' in a JSON string").arg(e));
            }
        }
        fail(QStringLiteral("unterminated JSON string"));
    }

    Value number()
    {
        const qsizetype start = pos_;
        if (text_.at(pos_) == QLatin1Char('-'))
            ++pos_;
        auto digits = [this] {
            const qsizetype from = pos_;
            while (pos_ < text_.size() && text_.at(pos_).isDigit() && text_.at(pos_).unicode() < 128)
                ++pos_;
            return pos_ > from;
        };
        if (!digits())
            fail(QStringLiteral("bad number in JSON"));
        if (pos_ < text_.size() && text_.at(pos_) == QLatin1Char('.')) {
            ++pos_;
            if (!digits())
                fail(QStringLiteral("bad number in JSON"));
        }
        if (pos_ < text_.size() && (text_.at(pos_) == QLatin1Char('e') || text_.at(pos_) == QLatin1Char('E'))) {
            ++pos_;
            if (pos_ < text_.size() && (text_.at(pos_) == QLatin1Char('+') || text_.at(pos_) == QLatin1Char('-')))
                ++pos_;
            if (!digits())
                fail(QStringLiteral("bad number in JSON"));
        }
        return Value::jsNumber(text_.mid(start, pos_ - start).toDouble());
    }

    const QString& text_;
    QString origin_;
    qsizetype pos_ = 0;
};

} // namespace

Value parseJson(const QByteArray& utf8, const QString& origin)
{
    const QString text = QString::fromUtf8(utf8);
    return JsonReader(text, origin).document();
}

} // namespace ft::jinja
