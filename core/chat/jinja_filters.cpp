// Filters (`value | name` and `value | name(args)`), as @huggingface/jinja applies them: which filters
// exist depends on the operand's type, and a filter the type lacks is an error ("Unknown StringValue
// filter: first"). Added beyond the oracle, from Jinja: count, d, default without parentheses, round,
// select, reject, escape/e, first/last on strings.

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_json.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace ft::jinja {

namespace {

Failure failure(const QString& message) { return Failure{message}; }

const QSet<QString>& filterNames()
{
    static const QSet<QString> names{
        QStringLiteral("safe"),      QStringLiteral("tojson"),     QStringLiteral("list"),
        QStringLiteral("first"),     QStringLiteral("last"),       QStringLiteral("length"),
        QStringLiteral("count"),     QStringLiteral("reverse"),    QStringLiteral("sort"),
        QStringLiteral("join"),      QStringLiteral("string"),     QStringLiteral("unique"),
        QStringLiteral("upper"),     QStringLiteral("lower"),      QStringLiteral("title"),
        QStringLiteral("capitalize"), QStringLiteral("trim"),      QStringLiteral("indent"),
        QStringLiteral("int"),       QStringLiteral("float"),      QStringLiteral("abs"),
        QStringLiteral("round"),     QStringLiteral("items"),      QStringLiteral("keys"),
        QStringLiteral("values"),    QStringLiteral("dictsort"),   QStringLiteral("get"),
        QStringLiteral("bool"),      QStringLiteral("default"),    QStringLiteral("d"),
        QStringLiteral("selectattr"), QStringLiteral("rejectattr"), QStringLiteral("select"),
        QStringLiteral("reject"),    QStringLiteral("map"),        QStringLiteral("replace"),
        QStringLiteral("escape"),    QStringLiteral("e")};
    return names;
}

// parseInt(text, 10) / parseFloat(text): the leading number, NaN when there is none.
double parseLeadingNumber(const QString& text, bool integer)
{
    const QString s = jsTrimStart(text);
    qsizetype i = 0;
    if (i < s.size() && (s.at(i) == QLatin1Char('+') || s.at(i) == QLatin1Char('-')))
        ++i;
    if (!integer && QStringView(s).mid(i).startsWith(QLatin1String("Infinity")))
        return s.startsWith(QLatin1Char('-')) ? -INFINITY : INFINITY;
    const auto digitAt = [&s](qsizetype k) { return k < s.size() && s.at(k).unicode() >= '0' && s.at(k).unicode() <= '9'; };
    const qsizetype start = i;
    while (digitAt(i))
        ++i;
    bool any = i > start;
    if (!integer) {
        if (i < s.size() && s.at(i) == QLatin1Char('.')) {
            const qsizetype dot = i++;
            while (digitAt(i))
                ++i;
            any = any || i > dot + 1;
            if (!any)
                return NAN;
        }
        if (any && i < s.size() && (s.at(i) == QLatin1Char('e') || s.at(i) == QLatin1Char('E'))) {
            qsizetype k = i + 1;
            if (k < s.size() && (s.at(k) == QLatin1Char('+') || s.at(k) == QLatin1Char('-')))
                ++k;
            if (digitAt(k)) {
                while (digitAt(k))
                    ++k;
                i = k;
            }
        }
    }
    if (!any)
        return NAN;
    return s.left(i).toDouble();
}

QString htmlEscape(const QString& text)
{
    QString out;
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '&': out += QLatin1String("&amp;"); break;
        case '<': out += QLatin1String("&lt;"); break;
        case '>': out += QLatin1String("&gt;"); break;
        case '"': out += QLatin1String("&#34;"); break;
        case '\'': out += QLatin1String("&#39;"); break;
        default: out += c;
        }
    }
    return out;
}

QString indentLines(const QString& text, int width, bool first, bool blank)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    const QString pad(width, QLatin1Char(' '));
    for (qsizetype i = 0; i < lines.size(); ++i)
        if (!((!first && i == 0) || (!blank && lines[i].isEmpty())))
            lines[i] = pad + lines[i];
    return lines.join(QLatin1Char('\n'));
}

