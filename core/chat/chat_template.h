#pragma once
// A model's chat template (the Jinja `chat_template` of its tokenizer_config.json, or its
// chat_template.jinja) rendered by the project's own interpreter, which renders what Hugging Face's
// @huggingface/jinja renders (see docs/chat-templates.md). Also: the assistant turns' spans in a
// rendered conversation, for loss masks in chat training.

#include "chat/jinja_template.h"
#include "chat/jinja_value.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace ft {

struct ChatTemplateOptions {
    bool addGenerationPrompt = false; // `add_generation_prompt`
    // `tools`, when not empty; undefined otherwise (as Hugging Face's render-chat leaves it). Objects
    // come in QJsonObject's order (sorted keys); toolsJson keeps the order as written.
    QJsonArray tools;
    QByteArray toolsJson; // a JSON array: used instead of `tools` when not empty
    QString bosToken;     // `bos_token`
    QString eosToken;     // `eos_token`
    QJsonObject extra;    // more variables (e.g. {"enable_thinking": false}); they win over the ones above
    std::optional<QDateTime> now; // what strftime_now formats (its date and time as they are); else the local time
};

// bos_token and eos_token as tokenizer_config.json gives them (a string, or an object with "content").
ChatTemplateOptions chatTemplateOptionsFromConfig(const QJsonObject& tokenizerConfig);

class ChatTemplate {
public:
    ChatTemplate() = default;
    // Throws jinja::TemplateError (an ft::Error) naming `origin`, the line and column, on syntax the
    // interpreter does not know: "model Qwen3: line 4, column 9: unknown filter 'shout'".
    static ChatTemplate parse(const QString& source, const QString& origin);

    bool isNull() const { return template_.isNull(); }
    QString source() const { return template_.source(); }
    QString origin() const { return template_.origin(); }

    // `messages` as Hugging Face passes them: objects with role, content (a string or a list of parts),
    // tool_calls, reasoning_content, ... Throws jinja::TemplateError, with raisedByTemplate() set when
    // the template itself refused the conversation (raise_exception).
    QString render(const QJsonArray& messages, const ChatTemplateOptions& options) const;
    // The same with messages as interpreter values (jinja::parseJson keeps the objects' key order).
    QString render(const jinja::Value& messages, const ChatTemplateOptions& options) const;

private:
    jinja::Template template_;
};

// A model folder's own templates: tokenizer_config.json's "chat_template" (a string: "default"; or a
// list of {"name", "template"}), chat_template.json's "chat_template", chat_template.jinja (the
// default, over the others, as transformers reads it) and additional_chat_templates/NAME.jinja.
// "default" first when there is one; empty when the folder has none. Throws ft::Error on a config
// that is not valid JSON or a chat_template of the wrong shape.
struct NamedChatTemplate {
    QString name;
    QString source;
};
QList<NamedChatTemplate> readModelChatTemplates(const QString& modelFolder);
// The one named `name`; else the first; else null.
const NamedChatTemplate* findChatTemplate(const QList<NamedChatTemplate>& templates,
                                          const QString& name = QStringLiteral("default"));

// A rendered conversation and, for each assistant message in order, the [start, end) offsets
// (QString indices) of what the model learns there: the text it generates after the prompt the
// template gives it (add_generation_prompt's header), through its end-of-turn marker (e.g.
// "Yellow.<|im_end|>", "Yellow.<|eot_id|>"), never the header or another turn.
struct RenderedChat {
    QString text;
    QList<QPair<int, int>> assistantSpans;
};
// Found by prefix renders where the template is prefix-stable, else by locating each assistant
// content in the full render (see docs/chat-templates.md). Throws ft::Error when a span cannot be
// determined (e.g. the template prints an assistant message twice).
RenderedChat renderWithAssistantSpans(const ChatTemplate& chatTemplate, const QJsonArray& messages,
                                      const ChatTemplateOptions& options);
RenderedChat renderWithAssistantSpans(const ChatTemplate& chatTemplate, const jinja::Value& messages,
                                      const ChatTemplateOptions& options);

} // namespace ft
