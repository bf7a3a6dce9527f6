#include "chat/jinja_error.h"

namespace ft::jinja {

namespace {

QString describe(const QString& origin, int line, int column, const QString& detail, bool raised)
{
    const QString where = QStringLiteral("%1: line %2, column %3: ").arg(origin).arg(line).arg(column);
    return where + (raised ? QStringLiteral("the template raised an error: ") + detail : detail);
}

} // namespace

TemplateError::TemplateError(const QString& origin, int line, int column, const QString& detail, bool raisedByTemplate)
    : ft::Error(describe(origin, line, column, detail, raisedByTemplate))
    , origin_(origin)
    , line_(line)
    , column_(column)
    , detail_(detail)
    , raised_(raisedByTemplate)
{
}

SourcePosition positionOf(const QString& source, int offset)
{
    SourcePosition position;
    const int end = qBound(0, offset, int(source.size()));
    for (int i = 0; i < end; ++i) {
        if (source.at(i) == QLatin1Char('\n')) {
            ++position.line;
            position.column = 1;
        } else {
            ++position.column;
        }
    }
    return position;
}

void throwAt(const QString& origin, const QString& source, int offset, const QString& detail, bool raisedByTemplate)
{
    const SourcePosition position = positionOf(source, offset);
    throw TemplateError(origin, position.line, position.column, detail, raisedByTemplate);
}

} // namespace ft::jinja