// Raw values joined as JavaScript's Array.prototype.join does (none and undefined as "").
QString joinValues(const Value& operand, const QString& separator)
{
    QStringList parts;
    if (operand.isString()) {
        const QString& s = operand.stringValue();
        for (qsizetype i = 0; i < s.size(); ++i) {
            const bool pair = s.at(i).isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate();
            parts << s.mid(i, pair ? 2 : 1);
            i += pair ? 1 : 0;
        }
    } else {
        for (const Value& item : operand.items())
            parts << (item.isNone() || item.isUndefined() ? QString() : item.toJsString());
    }
    return parts.join(separator);
}

Value uniqueItems(const Value& operand)
{
    ValueList out;
    for (const Value& item : operand.items()) {
        bool seen = false;
        for (const Value& kept : out)
            seen = seen || strictEquals(kept, item);
        if (!seen)
            out.push_back(item);
    }
    return Value::list(std::move(out));
}

Value roundNumber(const Value& operand, int precision, const QString& method)
{
    const double scale = std::pow(10.0, precision);
    const double x = operand.numberValue() * scale;
    double r = std::round(x);
    if (method == QLatin1String("floor"))
        r = std::floor(x);
    else if (method == QLatin1String("ceil"))
        r = std::ceil(x);
    else if (method != QLatin1String("common"))
        throw failure(QStringLiteral("method must be common, ceil or floor"));
    return Value::real(r / scale);
}

Value filterByTest(const Value& operand, const ValueList& args, bool select)
{
    ValueList out;
    const QString test = !args.empty() && args[0].isString() ? args[0].stringValue() : QString();
    if (!test.isEmpty() && !isKnownTest(test))
        throw failure(QStringLiteral("unknown test '%1'").arg(test));
    const ValueList testArgs(args.size() > 1 ? args.begin() + 1 : args.end(), args.end());
    for (const Value& item : operand.items()) {
        const bool passes = test.isEmpty() ? item.truthy() : runTest(test, item, testArgs);
        if (passes == select)
            out.push_back(item);
    }
    return Value::list(std::move(out));
}

const Value* keyword(const Value& kwargs, const char* name) { return kwargs.entries().find(QLatin1String(name)); }

Value pick(const ValueList& args, size_t index, const Value& kwargs, const char* name, const Value& fallback)
{
    if (index < args.size())
        return args[index];
    const Value* given = keyword(kwargs, name);
    return given ? *given : fallback;
}

} // namespace

bool isKnownFilter(const QString& name) { return filterNames().contains(name); }

