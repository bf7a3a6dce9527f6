#pragma once
// Evaluates a parsed template, statement by statement, with @huggingface/jinja's semantics:
// `set` writes the current scope (a for loop has one scope for all its iterations; `if` has none),
// macros run in a scope under their caller's, namespaces and lists are shared by reference,
// `break`/`continue` drop the output of the iteration they leave. Errors are TemplateErrors at the
// innermost expression or statement that failed.

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

#include <QHash>

#include <utility>

namespace ft::jinja {

class Environment {
public:
    explicit Environment(EnvironmentPtr parent = {})
        : parent_(std::move(parent))
    {
    }
    static EnvironmentPtr child(const EnvironmentPtr& parent) { return std::make_shared<Environment>(parent); }
    // The innermost scope's value, undefined when no scope has the name.
    Value lookup(const QString& name) const;
    void set(const QString& name, const Value& value) { variables_.insert(name, value); }

private:
    EnvironmentPtr parent_;
    QHash<QString, Value> variables_;
};

class Interpreter {
public:
    Interpreter(const QString& origin, const QString& source)
        : origin_(origin)
        , source_(source)
    {
    }

    // Renders `program` with `globals` as the outermost scope; throws TemplateError.
    QString render(const Node& program, const EnvironmentPtr& globals);

    Value evaluate(const Node& node, const EnvironmentPtr& env);

private:
    Value evaluateNode(const Node& node, const EnvironmentPtr& env);
    QString evaluateBlock(const NodeList& statements, const EnvironmentPtr& env);
    Value evaluateBinary(const Node& node, const EnvironmentPtr& env);
    Value evaluateUnary(const Node& node, const EnvironmentPtr& env);
    Value evaluateMember(const Node& node, const EnvironmentPtr& env);
    Value evaluateSlice(const Value& object, const Node& slice, const EnvironmentPtr& env);
    Value evaluateCall(const Node& node, const EnvironmentPtr& env);
    Value evaluateTest(const Node& node, const EnvironmentPtr& env);
    Value evaluateSet(const Node& node, const EnvironmentPtr& env);
    Value evaluateFor(const Node& node, const EnvironmentPtr& env);
    Value evaluateMacro(const Node& node, const EnvironmentPtr& env);
    Value evaluateCallBlock(const Node& node, const EnvironmentPtr& env);
    void bindMacroArguments(const QString& name, const NodeList& parameters, const Node& body, ValueList args,
                            const EnvironmentPtr& scope);
    // Positional arguments (with *spreads), and the keyword arguments as a Kwargs dict.
    std::pair<ValueList, Value> evaluateArguments(const NodeList& args, const EnvironmentPtr& env);
    // jinja_filters.cpp
    Value applyFilter(const Value& operand, const Node& filter, const EnvironmentPtr& env);
    Value applyCallFilter(const Value& operand, const QString& name, const Node& call, const EnvironmentPtr& env);

    QString origin_;
    QString source_;
    int callDepth_ = 0;
};

} // namespace ft::jinja
