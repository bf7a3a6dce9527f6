#pragma once
// A parsed Jinja template, ready to render with a context: the interpreter's entry point. It is
// cheap to copy (the syntax tree is shared) and rendering does not change it.

#include "chat/jinja_value.h"

#include <QDateTime>
#include <QString>

#include <memory>
#include <optional>

namespace ft::jinja {

struct Node;

class Template {
public:
    Template() = default;
    // Parses `source`; throws TemplateError naming `origin` (a file, or "model X"), the line and column.
    static Template parse(const QString& source, const QString& origin);

    bool isNull() const { return !program_; }
    const QString& source() const { return source_; }
    const QString& origin() const { return origin_; }

    // Renders with the entries of `context` (a dict) as variables, besides the globals (range,
    // namespace, raise_exception, strftime_now at `now` or the current local time, ...).
    // Throws TemplateError.
    QString render(const Value& context, const std::optional<QDateTime>& now = std::nullopt) const;

private:
    std::shared_ptr<const Node> program_;
    QString source_;
    QString origin_;
};

} // namespace ft::jinja
