#pragma once
// Prompt templates: how a record becomes the text a model sees, split into segments that do or do not
// carry the loss.
//
// Formats use the placeholders {system}, {instruction}, {input}, {response}, and {bos}/{eos} for the
// tokenizer's special tokens (Zephyr ends turns with </s>, which must be the real EOS token, not its
// text). Text inside [[ ... ]] is left out when every placeholder inside it is empty, so that one
// format serves records with and without a system prompt or an input. "{{" and "}}" are literal braces.

#include <memory>
#include <vector>

#include <QString>
#include <QStringList>

#include "data/example_record.h"

namespace ft {

struct TemplateSegment {
    enum class Kind { Prompt, Response, Bos, Eos };
    Kind kind = Kind::Prompt;
    QString text; // empty for Bos/Eos
};

// A template that renders records itself: a model's own Jinja chat template (chat/model_prompt_template.h).
// Its text carries the special tokens the template writes (BOS included), so nothing is added around it.
class RecordRenderer {
public:
    virtual ~RecordRenderer() = default;
    // The segments of the whole example (withLastAnswer), or up to where the last answer begins.
    virtual std::vector<TemplateSegment> render(const ExampleRecord& record, bool withLastAnswer) const = 0;
};

struct PromptTemplate {
    // The name that stands for the model folder's own chat template; resolved with the folder by
    // resolvePromptTemplate (chat/model_prompt_template.h), never by resolve() below.
    static QString modelTemplateName() { return QStringLiteral("model"); }
    // A path ending in ".jinja": a chat template file of the user's, also resolved by resolvePromptTemplate.
    static bool isChatTemplateFile(const QString& nameOrText)
    {
        return nameOrText.endsWith(QLatin1String(".jinja")) && !nameOrText.contains(QLatin1Char('\n'));
    }

    QString name;
    QString defaultSystem;   // used when a record has no system prompt (may be empty)
    QString prompt;          // the first user turn: {system}, {instruction}, {input}
    QString promptWithInput; // used instead of `prompt` when the input is non-empty (empty: use prompt)
    QString followUp;        // later user turns of a conversation: {instruction}, {input}
    QString response;        // "{response}" plus what ends an answer (which also carries loss)
    QString separator;       // between an answer and the next user turn (no loss)
    // Set for a model's own chat template: render() and renderPrompt() are its, and the encoder adds no BOS.
    std::shared_ptr<const RecordRenderer> renderer;

    static QStringList builtinNames();                  // alpaca, chatml, llama2-chat, zephyr, plain
    static PromptTemplate builtin(const QString& name); // throws for unknown names
    // A user template: one string where {response} splits the prompt from the answer's format.
    // Unknown placeholders, a missing or repeated {response}, or unbalanced [[ ]] are errors.
    static PromptTemplate custom(const QString& text, const QString& name = QStringLiteral("custom"));
    // A built-in name, or text containing {response} taken as a custom template. "model" is refused here
    // (it needs the model folder: resolvePromptTemplate).
    static PromptTemplate resolve(const QString& nameOrText);
    // What resolve() accepts, "model", and an existing chat template file; throws naming what is wrong otherwise.
    static void validateName(const QString& nameOrText);

    // The segments of a whole example: prompt(s) without loss, answers with loss, EOS after each answer.
    std::vector<TemplateSegment> render(const ExampleRecord& record) const;
    // The segments up to where the last answer begins: what generation is given to produce it.
    std::vector<TemplateSegment> renderPrompt(const ExampleRecord& record) const;

private:
    std::vector<TemplateSegment> renderTurns(const ExampleRecord& record, bool withLastAnswer) const;
};

// Checks a format's placeholders; throws ft::Error naming the template and the bad placeholder.
void validateTemplateFormat(const QString& format, const QString& templateName, const QStringList& allowed);

} // namespace ft
