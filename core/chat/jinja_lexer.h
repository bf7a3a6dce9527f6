#pragma once
// Splits a Jinja template into tokens exactly as @huggingface/jinja does when Hugging Face renders
// chat templates (lstrip_blocks and trim_blocks on): a final newline is dropped; spaces and tabs
// before `{%` and `{#` at the start of a line are removed; the newline right after `%}`, `#}` and
// `-}` is removed; `{% generation %}` / `{% endgeneration %}` markers are removed; `{%-`, `-%}`,
// `{{-`, `-}}`, `{#-` and `-#}` strip the whitespace beside them. Every token keeps the offset of
// its first character in the original source, so that errors can name the line and column.

#include <QList>
#include <QString>

namespace ft::jinja {

enum class TokenType {
    Text,
    NumericLiteral,
    StringLiteral,
    Identifier,
    Equals,
    OpenParen,
    CloseParen,
    OpenStatement,
    CloseStatement,
    OpenExpression,
    CloseExpression,
    OpenSquareBracket,
    CloseSquareBracket,
    OpenCurlyBracket,
    CloseCurlyBracket,
    Comma,
    Dot,
    Colon,
    Pipe,
    CallOperator,
    AdditiveBinaryOperator,
    MultiplicativeBinaryOperator,
    ExponentiationBinaryOperator,
    ComparisonBinaryOperator,
    UnaryOperator,
    Comment,
};

struct Token {
    TokenType type;
    QString value;
    int offset = 0; // of the token's first character in the original source
};

// Throws a TemplateError (origin, line, column) on text it cannot split.
QList<Token> tokenize(const QString& source, const QString& origin);

// How a token reads in an error message: "'endfor'", "'%}'", "text".
QString describeToken(const Token& token);

} // namespace ft::jinja
