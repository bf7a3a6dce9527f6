#pragma once
// Builds the syntax tree from tokens with @huggingface/jinja's grammar and precedence (lowest first):
// `a if c else b`, or, and, not, comparisons and `in` (left to right, not chained), + - ~, * / // %,
// **, `is` tests, `|` filters, unary signs, calls / attributes / subscripts. Unknown statements,
// filters and tests are refused here, with the line and column.

#include "chat/jinja_ast.h"
#include "chat/jinja_lexer.h"

namespace ft::jinja {

// Throws a TemplateError naming `origin`, the line and the column.
NodePtr parseTemplate(const QString& source, const QString& origin);

} // namespace ft::jinja
