#include "chat/model_prompt_template.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include "chat/chat_template.h"
#include "common/error.h"
#include "common/json_file.h"

namespace ft {

namespace {

QJsonObject message(const char* role, const QString& content)
{
    return QJsonObject{{QStringLiteral("role"), QLatin1String(role)}, {QStringLiteral("content"), content}};
}

QString userText(const QString& instruction, const QString& input)
{
    return input.isEmpty() ? instruction : instruction + QStringLiteral("\n\n") + input;
}

// The record as Hugging Face messages; without its last answer when `withLastAnswer` is false.
QJsonArray messagesOf(const ExampleRecord& record, bool withLastAnswer)
{
    QJsonArray messages;
    if (!record.system.isEmpty())
        messages.append(message("system", record.system));
    if (record.isMultiTurn()) {
        for (const ChatTurn& turn : record.turns)
            messages.append(message(turn.role == ChatTurn::Role::User ? "user" : "assistant", turn.content));
        if (!withLastAnswer && !record.turns.empty() && record.turns.back().role == ChatTurn::Role::Assistant)
            messages.removeLast();
    } else {
        messages.append(message("user", userText(record.instruction, record.input)));
        if (withLastAnswer)
            messages.append(message("assistant", record.response));
    }
    return messages;
}

class ModelChatRenderer : public RecordRenderer {
public:
    ModelChatRenderer(ChatTemplate chatTemplate, ChatTemplateOptions options)
        : m_template(std::move(chatTemplate))
        , m_options(std::move(options))
    {
    }

    std::vector<TemplateSegment> render(const ExampleRecord& record, bool withLastAnswer) const override
    {
        const bool hasAnswer = record.isMultiTurn()
                                   ? !record.turns.empty() && record.turns.back().role == ChatTurn::Role::Assistant
                                   : !record.response.isEmpty();
        ChatTemplateOptions options = m_options;
        if (!hasAnswer || !withLastAnswer) {
            // Where generation starts: the prefix of the full render before the last answer when there is
            // one (exactly what training saw), else the template's generation prompt.
            if (hasAnswer) {
                const RenderedChat full = renderWithAssistantSpans(m_template, messagesOf(record, true), options);
                if (!full.assistantSpans.isEmpty())
                    return {{TemplateSegment::Kind::Prompt, full.text.left(full.assistantSpans.back().first)}};
            }
            options.addGenerationPrompt = true;
            return {{TemplateSegment::Kind::Prompt, m_template.render(messagesOf(record, false), options)}};
        }
        const RenderedChat rendered = renderWithAssistantSpans(m_template, messagesOf(record, true), options);
        std::vector<TemplateSegment> segments;
        int at = 0;
        for (const auto& [start, end] : rendered.assistantSpans) {
            if (start > at)
                segments.push_back({TemplateSegment::Kind::Prompt, rendered.text.mid(at, start - at)});
            segments.push_back({TemplateSegment::Kind::Response, rendered.text.mid(start, end - start)});
            at = end;
        }
        if (at < rendered.text.size())
            segments.push_back({TemplateSegment::Kind::Prompt, rendered.text.mid(at)});
        return segments;
    }

private:
    ChatTemplate m_template;
    ChatTemplateOptions m_options;
};

// A PromptTemplate named `name` that renders with `chatTemplate`, bos/eos from the folder's tokenizer_config.json.
PromptTemplate chatPromptTemplate(const QString& name, ChatTemplate chatTemplate, const QString& modelFolder)
{
    const QString configPath = QDir(modelFolder).filePath(QStringLiteral("tokenizer_config.json"));
    ChatTemplateOptions options = !modelFolder.isEmpty() && QFileInfo::exists(configPath)
                                      ? chatTemplateOptionsFromConfig(readJsonObjectFile(configPath))
                                      : ChatTemplateOptions{};
    PromptTemplate result;
    result.name = name;
    result.renderer = std::make_shared<ModelChatRenderer>(std::move(chatTemplate), std::move(options));
    return result;
}

} // namespace

bool hasModelChatTemplate(const QString& modelFolder)
{
    if (!QFileInfo(modelFolder).isDir())
        return false;
    try {
        return findChatTemplate(readModelChatTemplates(modelFolder)) != nullptr;
    } catch (const Error&) {
        return false;
    }
}

PromptTemplate modelPromptTemplate(const QString& modelFolder)
{
    const QList<NamedChatTemplate> templates =
        QFileInfo(modelFolder).isDir() ? readModelChatTemplates(modelFolder) : QList<NamedChatTemplate>{};
    const NamedChatTemplate* chosen = findChatTemplate(templates);
    if (!chosen)
        throw Error(QStringLiteral("%1: the prompt template \"model\" needs the model's own chat template, and this "
                                   "model has none (no chat_template in tokenizer_config.json, no "
                                   "chat_template.jinja); choose a built-in template (%2)")
                        .arg(modelFolder, PromptTemplate::builtinNames().join(QStringLiteral(", "))));
    const QString origin = QStringLiteral("%1 chat template \"%2\"").arg(QDir(modelFolder).dirName(), chosen->name);
    return chatPromptTemplate(PromptTemplate::modelTemplateName(), ChatTemplate::parse(chosen->source, origin),
                              modelFolder);
}

PromptTemplate chatTemplateFilePromptTemplate(const QString& path, const QString& modelFolder)
{
    const QByteArray source = readFileAtMost(path, 1024 * 1024);
    return chatPromptTemplate(path, ChatTemplate::parse(QString::fromUtf8(source), path), modelFolder);
}

PromptTemplate resolvePromptTemplate(const QString& nameOrText, const QString& modelFolder)
{
    if (nameOrText == PromptTemplate::modelTemplateName())
        return modelPromptTemplate(modelFolder);
    if (PromptTemplate::isChatTemplateFile(nameOrText))
        return chatTemplateFilePromptTemplate(nameOrText, modelFolder);
    return PromptTemplate::resolve(nameOrText);
}

} // namespace ft
