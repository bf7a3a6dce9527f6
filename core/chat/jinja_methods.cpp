// The methods of strings, lists and dicts (`text.strip()`, `d.items()`), as @huggingface/jinja has
// them: strip/lstrip/rstrip take no characters (they remove whitespace, whatever is passed), title
// capitalises the first letter of each ASCII word without lowering the rest, capitalize leaves the
// rest as it is, split follows Python's str.split. list.append is an addition from Jinja/Python.

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace ft::jinja {

namespace {

Failure failure(const QString& message) { return Failure{message}; }

Value method(const QString& name, Callable callable) { return Value::function(name, std::move(callable)); }

bool isAsciiWordChar(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_';
}

QString titleCase(const QString& text)
{
    QString out = text;
    for (qsizetype i = 0; i < out.size(); ++i)
        if (isAsciiWordChar(out.at(i)) && (i == 0 || !isAsciiWordChar(text.at(i - 1))))
            out[i] = out.at(i).toUpper();
    return out;
}

bool affixMatches(const QString& text, const Value& pattern, bool prefix, const char* name)
{
    const auto test = [&](const QString& affix) { return prefix ? text.startsWith(affix) : text.endsWith(affix); };
    if (pattern.isString())
        return test(pattern.stringValue());
    if (pattern.isList()) {
        for (const Value& item : pattern.items()) {
            if (!item.isString())
                throw failure(QStringLiteral("%1() tuple elements must be strings").arg(QLatin1String(name)));
            if (test(item.stringValue()))
                return true;
        }
        return false;
    }
    throw failure(QStringLiteral("%1() argument must be a string or tuple of strings").arg(QLatin1String(name)));
}

Value split(const QString& text, const ValueList& args)
{
    const Value sep = args.size() > 0 ? args[0] : Value::none();
    if (!sep.isString() && !sep.isNone())
        throw failure(QStringLiteral("sep argument must be a string or null"));
    const Value maxValue = args.size() > 1 ? args[1] : Value::integer(-1);
    if (!maxValue.isInt())
        throw failure(QStringLiteral("maxsplit argument must be a number"));
    const qint64 maxsplit = maxValue.intValue();
    QStringList parts;
    if (sep.isNone()) {
        const QString trimmed = jsTrimStart(text);
        qsizetype i = 0;
        while (i < trimmed.size()) {
            while (i < trimmed.size() && isJsSpace(trimmed.at(i)))
                ++i;
            if (i >= trimmed.size())
                break;
            qsizetype end = i;
            while (end < trimmed.size() && !isJsSpace(trimmed.at(end)))
                ++end;
            if (maxsplit != -1 && parts.size() >= maxsplit) {
                parts << trimmed.mid(i);
                break;
            }
            parts << trimmed.mid(i, end - i);
            i = end;
        }
    } else {
        if (sep.stringValue().isEmpty())
            throw failure(QStringLiteral("empty separator"));
        parts = text.split(sep.stringValue());
        if (maxsplit != -1 && parts.size() > maxsplit) {
            const qsizetype start = maxsplit < 0 ? std::max<qsizetype>(parts.size() + maxsplit, 0) : qsizetype(maxsplit);
            const QString rest = parts.mid(start).join(sep.stringValue());
            parts = parts.mid(0, start);
            parts << rest;
        }
    }
    ValueList items;
    for (const QString& part : parts)
        items.push_back(Value::string(part));
    return Value::list(std::move(items));
}

// JavaScript's replaceAll with a count limit; an empty pattern matches between code points.
QString replaceText(const QString& text, const QString& from, const QString& to, qint64 count)
{
    if (count == 0)
        return text;
    qint64 remaining = count < 0 ? std::numeric_limits<qint64>::max() : count;
    QString out;
    if (from.isEmpty()) {
        for (qsizetype i = 0; i <= text.size(); ++i) {
            const bool inPair = i > 0 && i < text.size() && text.at(i).isLowSurrogate() && text.at(i - 1).isHighSurrogate();
            if (!inPair && remaining > 0) {
                out += to;
                --remaining;
            }
            if (i < text.size())
                out += text.at(i);
        }
        return out;
    }
    qsizetype pos = 0;
    while (remaining > 0) {
        const qsizetype hit = text.indexOf(from, pos);
        if (hit < 0)
            break;
        out += QStringView(text).mid(pos, hit - pos);
        out += to;
        pos = hit + from.size();
        --remaining;
    }
    out += QStringView(text).mid(pos);
    return out;
}

Value replace(const QString& text, const ValueList& args)
{
    if (args.size() < 2)
        throw failure(QStringLiteral("replace() requires at least two arguments"));
    if (!args[0].isString() || !args[1].isString())
        throw failure(QStringLiteral("replace() arguments must be strings"));
    Value count = Value::none();
    if (args.size() > 2) {
        if (args[2].kind() == Value::Kind::Kwargs) {
            const Value* given = args[2].entries().find(QStringLiteral("count"));
            count = given ? *given : Value::none();
        } else {
            count = args[2];
        }
    }
    if (!count.isInt() && !count.isNone())
        throw failure(QStringLiteral("replace() count argument must be a number or null"));
    return Value::string(replaceText(text, args[0].stringValue(), args[1].stringValue(),
                                     count.isInt() ? count.intValue() : -1));
}

Value stringMember(const QString& s, const QString& name)
{
    if (name == QLatin1String("length"))
        return Value::integer(s.size());
    if (name == QLatin1String("upper"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(s.toUpper()); });
    if (name == QLatin1String("lower"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(s.toLower()); });
    if (name == QLatin1String("strip"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(jsTrim(s)); });
    if (name == QLatin1String("lstrip"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(jsTrimStart(s)); });
    if (name == QLatin1String("rstrip"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(jsTrimEnd(s)); });
    if (name == QLatin1String("title"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) { return Value::string(titleCase(s)); });
    if (name == QLatin1String("capitalize"))
        return method(name, [s](ValueList&, const EnvironmentPtr&) {
            return Value::string(s.isEmpty() ? s : QString(s.at(0)).toUpper() + s.mid(1));
        });
    if (name == QLatin1String("startswith") || name == QLatin1String("endswith")) {
        const bool prefix = name == QLatin1String("startswith");
        return method(name, [s, prefix](ValueList& args, const EnvironmentPtr&) {
            const char* label = prefix ? "startswith" : "endswith";
            if (args.empty())
                throw failure(QStringLiteral("%1() requires at least one argument").arg(QLatin1String(label)));
            return Value::boolean(affixMatches(s, args[0], prefix, label));
        });
    }
    if (name == QLatin1String("split"))
        return method(name, [s](ValueList& args, const EnvironmentPtr&) { return split(s, args); });
    if (name == QLatin1String("replace"))
        return method(name, [s](ValueList& args, const EnvironmentPtr&) { return replace(s, args); });
    return {};
}

Value dictMember(const Value& object, const QString& name)
{
    if (name == QLatin1String("get"))
        return method(name, [object](ValueList& args, const EnvironmentPtr&) {
            if (args.empty() || !args[0].isString())
                throw failure(QStringLiteral("Object key must be a string: got %1")
                                  .arg(args.empty() ? QStringLiteral("UndefinedValue") : args[0].typeName()));
            if (const Value* found = object.entries().find(args[0].stringValue()))
                return *found;
            return args.size() > 1 ? args[1] : Value::none();
        });
    if (name == QLatin1String("items") || name == QLatin1String("keys") || name == QLatin1String("values"))
        return method(name, [object, name](ValueList&, const EnvironmentPtr&) {
            ValueList items;
            for (const auto& [key, value] : object.entries().entries()) {
                if (name == QLatin1String("items"))
                    items.push_back(Value::list({Value::string(key), value}));
                else
                    items.push_back(name == QLatin1String("keys") ? Value::string(key) : value);
            }
            return Value::list(std::move(items));
        });
    if (name == QLatin1String("dictsort"))
        return method(name, [object](ValueList& args, const EnvironmentPtr&) {
            Value kwargs = Value::dict(Value::Kind::Kwargs);
            ValueList positional;
            for (const Value& arg : args) {
                if (arg.kind() == Value::Kind::Kwargs)
                    kwargs = arg;
                else
                    positional.push_back(arg);
            }
            const auto option = [&](size_t i, const char* key, const Value& fallback) {
                if (i < positional.size())
                    return positional[i];
                const Value* given = kwargs.entries().find(QLatin1String(key));
                return given ? *given : fallback;
            };
            const Value caseSensitive = option(0, "case_sensitive", Value::boolean(false));
            const Value by = option(1, "by", Value::string(QStringLiteral("key")));
            const Value reverse = option(2, "reverse", Value::boolean(false));
            if (!caseSensitive.isBool())
                throw failure(QStringLiteral("case_sensitive must be a boolean"));
            if (!by.isString() || (by.stringValue() != QLatin1String("key") && by.stringValue() != QLatin1String("value")))
                throw failure(QStringLiteral("by must be either 'key' or 'value'"));
            if (!reverse.isBool())
                throw failure(QStringLiteral("reverse must be a boolean"));
            ValueList items;
            for (const auto& [key, value] : object.entries().entries())
                items.push_back(Value::list({Value::string(key), value}));
            const size_t index = by.stringValue() == QLatin1String("key") ? 0 : 1;
            std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
                const int result = compareValues(a.items()[index], b.items()[index], caseSensitive.boolValue());
                return (reverse.boolValue() ? -result : result) < 0;
            });
            return Value::list(std::move(items));
        });
    return {};
}

} // namespace

Value builtinMember(const Value& object, const QString& name)
{
    if (object.isString())
        return stringMember(object.stringValue(), name);
    if (object.isDict())
        return dictMember(object, name);
    if (object.isList()) {
        if (name == QLatin1String("length"))
            return Value::integer(qint64(object.items().size()));
        if (name == QLatin1String("append") && object.kind() == Value::Kind::List)
            return method(name, [object](ValueList& args, const EnvironmentPtr&) {
                if (args.size() != 1)
                    throw failure(QStringLiteral("append() takes exactly one argument"));
                object.items().push_back(args[0]);
                return Value::none();
            });
    }
    return {};
}

} // namespace ft::jinja