Value Interpreter::applyFilter(const Value& operand, const Node& filter, const EnvironmentPtr& env)
{
    if (filter.kind == NodeKind::Call) {
        if (filter.a->kind != NodeKind::Identifier)
            throw failure(QStringLiteral("a filter's name must be a plain name"));
        return applyCallFilter(operand, filter.a->text, filter, env);
    }
    if (filter.kind != NodeKind::Identifier)
        throw failure(QStringLiteral("a filter's name must be a plain name"));
    const QString name = filter.text == QLatin1String("count") ? QStringLiteral("length") : filter.text;
    if (name == QLatin1String("safe"))
        return operand;
    if (name == QLatin1String("tojson"))
        return Value::string(toJson(operand));
    if (name == QLatin1String("default") || name == QLatin1String("d"))
        return operand.isUndefined() ? Value::string(QString()) : operand;
    if (operand.isList()) {
        const ValueList& items = operand.items();
        if (name == QLatin1String("list"))
            return operand;
        if (name == QLatin1String("first"))
            return items.empty() ? Value() : items.front();
        if (name == QLatin1String("last"))
            return items.empty() ? Value() : items.back();
        if (name == QLatin1String("length"))
            return Value::integer(qint64(items.size()));
        if (name == QLatin1String("reverse"))
            return Value::list(ValueList(items.rbegin(), items.rend()));
        if (name == QLatin1String("sort")) {
            ValueList sorted = items;
            std::stable_sort(sorted.begin(), sorted.end(),
                             [](const Value& a, const Value& b) { return compareValues(a, b, false) < 0; });
            return Value::list(std::move(sorted));
        }
        if (name == QLatin1String("join"))
            return Value::string(joinValues(operand, QString()));
        if (name == QLatin1String("string"))
            return Value::string(toJson(operand, {}, false));
        if (name == QLatin1String("unique"))
            return uniqueItems(operand);
        if (name == QLatin1String("select") || name == QLatin1String("reject"))
            return filterByTest(operand, {}, name == QLatin1String("select"));
        throw failure(QStringLiteral("Unknown ArrayValue filter: %1").arg(name));
    }
    if (operand.isString()) {
        const QString& s = operand.stringValue();
        if (name == QLatin1String("length"))
            return Value::integer(s.size());
        if (name == QLatin1String("upper") || name == QLatin1String("lower") || name == QLatin1String("title") ||
            name == QLatin1String("capitalize")) {
            ValueList none;
            return builtinMember(operand, name).callable()(none, env);
        }
        if (name == QLatin1String("trim"))
            return Value::string(jsTrim(s));
        if (name == QLatin1String("indent"))
            return Value::string(indentLines(s, 4, false, false));
        if (name == QLatin1String("join") || name == QLatin1String("string"))
            return operand;
        if (name == QLatin1String("int")) {
            const double v = parseLeadingNumber(s, true);
            return Value::integer(std::isnan(v) ? 0 : qint64(v));
        }
        if (name == QLatin1String("float")) {
            const double v = parseLeadingNumber(s, false);
            return Value::real(std::isnan(v) ? 0 : v);
        }
        if (name == QLatin1String("first"))
            return s.isEmpty() ? Value() : Value::string(QString(s.front()));
        if (name == QLatin1String("last"))
            return s.isEmpty() ? Value() : Value::string(QString(s.back()));
        if (name == QLatin1String("escape") || name == QLatin1String("e"))
            return Value::string(htmlEscape(s));
        throw failure(QStringLiteral("Unknown StringValue filter: %1").arg(name));
    }
    if (operand.isNumber()) {
        if (name == QLatin1String("abs"))
            return operand.isInt() ? Value::integer(std::llabs(operand.intValue()))
                                   : Value::real(std::fabs(operand.numberValue()));
        if (name == QLatin1String("int"))
            return operand.isInt() ? operand : Value::integer(qint64(std::floor(operand.numberValue())));
        if (name == QLatin1String("float"))
            return Value::real(operand.numberValue());
        if (name == QLatin1String("string"))
            return Value::string(operand.toOutput());
        if (name == QLatin1String("round"))
            return roundNumber(operand, 0, QStringLiteral("common"));
        if (name == QLatin1String("escape") || name == QLatin1String("e"))
            return Value::string(operand.toOutput());
        throw failure(QStringLiteral("Unknown NumericValue filter: %1").arg(name));
    }
    if (operand.isDict()) {
        if (name == QLatin1String("length"))
            return Value::integer(operand.entries().size());
        const Value builtin = builtinMember(operand, name);
        if (builtin.isFunction()) {
            ValueList none;
            return builtin.callable()(none, env);
        }
        throw failure(QStringLiteral("Unknown ObjectValue filter: %1").arg(name));
    }
    if (operand.isBool()) {
        if (name == QLatin1String("bool"))
            return operand;
        if (name == QLatin1String("int"))
            return Value::integer(operand.boolValue() ? 1 : 0);
        if (name == QLatin1String("float"))
            return Value::real(operand.boolValue() ? 1 : 0);
        if (name == QLatin1String("string"))
            return Value::string(operand.boolValue() ? QStringLiteral("true") : QStringLiteral("false"));
        throw failure(QStringLiteral("Unknown BooleanValue filter: %1").arg(name));
    }
    throw failure(QStringLiteral("Cannot apply filter \"%1\" to type: %2").arg(name, operand.typeName()));
}

