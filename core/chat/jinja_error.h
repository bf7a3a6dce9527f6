#pragma once
// Errors of the Jinja interpreter. Every error that leaves it is a TemplateError (an ft::Error) whose
// message names the template (its origin: a file, or "model X"), the line and column, and what was
// found: "tokenizer_config.json: line 3, column 12: unknown filter 'shout'".

#include "common/error.h"

#include <QString>

namespace ft::jinja {

class TemplateError : public ft::Error {
public:
    TemplateError(const QString& origin, int line, int column, const QString& detail, bool raisedByTemplate = false);
    QString origin() const { return origin_; }
    int line() const { return line_; }
    int column() const { return column_; }
    // What went wrong, without the location; for raise_exception(msg), msg itself.
    QString detail() const { return detail_; }
    // True when the template itself raised the error (raise_exception), e.g. roles that do not alternate.
    bool raisedByTemplate() const { return raised_; }

private:
    QString origin_;
    int line_ = 0;
    int column_ = 0;
    QString detail_;
    bool raised_ = false;
};

// Thrown inside the runtime where the position is not known yet; the interpreter turns it into a
// TemplateError at the innermost expression or statement being evaluated.
struct Failure {
    QString message;
    bool raisedByTemplate = false;
};

// 1-based line and column (in UTF-16 code units) of `offset` in `source`.
struct SourcePosition {
    int line = 1;
    int column = 1;
};
SourcePosition positionOf(const QString& source, int offset);

[[noreturn]] void throwAt(const QString& origin, const QString& source, int offset, const QString& detail,
                          bool raisedByTemplate = false);

} // namespace ft::jinja
