// OpenAI chat fine-tuning records: {"messages": [{"role", "content"}, ...], "tools"?}. Roles:
// system (or developer), user, assistant (with "tool_calls" it is a tool call), tool/function (a
// tool result). Content may be a string, null (with tool_calls) or a list of {"type": "text"} parts.
#include <QJsonArray>
#include <QJsonDocument>

#include "common/error.h"
#include "data/conversation_mapping.h"
#include "data/format_readers.h"

namespace ft {

namespace {

// One part of a content list. Text parts carry their text as "text" (chat completions), as
// {"text": {"value": ...}} (the Assistants API) or as "value" (some exporters); other types
// (image_url, input_audio, file, refusal) are refused by name.
QString contentPartText(const QJsonValue& part, const QString& label)
{
    if (!part.isObject())
        throw Error(QStringLiteral("%1 must be an object {\"type\": \"text\", \"text\": ...}, found %2")
                        .arg(label, jsonTypeName(part)));
    const QJsonObject object = part.toObject();
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (type.isUndefined())
        throw Error(QStringLiteral("%1 has no \"type\" (expected \"text\")").arg(label));
    if (type.toString() != QLatin1String("text"))
        throw Error(QStringLiteral("%1 has type %2; only text parts can be imported")
                        .arg(label, type.isString() ? QStringLiteral("\"%1\"").arg(type.toString())
                                                    : jsonTypeName(type)));
    const QJsonValue text = object.value(QStringLiteral("text"));
    if (text.isString())
        return text.toString();
    if (text.isObject() && text.toObject().value(QStringLiteral("value")).isString())
        return text.toObject().value(QStringLiteral("value")).toString();
    if (text.isUndefined() && object.value(QStringLiteral("value")).isString())
        return object.value(QStringLiteral("value")).toString();
    throw Error(QStringLiteral("%1 is a text part without its text: expected \"text\" (a string, or an object "
                               "with a string \"value\") or \"value\" (a string), found %2")
                    .arg(label, text.isUndefined() ? QStringLiteral("neither")
                                                   : QStringLiteral("\"text\" as %1").arg(jsonTypeName(text))));
}

QString contentText(const QJsonValue& content, const QString& label)
{
    if (content.isString())
        return content.toString();
    if (content.isNull() || content.isUndefined())
        return {};
    if (!content.isArray())
        throw Error(QStringLiteral("%1: \"content\" must be a string or a list of text parts, found %2")
                        .arg(label, jsonTypeName(content)));
    QStringList parts;
    const QJsonArray array = content.toArray();
    for (qsizetype i = 0; i < array.size(); ++i)
        parts << contentPartText(array[i], QStringLiteral("%1: content part #%2").arg(label).arg(i + 1));
    return parts.join(QString());
}

// {"name", "arguments"} of each call, one compact JSON object per line; arguments that are a JSON
// string holding JSON are unpacked.
QString toolCallsPayload(const QJsonArray& calls, const QString& label)
{
    QStringList lines;
    for (const QJsonValue& call : calls) {
        const QJsonObject function = call.toObject().value(QStringLiteral("function")).toObject();
        if (!function.value(QStringLiteral("name")).isString())
            throw Error(
                QStringLiteral("%1: each tool call needs {\"function\": {\"name\", \"arguments\"}}").arg(label));
        QJsonObject out{{QStringLiteral("name"), function.value(QStringLiteral("name"))}};
        QJsonValue arguments = function.value(QStringLiteral("arguments"));
        if (arguments.isString()) {
            const QJsonDocument parsed = QJsonDocument::fromJson(arguments.toString().toUtf8());
            if (parsed.isObject())
                arguments = parsed.object();
        }
        out.insert(QStringLiteral("arguments"), arguments);
        lines << QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Compact));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

ImportedExample openAiChatExample(const QJsonObject& json, ImportCounts* counts)
{
    const QJsonValue messagesValue = json.value(QStringLiteral("messages"));
    if (messagesValue.isUndefined())
        throw Error(QStringLiteral(
            "missing field \"messages\" (OpenAI chat records are {\"messages\": [{\"role\", \"content\"}, ...]})"));
    if (!messagesValue.isArray())
        throw Error(QStringLiteral("field \"messages\" must be an array of {\"role\", \"content\"}, found %1")
                        .arg(jsonTypeName(messagesValue)));
    std::vector<ConversationMessage> messages;
    int index = 0;
    for (const QJsonValue& value : messagesValue.toArray()) {
        const QString label = QStringLiteral("messages[%1]").arg(index++);
        if (!value.isObject())
            throw Error(QStringLiteral("%1 must be an object {\"role\", \"content\"}, found %2")
                            .arg(label, jsonTypeName(value)));
        const QJsonObject object = value.toObject();
        const QJsonValue roleValue = object.value(QStringLiteral("role"));
        if (!roleValue.isString())
            throw Error(
                QStringLiteral("%1: field \"role\" must be a string, found %2").arg(label, jsonTypeName(roleValue)));
        const QString role = roleValue.toString();
        ConversationMessage message;
        message.label = QStringLiteral("%1 (\"%2\")").arg(label, role);
        message.content = contentText(object.value(QStringLiteral("content")), label);
        if (role == QLatin1String("system") || role == QLatin1String("developer")) {
            message.role = MessageRole::System;
        } else if (role == QLatin1String("user")) {
            message.role = MessageRole::User;
        } else if (role == QLatin1String("tool") || role == QLatin1String("function")) {
            message.role = MessageRole::ToolResult;
        } else if (role == QLatin1String("assistant")) {
            message.role = MessageRole::Assistant;
            const QJsonArray calls = object.value(QStringLiteral("tool_calls")).toArray();
            if (!calls.isEmpty()) {
                const QString payload = toolCallsPayload(calls, label);
                if (message.content.isEmpty()) {
                    message.role = MessageRole::ToolCall;
                    message.content = payload;
                } else {
                    // Text and a call in one answer: both kept, the call tagged after the text.
                    message.content += QLatin1Char('\n') + toolCallText(payload);
                    ++counts->toolCalls;
                }
            }
        } else {
            throw Error(
                QStringLiteral("%1: unknown role \"%2\" (expected system, user, assistant or tool)").arg(label, role));
        }
        messages.push_back(std::move(message));
    }
    QString tools = toolsText(json.value(QStringLiteral("tools")));
    if (tools.isEmpty())
        tools = toolsText(json.value(QStringLiteral("functions")));
    ImportedExample example;
    example.record = recordFromConversation(messages, QString(), tools, counts);
    return example;
}

} // namespace ft
