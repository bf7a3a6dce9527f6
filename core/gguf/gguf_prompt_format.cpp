#include "gguf/gguf_prompt_format.h"

#include <functional>

#include "data/prompt_format.h"

namespace ft {

namespace {

bool mentions(const std::vector<PromptFormatPiece>& pieces, const QString& name)
{
    for (const PromptFormatPiece& piece : pieces)
        if ((piece.kind == PromptFormatPiece::Kind::Placeholder && piece.text == name) ||
            mentions(piece.children, name))
            return true;
    return false;
}

// Writes `pieces` in a target language: `literal` escapes text, `variable` gives a placeholder's expression
// (empty: drop it), `optional(condition, body)` wraps a group.
struct Language {
    std::function<QString(const QString&)> literal;
    std::function<QString(const QString&)> variable;
    std::function<QString(const QString&)> condition; // the test for a group holding this placeholder
    std::function<QString(const QString&, const QString&)> optional;
};

QString writeIn(const std::vector<PromptFormatPiece>& pieces, const Language& language)
{
    QString out;
    for (const PromptFormatPiece& piece : pieces) {
        switch (piece.kind) {
        case PromptFormatPiece::Kind::Text:
            out += language.literal(piece.text);
            break;
        case PromptFormatPiece::Kind::Placeholder:
            out += language.variable(piece.text);
            break;
        case PromptFormatPiece::Kind::Optional: {
            if (mentions(piece.children, QStringLiteral("input")))
                break; // no input in a chat message
            QStringList tests;
            for (const QString& name : {QStringLiteral("system"), QStringLiteral("instruction")})
                if (mentions(piece.children, name))
                    tests << language.condition(name);
            const QString body = writeIn(piece.children, language);
            out += tests.isEmpty() ? body : language.optional(tests.join(QStringLiteral(" or ")), body);
            break;
        }
        }
    }
    return out;
}

// A Jinja string literal.
QString jinjaString(const QString& text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('\''), QLatin1String("\\'"))
        .replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

// `firstTurn`: the system prompt belongs to the first user turn only (PromptTemplate::render leaves it empty in
// later turns).
Language jinjaLanguage(bool firstTurn)
{
    Language language;
    language.literal = [](const QString& text) { return QStringLiteral("{{ %1 }}").arg(jinjaString(text)); };
    language.variable = [firstTurn](const QString& name) -> QString {
        if (name == QLatin1String("system"))
            return firstTurn ? QStringLiteral("{{ system }}") : QString();
        if (name == QLatin1String("instruction"))
            return QStringLiteral("{{ message['content'] }}");
        if (name == QLatin1String("response"))
            return QStringLiteral("{{ message['content'] }}");
        if (name == QLatin1String("eos"))
            return QStringLiteral("{{ eos_token }}");
        if (name == QLatin1String("bos"))
            return QStringLiteral("{{ bos_token }}"); // between turns (llama2-chat); llama.cpp adds the first
        return {};                                    // input
    };
    language.condition = [firstTurn](const QString& name) {
        if (name == QLatin1String("system"))
            return firstTurn ? QStringLiteral("system") : QStringLiteral("false");
        return QStringLiteral("message['content']");
    };
    language.optional = [](const QString& condition, const QString& body) {
        return QStringLiteral("{% if ") + condition + QStringLiteral(" %}") + body + QStringLiteral("{% endif %}");
    };
    return language;
}

} // namespace

QString jinjaChatTemplate(const PromptTemplate& format)
{
    const Language language = jinjaLanguage(true);
    const QString first = writeIn(parsePromptFormat(format.prompt, format.name), language);
    const QString later =
        writeIn(parsePromptFormat(format.followUp.isEmpty() ? format.prompt : format.followUp, format.name),
                jinjaLanguage(false));
    const QString answer = writeIn(parsePromptFormat(format.response, format.name), language);
    QString t;
    // The system prompt: the conversation's own, else the template's default.
    t += QStringLiteral("{%- if messages and messages[0]['role'] == 'system' -%}"
                        "{%- set system = messages[0]['content'] -%}{%- set loop_messages = messages[1:] -%}"
                        "{%- else -%}{%- set system = %1 -%}{%- set loop_messages = messages -%}{%- endif -%}")
             .arg(jinjaString(format.defaultSystem));
    t += QStringLiteral("{%- for message in loop_messages -%}"
                        "{%- if message['role'] == 'user' -%}"
                        "{%- if loop.first -%}") +
         first + QStringLiteral("{%- else -%}") + later +
         QStringLiteral("{%- endif -%}"
                        "{%- elif message['role'] == 'assistant' -%}") +
         answer + QStringLiteral("{{ eos_token }}");
    if (!format.separator.isEmpty())
        t += QStringLiteral("{%- if not loop.last -%}{{ %1 }}{%- endif -%}").arg(jinjaString(format.separator));
    t += QStringLiteral("{%- endif -%}{%- endfor -%}");
    return t;
}

QString ollamaTemplate(const PromptTemplate& format, const QString& eosText)
{
    Language language;
    // Go templates have no escape for "{{" inside text: write it as a string action.
    language.literal = [](const QString& text) {
        QString out = text;
        out.replace(QLatin1String("{{"), QLatin1String("\x01")).replace(QLatin1String("}}"), QLatin1String("\x02"));
        out.replace(QLatin1Char('\x01'), QLatin1String("{{ \"{{\" }}"))
            .replace(QLatin1Char('\x02'), QLatin1String("{{ \"}}\" }}"));
        return out;
    };
    language.variable = [eosText](const QString& name) -> QString {
        if (name == QLatin1String("system"))
            return QStringLiteral("{{ .System }}");
        if (name == QLatin1String("instruction"))
            return QStringLiteral("{{ .Prompt }}");
        if (name == QLatin1String("response"))
            return QStringLiteral("{{ .Response }}");
        if (name == QLatin1String("eos"))
            return eosText;
        return {};
    };
    language.condition = [](const QString& name) {
        return name == QLatin1String("system") ? QStringLiteral(".System") : QStringLiteral(".Prompt");
    };
    language.optional = [](const QString& condition, const QString& body) {
        // Go's `or` takes its arguments after the keyword: {{ if or .System .Prompt }}.
        const QStringList parts = condition.split(QStringLiteral(" or "));
        const QString test = parts.size() == 1 ? parts[0] : QStringLiteral("or ") + parts.join(QLatin1Char(' '));
        return QStringLiteral("{{ if ") + test + QStringLiteral(" }}") + body + QStringLiteral("{{ end }}");
    };
    return writeIn(parsePromptFormat(format.prompt, format.name), language) +
           writeIn(parsePromptFormat(format.response, format.name), language);
}

} // namespace ft