Value Interpreter::applyCallFilter(const Value& operand, const QString& name, const Node& call,
                                   const EnvironmentPtr& env)
{
    auto [args, kwargs] = evaluateArguments(call.args, env);
    if (name == QLatin1String("tojson")) {
        JsonFormat format;
        const Value indent = pick({}, 0, kwargs, "indent", Value::none());
        if (!indent.isInt() && !indent.isNone())
            throw failure(QStringLiteral("If set, indent must be a number"));
        format.indent = indent.isInt() ? int(indent.intValue()) : 0;
        if (format.indent < 0)
            throw failure(QStringLiteral("indent must not be negative"));
        const Value ascii = pick({}, 0, kwargs, "ensure_ascii", Value::boolean(false));
        const Value sortKeys = pick({}, 0, kwargs, "sort_keys", Value::boolean(false));
        if (!ascii.isBool() || !sortKeys.isBool())
            throw failure(QStringLiteral("If set, ensure_ascii and sort_keys must be booleans"));
        format.ensureAscii = ascii.boolValue();
        format.sortKeys = sortKeys.boolValue();
        const Value separators = pick({}, 0, kwargs, "separators", Value::none());
        if (separators.isList()) {
            if (separators.items().size() != 2 || !separators.items()[0].isString() || !separators.items()[1].isString())
                throw failure(QStringLiteral("separators must be a tuple of two strings"));
            format.customSeparators = true;
            format.itemSeparator = separators.items()[0].stringValue();
            format.keySeparator = separators.items()[1].stringValue();
        } else if (!separators.isNone()) {
            throw failure(QStringLiteral("If set, separators must be a tuple of two strings"));
        }
        return Value::string(toJson(operand, format));
    }
    if (name == QLatin1String("join")) {
        if (!operand.isString() && !operand.isList())
            throw failure(QStringLiteral("Cannot apply filter \"join\" to type: %1").arg(operand.typeName()));
        const Value separator = pick(args, 0, kwargs, "separator", Value::string(QString()));
        if (!separator.isString())
            throw failure(QStringLiteral("separator must be a string"));
        return Value::string(joinValues(operand, separator.stringValue()));
    }
    if (name == QLatin1String("int") || name == QLatin1String("float")) {
        const bool integer = name == QLatin1String("int");
        const Value fallback = pick(args, 0, kwargs, "default", integer ? Value::integer(0) : Value::real(0));
        if (operand.isString()) {
            const double v = parseLeadingNumber(operand.stringValue(), integer);
            return std::isnan(v) ? fallback : integer ? Value::integer(qint64(v)) : Value::real(v);
        }
        if (operand.isNumber())
            return operand;
        if (operand.isBool())
            return integer ? Value::integer(operand.boolValue()) : Value::real(operand.boolValue());
        throw failure(QStringLiteral("Cannot apply filter \"%1\" to type: %2").arg(name, operand.typeName()));
    }
    if (name == QLatin1String("default") || name == QLatin1String("d")) {
        const Value fallback = args.size() > 0 ? args[0] : Value::string(QString());
        const Value boolean = pick(args, 1, kwargs, "boolean", Value::boolean(false));
        if (!boolean.isBool())
            throw failure(QStringLiteral("`default` filter flag must be a boolean"));
        return operand.isUndefined() || (boolean.boolValue() && !operand.truthy()) ? fallback : operand;
    }
    if (name == QLatin1String("round") && operand.isNumber()) {
        const Value precision = pick(args, 0, kwargs, "precision", Value::integer(0));
        const Value method = pick(args, 1, kwargs, "method", Value::string(QStringLiteral("common")));
        if (!precision.isInt() || !method.isString())
            throw failure(QStringLiteral("round(precision, method) needs an integer and a string"));
        return roundNumber(operand, int(precision.intValue()), method.stringValue());
    }
    if (operand.isList()) {
        if (name == QLatin1String("sort")) {
            const Value reverse = pick(args, 0, kwargs, "reverse", Value::boolean(false));
            const Value caseSensitive = pick(args, 1, kwargs, "case_sensitive", Value::boolean(false));
            const Value attribute = pick(args, 2, kwargs, "attribute", Value::none());
            if (!reverse.isBool() || !caseSensitive.isBool())
                throw failure(QStringLiteral("reverse and case_sensitive must be booleans"));
            if (!attribute.isString() && !attribute.isInt() && !attribute.isNone())
                throw failure(QStringLiteral("attribute must be a string, integer, or null"));
            const auto key = [&attribute](const Value& item) {
                if (attribute.isNone())
                    return item;
                return attributePath(item, attribute.isInt() ? QString::number(attribute.intValue())
                                                             : attribute.stringValue());
            };
            ValueList sorted = operand.items();
            std::stable_sort(sorted.begin(), sorted.end(), [&](const Value& a, const Value& b) {
                const int result = compareValues(key(a), key(b), caseSensitive.boolValue());
                return (reverse.boolValue() ? -result : result) < 0;
            });
            return Value::list(std::move(sorted));
        }
        if (name == QLatin1String("selectattr") || name == QLatin1String("rejectattr")) {
            const bool select = name == QLatin1String("selectattr");
            for (const Value& item : operand.items())
                if (!item.isAttributeContainer())
                    throw failure(QStringLiteral("`%1` can only be applied to array of objects").arg(name));
            if (args.empty() || !args[0].isString() || (args.size() > 1 && !args[1].isString()))
                throw failure(QStringLiteral("the attribute and test of `%1` must be strings").arg(name));
            const QString test = args.size() > 1 ? args[1].stringValue() : QString();
            if (!test.isEmpty() && !isKnownTest(test))
                throw failure(QStringLiteral("unknown test '%1'").arg(test));
            const ValueList testArgs(args.size() > 2 ? args.begin() + 2 : args.end(), args.end());
            ValueList out;
            for (const Value& item : operand.items()) {
                const Value* attribute = item.entries().find(args[0].stringValue());
                const bool result = attribute && (test.isEmpty() ? attribute->truthy() : runTest(test, *attribute, testArgs));
                if (result == select)
                    out.push_back(item);
            }
            return Value::list(std::move(out));
        }
        if (name == QLatin1String("select") || name == QLatin1String("reject"))
            return filterByTest(operand, args, name == QLatin1String("select"));
        if (name == QLatin1String("map")) {
            const Value* attribute = keyword(kwargs, "attribute");
            if (!attribute)
                throw failure(QStringLiteral("`map` expressions without `attribute` set are not currently supported."));
            if (!attribute->isString())
                throw failure(QStringLiteral("attribute must be a string"));
            const Value* fallback = keyword(kwargs, "default");
            ValueList out;
            for (const Value& item : operand.items()) {
                if (!item.isAttributeContainer())
                    throw failure(QStringLiteral("items in map must be an object"));
                const Value value = attributePath(item, attribute->stringValue());
                out.push_back(value.isUndefined() && fallback ? *fallback : value);
            }
            return Value::list(std::move(out));
        }
        throw failure(QStringLiteral("Unknown ArrayValue filter: %1").arg(name));
    }
    if (operand.isString()) {
        if (name == QLatin1String("indent")) {
            const Value width = pick(args, 0, kwargs, "width", Value::integer(4));
            if (!width.isInt())
                throw failure(QStringLiteral("width must be a number"));
            const Value first = pick(args, 1, kwargs, "first", Value::boolean(false));
            const Value blank = pick(args, 2, kwargs, "blank", Value::boolean(false));
            return Value::string(indentLines(operand.stringValue(), int(std::max<qint64>(0, width.intValue())),
                                             first.truthy(), blank.truthy()));
        }
        if (name == QLatin1String("replace")) {
            ValueList all = args;
            all.push_back(kwargs);
            return builtinMember(operand, name).callable()(all, env);
        }
        throw failure(QStringLiteral("Unknown StringValue filter: %1").arg(name));
    }
    if (operand.isDict()) {
        const Value builtin = builtinMember(operand, name);
        if (builtin.isFunction()) {
            if (kwargs.entries().size() > 0)
                args.push_back(kwargs);
            return builtin.callable()(args, env);
        }
        throw failure(QStringLiteral("Unknown ObjectValue filter: %1").arg(name));
    }
    throw failure(QStringLiteral("Cannot apply filter \"%1\" to type: %2").arg(name, operand.typeName()));
}

} // namespace ft::jinja
