// The tests after `is` (and the ones selectattr/rejectattr/select/reject name), as @huggingface/jinja
// defines them, plus float, in, ne, sameas and divisibleby from Jinja.

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"

#include <QSet>

#include <cmath>

namespace ft::jinja {

namespace {

const QSet<QString>& testNames()
{
    static const QSet<QString> names{
        QStringLiteral("boolean"), QStringLiteral("callable"), QStringLiteral("odd"),
        QStringLiteral("even"),    QStringLiteral("false"),    QStringLiteral("true"),
        QStringLiteral("none"),    QStringLiteral("string"),   QStringLiteral("number"),
        QStringLiteral("integer"), QStringLiteral("iterable"), QStringLiteral("mapping"),
        QStringLiteral("sequence"), QStringLiteral("lower"),   QStringLiteral("upper"),
        QStringLiteral("defined"), QStringLiteral("undefined"), QStringLiteral("equalto"),
        QStringLiteral("eq"),
        // beyond the oracle, from Jinja
        QStringLiteral("float"), QStringLiteral("in"), QStringLiteral("ne"), QStringLiteral("sameas"),
        QStringLiteral("divisibleby")};
    return names;
}

const Value& argument(const ValueList& args, const QString& test)
{
    if (args.empty())
        throw Failure{QStringLiteral("the test '%1' needs an argument").arg(test)};
    return args.front();
}

} // namespace

bool isKnownTest(const QString& name) { return testNames().contains(name); }

bool runTest(const QString& name, const Value& operand, const ValueList& args)
{
    using K = Value::Kind;
    const K kind = operand.kind();
    if (name == QLatin1String("boolean"))
        return kind == K::Bool;
    if (name == QLatin1String("callable"))
        return kind == K::Function;
    if (name == QLatin1String("odd") || name == QLatin1String("even")) {
        if (kind != K::Int)
            throw Failure{QStringLiteral("cannot %1 on %2").arg(name, operand.typeName())};
        return (operand.intValue() % 2 != 0) == (name == QLatin1String("odd"));
    }
    if (name == QLatin1String("false"))
        return kind == K::Bool && !operand.boolValue();
    if (name == QLatin1String("true"))
        return kind == K::Bool && operand.boolValue();
    if (name == QLatin1String("none"))
        return kind == K::None;
    if (name == QLatin1String("string"))
        return kind == K::String;
    if (name == QLatin1String("number"))
        return operand.isNumber();
    if (name == QLatin1String("integer"))
        return kind == K::Int;
    if (name == QLatin1String("float"))
        return kind == K::Float;
    if (name == QLatin1String("iterable"))
        return kind == K::List || kind == K::String;
    if (name == QLatin1String("mapping"))
        return operand.isDict();
    if (name == QLatin1String("sequence"))
        return operand.isList() || operand.isDict() || kind == K::String;
    if (name == QLatin1String("lower"))
        return kind == K::String && operand.stringValue() == operand.stringValue().toLower();
    if (name == QLatin1String("upper"))
        return kind == K::String && operand.stringValue() == operand.stringValue().toUpper();
    if (name == QLatin1String("defined"))
        return kind != K::Undefined;
    if (name == QLatin1String("undefined"))
        return kind == K::Undefined;
    if (name == QLatin1String("equalto") || name == QLatin1String("eq"))
        return strictEquals(operand, argument(args, name));
    if (name == QLatin1String("ne"))
        return !strictEquals(operand, argument(args, name));
    if (name == QLatin1String("sameas")) {
        const Value& other = argument(args, name);
        return operand.kind() == other.kind() && strictEquals(operand, other);
    }
    if (name == QLatin1String("divisibleby")) {
        const Value& other = argument(args, name);
        if (!operand.isNumber() || !other.isNumber() || other.numberValue() == 0)
            throw Failure{QStringLiteral("divisibleby needs numbers, and a divisor other than 0")};
        return std::fmod(operand.numberValue(), other.numberValue()) == 0;
    }
    if (name == QLatin1String("in")) {
        const Value& container = argument(args, name);
        if (container.isList()) {
            for (const Value& item : container.items())
                if (strictEquals(item, operand))
                    return true;
            return false;
        }
        if (container.isString() && operand.isString())
            return container.stringValue().contains(operand.stringValue());
        if (container.isAttributeContainer() && operand.isString())
            return container.entries().contains(operand.stringValue());
        throw Failure{QStringLiteral("the test 'in' needs a list, a string or a dict, not %1").arg(container.typeName())};
    }
    throw Failure{QStringLiteral("unknown test '%1'").arg(name)};
}

} // namespace ft::jinja
