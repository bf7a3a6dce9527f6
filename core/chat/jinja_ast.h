#pragma once
// The syntax tree of a Jinja template, as @huggingface/jinja's parser builds it. One node type with
// a kind; which fields a kind uses is listed below. Every node keeps the offset in the original
// source where it starts (for errors).

#include <QString>

#include <memory>
#include <vector>

namespace ft::jinja {

enum class NodeKind {
    // statements
    Program,        // body
    If,             // a = test, body, alternate
    For,            // a = loop variable (Identifier or Tuple), b = iterable (may be a Select: the loop filter), body, alternate = else
    Break,
    Continue,
    Set,            // a = target (Identifier, Tuple or Member), b = value (null for a block set), body = block
    Macro,          // text = name, args = parameters (Identifier or KeywordArgument), body
    CallBlock,      // a = the Call, args = caller's parameters, body
    FilterBlock,    // b = filter (Identifier or Call), body
    Comment,
    // expressions
    StringLiteral,  // text (also the template's plain text)
    IntegerLiteral, // integer
    FloatLiteral,   // real
    ArrayLiteral,   // args = items
    TupleLiteral,   // args = items
    ObjectLiteral,  // args = keys, body = values
    Identifier,     // text = name
    Member,         // a = object, b = property (Identifier or IntegerLiteral unless flag = computed; then any, or a Slice)
    Slice,          // a, b, c = start, stop, step (each may be null)
    Call,           // a = callee, args
    Binary,         // text = operator, a, b
    Unary,          // text = operator (not, -, +), a
    Filter,         // a = operand, b = filter (Identifier, or Call whose callee names it)
    Test,           // a = operand, text = test name, flag = negated, args = arguments (an extension: `is eq 3`)
    Select,         // a = value, b = condition (`value if condition` without else)
    Ternary,        // a = condition, b = if true, c = if false
    KeywordArgument, // text = name, a = value
    Spread,         // a (`*args` in a call)
    KeywordSpread,  // a (`**kwargs` in a call)
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Node {
    Node(NodeKind k, int at)
        : kind(k)
        , offset(at)
    {
    }
    NodeKind kind;
    int offset = 0;
    QString text;
    qint64 integer = 0;
    double real = 0;
    bool flag = false;
    NodePtr a, b, c;
    NodeList args, body, alternate;
};

inline NodePtr makeNode(NodeKind kind, int offset) { return std::make_unique<Node>(kind, offset); }

} // namespace ft::jinja
