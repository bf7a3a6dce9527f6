// The global names a template sees besides its context (as @huggingface/jinja's setupGlobals and
// Environment give them), and the comparison and attribute-path helpers the filters share.

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_interpreter.h"

#include <cmath>

namespace ft::jinja {

namespace {

Failure failure(const QString& message) { return Failure{message}; }

Value raiseException(const ValueList& args)
{
    QStringList parts; // String(args.map(x => x.value)): the values joined with ","
    for (const Value& arg : args)
        parts << (arg.isNone() || arg.isUndefined() ? QString() : arg.toJsString());
    throw Failure{parts.join(QLatin1Char(',')), true};
}

Value range(const ValueList& args)
{
    for (const Value& arg : args)
        if (!arg.isNumber() && !arg.isBool())
            throw failure(QStringLiteral("range() arguments must be numbers, not %1").arg(arg.typeName()));
    if (args.empty() || args.size() > 3)
        throw failure(QStringLiteral("range() takes one to three arguments"));
    double start = args[0].numberValue(), stop = 0, step = 1;
    if (args.size() == 1) {
        stop = start;
        start = 0;
    } else {
        stop = args[1].numberValue();
        if (args.size() > 2)
            step = args[2].numberValue();
    }
    if (step == 0)
        throw failure(QStringLiteral("range() step must not be zero"));
    if (std::fabs((stop - start) / step) > 10'000'000)
        throw failure(QStringLiteral("range() of more than 10 million numbers"));
    ValueList items;
    for (double i = start; step > 0 ? i < stop : i > stop; i += step)
        items.push_back(Value::jsNumber(i));
    return Value::list(std::move(items));
}

void addPair(Dict& into, const Value& pair)
{
    ValueList values;
    if (pair.isList()) {
        values = pair.items();
    } else if (pair.isString()) {
        for (const QChar c : pair.stringValue())
            values.push_back(Value::string(QString(c)));
    }
    if (values.size() != 2)
        throw failure(QStringLiteral("namespace expected an object or an iterable of [key, value] pairs"));
    if (!values[0].isString())
        throw failure(QStringLiteral("namespace keys must be strings"));
    into.set(values[0].stringValue(), values[1]);
}

// namespace(...) and, as an addition, dict(...): from a mapping or [key, value] pairs, and keywords.
Value makeMapping(ValueList args, Value::Kind kind, const char* name)
{
    Value result = Value::dict(kind);
    Value keywords;
    if (!args.empty() && args.back().kind() == Value::Kind::Kwargs) {
        keywords = args.back();
        args.pop_back();
    }
    if (args.size() > 1)
        throw failure(QStringLiteral("%1 expected at most 1 argument, got %2").arg(QLatin1String(name)).arg(args.size()));
    if (args.size() == 1) {
        if (args[0].isDict()) {
            for (const auto& [key, value] : args[0].entries().entries())
                result.entries().set(key, value);
        } else if (args[0].isList()) {
            for (const Value& pair : args[0].items())
                addPair(result.entries(), pair);
        } else {
            throw failure(QStringLiteral("'%1' object is not iterable").arg(args[0].typeName()));
        }
    }
    if (keywords.isDict())
        for (const auto& [key, value] : keywords.entries().entries())
            result.entries().set(key, value);
    return result;
}

} // namespace

int compareValues(const Value& a, const Value& b, bool caseSensitive)
{
    if (a.isNone() && b.isNone())
        return 0;
    if (a.isNone() || b.isNone())
        throw failure(QStringLiteral("Cannot compare %1 with %2").arg(a.typeName(), b.typeName()));
    if (a.isUndefined() && b.isUndefined())
        return 0;
    if (a.isUndefined() || b.isUndefined())
        throw failure(QStringLiteral("Cannot compare %1 with %2").arg(a.typeName(), b.typeName()));
    const auto numericLike = [](const Value& v) { return v.isNumber() || v.isBool(); };
    if (numericLike(a) && numericLike(b)) {
        const double x = a.numberValue(), y = b.numberValue();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind() != b.kind())
        throw failure(QStringLiteral("Cannot compare different types: %1 and %2").arg(a.typeName(), b.typeName()));
    if (!a.isString())
        throw failure(QStringLiteral("Cannot compare type: %1").arg(a.typeName()));
    const QString x = caseSensitive ? a.stringValue() : a.stringValue().toLower();
    const QString y = caseSensitive ? b.stringValue() : b.stringValue().toLower();
    const int c = x.compare(y, Qt::CaseSensitive);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

Value attributePath(const Value& item, const QString& path)
{
    Value value = item;
    for (const QString& part : path.split(QLatin1Char('.'))) {
        if (value.isAttributeContainer()) {
            const Value* found = value.entries().find(part);
            value = found ? *found : Value();
        } else if (value.isList()) {
            qsizetype digits = 0; // parseInt(part, 10): the leading integer
            while (digits < part.size() && part.at(digits).isDigit() && part.at(digits).unicode() < 128)
                ++digits;
            const qint64 index = digits > 0 ? part.left(digits).toLongLong() : -1;
            if (index < 0 || index >= qint64(value.items().size()))
                return {};
            value = value.items()[size_t(index)];
        } else {
            return {};
        }
    }
    return value;
}

QString strftime(const QDateTime& time, const QString& format)
{
    static const char* const longMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December"};
    const QDate date = time.date();
    const QTime clock = time.time();
    const auto pad2 = [](int n) { return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0')); };
    QString out;
    for (qsizetype i = 0; i < format.size(); ++i) {
        const QChar c = format.at(i);
        if (c != QLatin1Char('%') || i + 1 >= format.size()) {
            out += c;
            continue;
        }
        const QChar d = format.at(i + 1);
        const QString month = QLatin1String(longMonths[date.month() - 1]);
        switch (d.unicode()) {
        case 'Y': out += QString::number(date.year()); break;
        case 'm': out += pad2(date.month()); break;
        case 'd': out += pad2(date.day()); break;
        case 'b': out += month.left(3); break;
        case 'B': out += month; break;
        case 'H': out += pad2(clock.hour()); break;
        case 'M': out += pad2(clock.minute()); break;
        case '%': out += QLatin1Char('%'); break;
        default: out += c; continue; // left as written; the next character is copied on its own
        }
        ++i;
    }
    return out;
}

void installGlobals(Environment& env, const std::optional<QDateTime>& now)
{
    env.set(QStringLiteral("false"), Value::boolean(false));
    env.set(QStringLiteral("true"), Value::boolean(true));
    env.set(QStringLiteral("none"), Value::none());
    env.set(QStringLiteral("False"), Value::boolean(false));
    env.set(QStringLiteral("True"), Value::boolean(true));
    env.set(QStringLiteral("None"), Value::none());
    env.set(QStringLiteral("raise_exception"),
            Value::function(QStringLiteral("raise_exception"),
                            [](ValueList& args, const EnvironmentPtr&) { return raiseException(args); }));
    env.set(QStringLiteral("range"), Value::function(QStringLiteral("range"), [](ValueList& args, const EnvironmentPtr&) {
                return range(args);
            }));
    env.set(QStringLiteral("strftime_now"),
            Value::function(QStringLiteral("strftime_now"), [now](ValueList& args, const EnvironmentPtr&) {
                if (args.empty() || !args[0].isString())
                    throw failure(QStringLiteral("strftime_now() needs a format string"));
                return Value::string(strftime(now ? *now : QDateTime::currentDateTime(), args[0].stringValue()));
            }));
    env.set(QStringLiteral("namespace"),
            Value::function(QStringLiteral("namespace"), [](ValueList& args, const EnvironmentPtr&) {
                return makeMapping(args, Value::Kind::Namespace, "namespace");
            }));
    env.set(QStringLiteral("dict"), Value::function(QStringLiteral("dict"), [](ValueList& args, const EnvironmentPtr&) {
                return makeMapping(args, Value::Kind::Dict, "dict");
            }));
}

} // namespace ft::jinja
