// ShareGPT records: {"conversations": [{"from", "value"}, ...], "system"?, "tools"?}. Speakers:
// human/user, gpt/assistant (also chatgpt, model), system, function_call (a tool call by the
// assistant) and observation/tool (the tool's result). See conversation_mapping.h for how
// conversations and tool turns become records.
#include <QJsonArray>
#include <QJsonDocument>

#include "common/error.h"
#include "data/conversation_mapping.h"
#include "data/format_readers.h"

namespace ft {

namespace {

bool speakerRole(const QString& from, MessageRole* role)
{
    static const std::pair<const char*, MessageRole> kSpeakers[] = {
        {"human", MessageRole::User},
        {"user", MessageRole::User},
        {"gpt", MessageRole::Assistant},
        {"assistant", MessageRole::Assistant},
        {"chatgpt", MessageRole::Assistant},
        {"model", MessageRole::Assistant},
        {"system", MessageRole::System},
        {"function_call", MessageRole::ToolCall},
        {"observation", MessageRole::ToolResult},
        {"tool", MessageRole::ToolResult},
    };
    for (const auto& [name, value] : kSpeakers) {
        if (from == QLatin1String(name)) {
            *role = value;
            return true;
        }
    }
    return false;
}

} // namespace

// The tool list as text: a string as given, an array or object as compact JSON; "[]" means none.
QString toolsText(const QJsonValue& tools)
{
    QString text;
    if (tools.isString())
        text = tools.toString().trimmed();
    else if (tools.isArray())
        text = QString::fromUtf8(QJsonDocument(tools.toArray()).toJson(QJsonDocument::Compact));
    else if (tools.isObject())
        text = QString::fromUtf8(QJsonDocument(tools.toObject()).toJson(QJsonDocument::Compact));
    else if (!tools.isUndefined() && !tools.isNull())
        throw Error(QStringLiteral("field \"tools\" must be a string or JSON, found %1").arg(jsonTypeName(tools)));
    return text == QLatin1String("[]") ? QString() : text;
}

ImportedExample shareGptExample(const QJsonObject& json, ImportCounts* counts)
{
    const QJsonValue conversations = json.value(QStringLiteral("conversations"));
    if (conversations.isUndefined())
        throw Error(QStringLiteral("missing field \"conversations\" (ShareGPT records are {\"conversations\": "
                                   "[{\"from\", \"value\"}, ...]})"));
    if (!conversations.isArray())
        throw Error(QStringLiteral("field \"conversations\" must be an array of {\"from\", \"value\"}, found %1")
                        .arg(jsonTypeName(conversations)));
    std::vector<ConversationMessage> messages;
    int index = 0;
    for (const QJsonValue& value : conversations.toArray()) {
        const QJsonObject turn = value.toObject();
        const QString label = QStringLiteral("conversations[%1]").arg(index++);
        if (!value.isObject())
            throw Error(
                QStringLiteral("%1 must be an object {\"from\", \"value\"}, found %2").arg(label, jsonTypeName(value)));
        const QJsonValue from = turn.value(QStringLiteral("from"));
        const QJsonValue text = turn.value(QStringLiteral("value"));
        if (!from.isString())
            throw Error(QStringLiteral("%1: field \"from\" must be a string, found %2").arg(label, jsonTypeName(from)));
        if (!text.isString())
            throw Error(
                QStringLiteral("%1: field \"value\" must be a string, found %2").arg(label, jsonTypeName(text)));
        ConversationMessage message;
        if (!speakerRole(from.toString(), &message.role))
            throw Error(
                QStringLiteral("%1: unknown speaker \"%2\" (expected human, gpt, system, function_call or observation)")
                    .arg(label, from.toString()));
        message.content = text.toString();
        message.label = QStringLiteral("%1 (\"%2\")").arg(label, from.toString());
        messages.push_back(std::move(message));
    }
    ImportedExample example;
    example.record = recordFromConversation(messages, optionalStringField(json, QStringLiteral("system")),
                                            toolsText(json.value(QStringLiteral("tools"))), counts);
    example.tags = optionalTagsField(json, QStringLiteral("tags"));
    return example;
}

} // namespace ft
