#include "chat/jinja_interpreter.h"

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"

#include <cmath>

namespace ft::jinja {

namespace {

// `break` and `continue` unwind to their loop as exceptions, as in the oracle.
struct BreakSignal {
    int offset;
};
struct ContinueSignal {
    int offset;
};

constexpr int kMaxCallDepth = 256;

Failure failure(const QString& message) { return Failure{message}; }

QString opName(const Node& node) { return node.text; }

} // namespace

Value Environment::lookup(const QString& name) const
{
    for (const Environment* env = this; env; env = env->parent_.get()) {
        const auto it = env->variables_.constFind(name);
        if (it != env->variables_.constEnd())
            return *it;
    }
    return {};
}

QString Interpreter::render(const Node& program, const EnvironmentPtr& globals)
{
    try {
        return evaluateBlock(program.body, globals);
    } catch (const BreakSignal& signal) {
        throwAt(origin_, source_, signal.offset, QStringLiteral("'break' outside a loop"));
    } catch (const ContinueSignal& signal) {
        throwAt(origin_, source_, signal.offset, QStringLiteral("'continue' outside a loop"));
    } catch (const Failure& f) {
        throwAt(origin_, source_, 0, f.message, f.raisedByTemplate);
    }
}

Value Interpreter::evaluate(const Node& node, const EnvironmentPtr& env)
{
    try {
        return evaluateNode(node, env);
    } catch (const Failure& f) {
        throwAt(origin_, source_, node.offset, f.message, f.raisedByTemplate);
    }
}

QString Interpreter::evaluateBlock(const NodeList& statements, const EnvironmentPtr& env)
{
    QString result;
    for (const NodePtr& statement : statements) {
        const Value value = evaluate(*statement, env);
        if (value.isNone() || value.isUndefined())
            continue;
        try {
            result += value.toOutput();
        } catch (const Failure& f) {
            throwAt(origin_, source_, statement->offset, f.message);
        }
    }
    return result;
}

Value Interpreter::evaluateNode(const Node& node, const EnvironmentPtr& env)
{
    switch (node.kind) {
    case NodeKind::Program: return Value::string(evaluateBlock(node.body, env));
    case NodeKind::Set: return evaluateSet(node, env);
    case NodeKind::If:
        return Value::string(evaluateBlock(evaluate(*node.a, env).truthy() ? node.body : node.alternate, env));
    case NodeKind::For: return evaluateFor(node, env);
    case NodeKind::Macro: return evaluateMacro(node, env);
    case NodeKind::CallBlock: return evaluateCallBlock(node, env);
    case NodeKind::Break: throw BreakSignal{node.offset};
    case NodeKind::Continue: throw ContinueSignal{node.offset};
    case NodeKind::Comment: return Value::none();
    case NodeKind::StringLiteral: return Value::string(node.text);
    case NodeKind::IntegerLiteral: return Value::integer(node.integer);
    case NodeKind::FloatLiteral: return Value::real(node.real);
    case NodeKind::ArrayLiteral:
    case NodeKind::TupleLiteral: {
        ValueList items;
        for (const NodePtr& item : node.args)
            items.push_back(evaluate(*item, env));
        return node.kind == NodeKind::ArrayLiteral ? Value::list(std::move(items)) : Value::tuple(std::move(items));
    }
    case NodeKind::ObjectLiteral: {
        Value result = Value::dict();
        for (size_t i = 0; i < node.args.size(); ++i) {
            const Value key = evaluate(*node.args[i], env);
            if (!key.isString())
                throw failure(QStringLiteral("Object keys must be strings: got %1").arg(key.typeName()));
            result.entries().set(key.stringValue(), evaluate(*node.body[i], env));
        }
        return result;
    }
    case NodeKind::Identifier: return env->lookup(node.text);
    case NodeKind::Call: return evaluateCall(node, env);
    case NodeKind::Member: return evaluateMember(node, env);
    case NodeKind::Unary: return evaluateUnary(node, env);
    case NodeKind::Binary: return evaluateBinary(node, env);
    case NodeKind::Filter: return applyFilter(evaluate(*node.a, env), *node.b, env);
    case NodeKind::FilterBlock: return applyFilter(Value::string(evaluateBlock(node.body, env)), *node.b, env);
    case NodeKind::Test: return evaluateTest(node, env);
    case NodeKind::Select:
        return evaluate(*node.b, env).truthy() ? evaluate(*node.a, env) : Value();
    case NodeKind::Ternary:
        return evaluate(*node.a, env).truthy() ? evaluate(*node.b, env) : evaluate(*node.c, env);
    case NodeKind::Slice:
    case NodeKind::KeywordArgument:
    case NodeKind::Spread:
    case NodeKind::KeywordSpread: break;
    }
    throw failure(QStringLiteral("this expression is not allowed here"));
}

// ---- operators --------------------------------------------------------------------------------

Value Interpreter::evaluateBinary(const Node& node, const EnvironmentPtr& env)
{
    const QString& op = node.text;
    const Value left = evaluate(*node.a, env);
    if (op == QLatin1String("and"))
        return left.truthy() ? evaluate(*node.b, env) : left;
    if (op == QLatin1String("or"))
        return left.truthy() ? left : evaluate(*node.b, env);
    const Value right = evaluate(*node.b, env);
    if (op == QLatin1String("=="))
        return Value::boolean(looseEquals(left, right));
    if (op == QLatin1String("!="))
        return Value::boolean(!looseEquals(left, right));
    const bool in = op == QLatin1String("in"), notIn = op == QLatin1String("not in");
    if (left.isUndefined() || right.isUndefined()) {
        if (right.isUndefined() && (in || notIn))
            return Value::boolean(notIn);
        throw failure(QStringLiteral("Cannot perform operation %1 on undefined values").arg(op));
    }
    if (left.isNone() || right.isNone())
        throw failure(QStringLiteral("Cannot perform operation %1 on null values").arg(op));
    if (op == QLatin1String("~"))
        return Value::string(left.toJsString() + right.toJsString());
    const auto numericLike = [](const Value& v) { return v.isNumber() || v.isBool(); };
    if (op == QLatin1String("**") && numericLike(left) && numericLike(right)) {
        const double a = left.numberValue(), b = right.numberValue();
        if (a == 0 && b < 0)
            throw failure(QStringLiteral("0.0 cannot be raised to a negative power"));
        const double result = std::pow(a, b);
        if (!std::isfinite(result))
            throw failure(QStringLiteral("Exponentiation result is not a finite real number"));
        const bool isFloat = left.isFloat() || right.isFloat() || b < 0;
        return isFloat || std::fabs(result) >= 9.2e18 ? Value::real(result) : Value::integer(qint64(result));
    }
    if (left.isNumber() && right.isNumber()) {
        const bool isFloat = left.isFloat() || right.isFloat();
        const double a = left.numberValue(), b = right.numberValue();
        if (op == QLatin1String("+") || op == QLatin1String("-") || op == QLatin1String("*")) {
            if (!isFloat) {
                qint64 result = 0;
                const qint64 x = left.intValue(), y = right.intValue();
                const bool overflow = op == QLatin1String("+")   ? __builtin_add_overflow(x, y, &result)
                                      : op == QLatin1String("-") ? __builtin_sub_overflow(x, y, &result)
                                                                 : __builtin_mul_overflow(x, y, &result);
                if (!overflow)
                    return Value::integer(result);
            }
            const double r = op == QLatin1String("+") ? a + b : op == QLatin1String("-") ? a - b : a * b;
            return Value::real(r);
        }
        if (op == QLatin1String("/"))
            return Value::real(a / b);
        if (op == QLatin1String("//") || op == QLatin1String("%")) {
            if (!isFloat && b == 0)
                throw failure(QStringLiteral("integer division or modulo by zero"));
            if (op == QLatin1String("//"))
                return isFloat ? Value::real(std::floor(a / b)) : Value::integer(qint64(std::floor(a / b)));
            return isFloat ? Value::real(std::fmod(a, b)) : Value::integer(left.intValue() % right.intValue());
        }
        if (op == QLatin1String("<"))
            return Value::boolean(a < b);
        if (op == QLatin1String(">"))
            return Value::boolean(a > b);
        if (op == QLatin1String(">="))
            return Value::boolean(a >= b);
        if (op == QLatin1String("<="))
            return Value::boolean(a <= b);
    } else if (left.isList() && right.isList()) {
        if (op == QLatin1String("+")) {
            ValueList items = left.items();
            items.insert(items.end(), right.items().begin(), right.items().end());
            return Value::list(std::move(items));
        }
    } else if (right.isList() && (in || notIn)) {
        bool member = false;
        for (const Value& item : right.items())
            member = member || strictEquals(item, left);
        return Value::boolean(in ? member : !member);
    }
    if ((left.isString() || right.isString()) && op == QLatin1String("+"))
        return Value::string(left.toJsString() + right.toJsString());
    if (left.isString() && right.isString() && (in || notIn))
        return Value::boolean(right.stringValue().contains(left.stringValue()) == in);
    if (left.isString() && right.isDict() && (in || notIn))
        return Value::boolean(right.entries().contains(left.stringValue()) == in);
    throw failure(QStringLiteral("Unknown operator \"%1\" between %2 and %3")
                      .arg(opName(node), left.typeName(), right.typeName()));
}

Value Interpreter::evaluateUnary(const Node& node, const EnvironmentPtr& env)
{
    const Value argument = evaluate(*node.a, env);
    if (node.text == QLatin1String("not"))
        return Value::boolean(!argument.truthy());
    const int sign = node.text == QLatin1String("-") ? -1 : 1;
    if (argument.isFloat())
        return Value::real(sign * argument.numberValue());
    if (argument.isInt())
        return Value::integer(sign * argument.intValue());
    if (argument.isBool())
        return Value::integer(sign * (argument.boolValue() ? 1 : 0));
    throw failure(QStringLiteral("Unknown operator \"%1\" for %2").arg(node.text, argument.typeName()));
}

// ---- access and calls -------------------------------------------------------------------------

Value Interpreter::evaluateSlice(const Value& object, const Node& slice, const EnvironmentPtr& env)
{
    if (!object.isList() && !object.isString())
        throw failure(QStringLiteral("Slice object must be an array or string"));
    const Value start = slice.a ? evaluate(*slice.a, env) : Value();
    const Value stop = slice.b ? evaluate(*slice.b, env) : Value();
    const Value step = slice.c ? evaluate(*slice.c, env) : Value();
    for (const Value* part : {&start, &stop, &step})
        if (!part->isInt() && !part->isUndefined())
            throw failure(QStringLiteral("Slice indices must be integers or undefined"));
    QStringList chars; // strings slice by code point, as Array.from(string) does
    if (object.isString()) {
        const QString& s = object.stringValue();
        for (qsizetype i = 0; i < s.size(); ++i) {
            const bool pair = s.at(i).isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate();
            chars << s.mid(i, pair ? 2 : 1);
            i += pair ? 1 : 0;
        }
    }
    const qint64 length = object.isString() ? chars.size() : qint64(object.items().size());
    const qint64 stepValue = step.isInt() ? step.intValue() : 1;
    const int direction = stepValue > 0 ? 1 : stepValue < 0 ? -1 : 0;
    qint64 from = 0, to = 0;
    if (direction >= 0) {
        from = start.isInt() ? start.intValue() : 0;
        from = from < 0 ? std::max<qint64>(length + from, 0) : std::min<qint64>(from, length);
        to = stop.isInt() ? stop.intValue() : length;
        to = to < 0 ? std::max<qint64>(length + to, 0) : std::min<qint64>(to, length);
    } else {
        from = start.isInt() ? start.intValue() : length - 1;
        from = from < 0 ? std::max<qint64>(length + from, -1) : std::min<qint64>(from, length - 1);
        to = stop.isInt() ? stop.intValue() : -1;
        to = to < -1 ? std::max<qint64>(length + to, -1) : std::min<qint64>(to, length - 1);
    }
    ValueList items;
    QString text;
    for (qint64 i = from; direction * i < direction * to; i += stepValue) {
        if (object.isString())
            text += chars.at(i);
        else
            items.push_back(object.items()[size_t(i)]);
    }
    return object.isString() ? Value::string(text) : Value::list(std::move(items));
}

Value Interpreter::evaluateMember(const Node& node, const EnvironmentPtr& env)
{
    const Value object = evaluate(*node.a, env);
    Value property;
    if (node.flag) {
        if (node.b->kind == NodeKind::Slice)
            return evaluateSlice(object, *node.b, env);
        property = evaluate(*node.b, env);
    } else if (node.b->kind == NodeKind::IntegerLiteral) {
        property = Value::integer(node.b->integer);
    } else {
        property = Value::string(node.b->text);
    }
    if (object.isAttributeContainer()) {
        if (!property.isString())
            throw failure(QStringLiteral("Cannot access property with non-string: got %1").arg(property.typeName()));
        if (const Value* found = object.entries().find(property.stringValue()))
            return *found;
        return object.isDict() ? builtinMember(object, property.stringValue()) : Value();
    }
    if (object.isList() || object.isString()) {
        if (property.isInt()) {
            const qint64 size = object.isString() ? object.stringValue().size() : qint64(object.items().size());
            const qint64 index = property.intValue() < 0 ? property.intValue() + size : property.intValue();
            if (index < 0 || index >= size)
                return {};
            return object.isString() ? Value::string(object.stringValue().at(index)) : object.items()[size_t(index)];
        }
        if (property.isString())
            return builtinMember(object, property.stringValue());
        throw failure(
            QStringLiteral("Cannot access property with non-string/non-number: got %1").arg(property.typeName()));
    }
    if (!property.isString())
        throw failure(QStringLiteral("Cannot access property with non-string: got %1").arg(property.typeName()));
    return builtinMember(object, property.stringValue());
}

std::pair<ValueList, Value> Interpreter::evaluateArguments(const NodeList& args, const EnvironmentPtr& env)
{
    ValueList positional;
    Value keywords = Value::dict(Value::Kind::Kwargs);
    for (const NodePtr& arg : args) {
        if (arg->kind == NodeKind::Spread) {
            const Value value = evaluate(*arg->a, env);
            if (!value.isList())
                throw failure(QStringLiteral("Cannot unpack non-iterable type: %1").arg(value.typeName()));
            positional.insert(positional.end(), value.items().begin(), value.items().end());
        } else if (arg->kind != NodeKind::KeywordArgument && arg->kind != NodeKind::KeywordSpread) {
            positional.push_back(evaluate(*arg, env));
        }
    }
    const auto add = [&keywords](const QString& key, const Value& value) {
        if (keywords.entries().contains(key))
            throw failure(QStringLiteral("Got multiple values for keyword argument '%1'").arg(key));
        keywords.entries().set(key, value);
    };
    for (const NodePtr& arg : args) {
        if (arg->kind == NodeKind::KeywordArgument) {
            add(arg->text, evaluate(*arg->a, env));
        } else if (arg->kind == NodeKind::KeywordSpread) {
            const Value value = evaluate(*arg->a, env);
            if (!value.isDict())
                throw failure(QStringLiteral("Argument after ** must be a mapping, not %1").arg(value.typeName()));
            for (const auto& [key, item] : value.entries().entries())
                add(key, item);
        }
    }
    return {std::move(positional), keywords};
}

Value Interpreter::evaluateCall(const Node& node, const EnvironmentPtr& env)
{
    auto [args, keywords] = evaluateArguments(node.args, env);
    if (keywords.entries().size() > 0)
        args.push_back(keywords);
    const Value fn = evaluate(*node.a, env);
    if (!fn.isFunction()) {
        if (node.a->kind == NodeKind::Identifier && fn.isUndefined())
            throw failure(QStringLiteral("unknown function '%1'").arg(node.a->text));
        if (node.a->kind == NodeKind::Member && !node.a->flag && fn.isUndefined())
            throw failure(QStringLiteral("unknown method '%1'").arg(node.a->b->text));
        throw failure(QStringLiteral("Cannot call something that is not a function: got %1").arg(fn.typeName()));
    }
    if (callDepth_ >= kMaxCallDepth)
        throw failure(QStringLiteral("calls nested deeper than %1 (a macro calling itself without end?)").arg(kMaxCallDepth));
    ++callDepth_;
    try {
        Value result = fn.callable()(args, env);
        --callDepth_;
        return result;
    } catch (...) {
        --callDepth_;
        throw;
    }
}

Value Interpreter::evaluateTest(const Node& node, const EnvironmentPtr& env)
{
    const Value operand = evaluate(*node.a, env);
    ValueList args;
    for (const NodePtr& arg : node.args)
        args.push_back(evaluate(*arg, env));
    const bool result = runTest(node.text, operand, args);
    return Value::boolean(node.flag ? !result : result);
}

// ---- statements -------------------------------------------------------------------------------

Value Interpreter::evaluateSet(const Node& node, const EnvironmentPtr& env)
{
    const Value value = node.b ? evaluate(*node.b, env) : Value::string(evaluateBlock(node.body, env));
    const Node& target = *node.a;
    if (target.kind == NodeKind::Identifier) {
        env->set(target.text, value);
    } else if (target.kind == NodeKind::TupleLiteral) {
        if (!value.isList())
            throw failure(QStringLiteral("Cannot unpack non-iterable type in set: %1").arg(value.typeName()));
        if (value.items().size() != target.args.size())
            throw failure(QStringLiteral("Too %1 items to unpack in set")
                              .arg(target.args.size() > value.items().size() ? QLatin1String("few") : QLatin1String("many")));
        for (size_t i = 0; i < target.args.size(); ++i) {
            if (target.args[i]->kind != NodeKind::Identifier)
                throw failure(QStringLiteral("Cannot unpack to non-identifier in set"));
            env->set(target.args[i]->text, value.items()[i]);
        }
    } else if (target.kind == NodeKind::Member) {
        const Value object = evaluate(*target.a, env);
        if (!object.isNamespace())
            throw failure(QStringLiteral("cannot assign attribute on non-namespace object (%1)").arg(object.typeName()));
        if (target.flag || target.b->kind != NodeKind::Identifier)
            throw failure(QStringLiteral("Cannot assign to member with non-identifier property"));
        object.entries().set(target.b->text, value);
    } else {
        throw failure(QStringLiteral("Invalid left-hand side of an assignment"));
    }
    return Value::none();
}

Value Interpreter::evaluateFor(const Node& node, const EnvironmentPtr& env)
{
    const EnvironmentPtr scope = Environment::child(env);
    const Node* condition = nullptr;
    Value iterable;
    if (node.b->kind == NodeKind::Select) {
        iterable = evaluate(*node.b->a, scope);
        condition = node.b->b.get();
    } else {
        iterable = evaluate(*node.b, scope);
    }
    if (!iterable.isList() && !iterable.isDict())
        throw failure(QStringLiteral("Expected iterable or object type in for loop: got %1").arg(iterable.typeName()));
    if (iterable.isDict()) {
        ValueList keys;
        for (const auto& entry : iterable.entries().entries())
            keys.push_back(Value::string(entry.first));
        iterable = Value::list(std::move(keys));
    }

    const Node& target = *node.a;
    const auto assign = [&target](const EnvironmentPtr& into, const Value& current) {
        if (target.kind == NodeKind::Identifier) {
            into->set(target.text, current);
            return;
        }
        for (size_t j = 0; j < target.args.size(); ++j) {
            if (target.args[j]->kind != NodeKind::Identifier)
                throw failure(QStringLiteral("Cannot unpack non-identifier type"));
            into->set(target.args[j]->text, current.items()[j]);
        }
    };
    ValueList items;
    for (const Value& current : ValueList(iterable.items())) {
        if (target.kind == NodeKind::TupleLiteral) {
            if (current.kind() != Value::Kind::List)
                throw failure(QStringLiteral("Cannot unpack non-iterable type: %1").arg(current.typeName()));
            if (target.args.size() != current.items().size())
                throw failure(QStringLiteral("Too %1 items to unpack")
                                  .arg(target.args.size() > current.items().size() ? QLatin1String("few")
                                                                                   : QLatin1String("many")));
        }
        if (condition) {
            const EnvironmentPtr loopScope = Environment::child(scope);
            assign(loopScope, current);
            if (!evaluate(*condition, loopScope).truthy())
                continue;
        }
        items.push_back(current);
    }
    QString result;
    bool noIteration = true;
    const qint64 n = qint64(items.size());
    for (qint64 i = 0; i < n; ++i) {
        Value loop = Value::dict();
        Dict& fields = loop.entries();
        fields.set(QStringLiteral("index"), Value::integer(i + 1));
        fields.set(QStringLiteral("index0"), Value::integer(i));
        fields.set(QStringLiteral("revindex"), Value::integer(n - i));
        fields.set(QStringLiteral("revindex0"), Value::integer(n - i - 1));
        fields.set(QStringLiteral("first"), Value::boolean(i == 0));
        fields.set(QStringLiteral("last"), Value::boolean(i == n - 1));
        fields.set(QStringLiteral("length"), Value::integer(n));
        fields.set(QStringLiteral("previtem"), i > 0 ? items[size_t(i - 1)] : Value());
        fields.set(QStringLiteral("nextitem"), i < n - 1 ? items[size_t(i + 1)] : Value());
        scope->set(QStringLiteral("loop"), loop);
        assign(scope, items[size_t(i)]);
        try {
            result += evaluateBlock(node.body, scope);
        } catch (const ContinueSignal&) {
            continue;
        } catch (const BreakSignal&) {
            break;
        }
        noIteration = false;
    }
    if (noIteration)
        result += evaluateBlock(node.alternate, scope);
    return Value::string(result);
}

namespace {

bool mentions(const Node& node, const QString& name)
{
    if (node.kind == NodeKind::Identifier && node.text == name)
        return true;
    for (const Node* child : {node.a.get(), node.b.get(), node.c.get()})
        if (child && mentions(*child, name))
            return true;
    for (const NodeList* list : {&node.args, &node.body, &node.alternate})
        for (const NodePtr& child : *list)
            if (mentions(*child, name))
                return true;
    return false;
}

QString parameterName(const Node& parameter) { return parameter.text; }

} // namespace

void Interpreter::bindMacroArguments(const QString& name, const NodeList& parameters, const Node& body,
                                     ValueList args, const EnvironmentPtr& scope)
{
    Value keywords = Value::dict(Value::Kind::Kwargs);
    if (!args.empty() && args.back().kind() == Value::Kind::Kwargs) {
        for (const auto& [key, value] : args.back().entries().entries())
            keywords.entries().set(key, value);
        args.pop_back();
    }
    bool usesKwargs = false, usesVarargs = false;
    for (const NodePtr& parameter : parameters) {
        usesKwargs = usesKwargs || parameterName(*parameter) == QLatin1String("kwargs");
        usesVarargs = usesVarargs || parameterName(*parameter) == QLatin1String("varargs");
    }
    usesKwargs = !usesKwargs && mentions(body, QStringLiteral("kwargs"));
    usesVarargs = !usesVarargs && mentions(body, QStringLiteral("varargs"));
    std::vector<const Node*> pending;
    for (size_t i = 0; i < parameters.size(); ++i) {
        const Node& parameter = *parameters[i];
        const QString key = parameterName(parameter);
        if (i < args.size()) {
            scope->set(key, args[i]);
            continue;
        }
        if (const Value* given = keywords.entries().find(key)) {
            scope->set(key, *given);
            keywords.entries().remove(key);
            continue;
        }
        if (parameter.kind == NodeKind::KeywordArgument)
            pending.push_back(&parameter);
        scope->set(key, Value());
    }
    if (usesKwargs) {
        Value rest = Value::dict();
        for (const auto& [key, value] : keywords.entries().entries())
            rest.entries().set(key, value);
        scope->set(QStringLiteral("kwargs"), rest);
    } else if (keywords.entries().size() > 0) {
        throw failure(QStringLiteral("macro %1 takes no keyword argument '%2'")
                          .arg(name, keywords.entries().entries().front().first));
    }
    if (usesVarargs) {
        ValueList rest;
        for (size_t i = parameters.size(); i < args.size(); ++i)
            rest.push_back(args[i]);
        scope->set(QStringLiteral("varargs"), Value::list(std::move(rest)));
    } else if (args.size() > parameters.size()) {
        throw failure(QStringLiteral("macro %1 takes not more than %2 argument(s)").arg(name).arg(parameters.size()));
    }
    for (const Node* parameter : pending)
        scope->set(parameter->text, evaluate(*parameter->a, scope));
}

Value Interpreter::evaluateMacro(const Node& node, const EnvironmentPtr& env)
{
    const Node* macro = &node;
    env->set(node.text, Value::function(node.text, [this, macro](ValueList& args, const EnvironmentPtr& caller) {
                 const EnvironmentPtr scope = Environment::child(caller);
                 bindMacroArguments(QLatin1Char('\'') + macro->text + QLatin1Char('\''), macro->args, *macro, args,
                                    scope);
                 return Value::string(evaluateBlock(macro->body, scope));
             }));
    return Value::none();
}

Value Interpreter::evaluateCallBlock(const Node& node, const EnvironmentPtr& env)
{
    const Node* block = &node;
    const Value caller =
        Value::function(QStringLiteral("caller"), [this, block, env](ValueList& args, const EnvironmentPtr&) {
            const EnvironmentPtr scope = Environment::child(env);
            bindMacroArguments(QStringLiteral("None"), block->args, *block, args, scope);
            return Value::string(evaluateBlock(block->body, scope));
        });
    auto [args, keywords] = evaluateArguments(node.a->args, env);
    args.push_back(keywords);
    const Value fn = evaluate(*node.a->a, env);
    if (!fn.isFunction())
        throw failure(QStringLiteral("Cannot call something that is not a function: got %1").arg(fn.typeName()));
    const EnvironmentPtr scope = Environment::child(env);
    scope->set(QStringLiteral("caller"), caller);
    return fn.callable()(args, scope);
}

} // namespace ft::jinja
