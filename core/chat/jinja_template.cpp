#include "chat/jinja_template.h"

#include "chat/jinja_builtins.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_parser.h"

namespace ft::jinja {

Template Template::parse(const QString& source, const QString& origin)
{
    Template t;
    t.source_ = source;
    t.origin_ = origin;
    t.program_ = parseTemplate(source, origin);
    return t;
}

QString Template::render(const Value& context, const std::optional<QDateTime>& now) const
{
    if (!program_)
        return {};
    const EnvironmentPtr globals = std::make_shared<Environment>();
    installGlobals(*globals, now);
    if (context.isAttributeContainer())
        for (const auto& [name, value] : context.entries().entries())
            globals->set(name, value);
    Interpreter interpreter(origin_, source_);
    return interpreter.render(*program_, globals);
}

} // namespace ft::jinja
