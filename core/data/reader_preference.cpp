// Preference pairs as DPO trainers take them: {"prompt", "chosen", "rejected", "system"?}, the three
// either strings or lists of {"role", "content"} messages (TRL's conversational form: the prompt's
// messages, then each answer as a list ending with the assistant's message; without "prompt", the
// messages chosen and rejected share before their last one are the prompt).
#include <QJsonArray>

#include "common/error.h"
#include "data/format_readers.h"

namespace ft {

namespace {

struct Message {
    QString role;
    QString content;
    bool operator==(const Message& other) const { return role == other.role && content == other.content; }
};

std::vector<Message> messagesOf(const QJsonValue& value, const QString& field)
{
    if (value.isString())
        return {};
    if (!value.isArray())
        throw Error(QStringLiteral("field \"%1\" must be a string or a list of {\"role\", \"content\"} messages, "
                                   "found %2")
                        .arg(field, jsonTypeName(value)));
    std::vector<Message> messages;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject object = array[i].toObject();
        const QJsonValue role = object.value(QStringLiteral("role"));
        const QJsonValue content = object.value(QStringLiteral("content"));
        if (!array[i].isObject() || !role.isString() || !content.isString())
            throw Error(QStringLiteral("%1[%2] must be {\"role\": string, \"content\": string}").arg(field).arg(i));
        messages.push_back({role.toString(), content.toString()});
    }
    return messages;
}

// The answer of a chosen/rejected field: the string, or the content of the list's last message,
// which must be the assistant's. `before` receives the messages ahead of it.
QString answerOf(const QJsonValue& value, const QString& field, std::vector<Message>* before)
{
    if (value.isUndefined())
        throw Error(QStringLiteral("missing field \"%1\" (preference records are {\"prompt\", \"chosen\", "
                                   "\"rejected\"})")
                        .arg(field));
    if (value.isString())
        return value.toString();
    std::vector<Message> messages = messagesOf(value, field);
    if (messages.empty() || messages.back().role != QLatin1String("assistant"))
        throw Error(QStringLiteral("field \"%1\" must end with an assistant message").arg(field));
    const QString answer = messages.back().content;
    messages.pop_back();
    *before = std::move(messages);
    return answer;
}

} // namespace

ImportedExample preferenceExample(const QJsonObject& json, ImportCounts* /*counts*/)
{
    ImportedExample example;
    ExampleRecord& record = example.record;
    std::vector<Message> chosenBefore;
    std::vector<Message> rejectedBefore;
    record.response = answerOf(json.value(QStringLiteral("chosen")), QStringLiteral("chosen"), &chosenBefore);
    record.rejected = answerOf(json.value(QStringLiteral("rejected")), QStringLiteral("rejected"), &rejectedBefore);
    if (chosenBefore != rejectedBefore)
        throw Error(QStringLiteral("\"chosen\" and \"rejected\" differ before their last message: a preference "
                                   "pair answers one prompt"));

    // The prompt: the "prompt" field (string or messages), followed by what both answers repeat.
    std::vector<Message> prompt;
    const QJsonValue promptValue = json.value(QStringLiteral("prompt"));
    if (promptValue.isString())
        prompt.push_back({QStringLiteral("user"), promptValue.toString()});
    else if (!promptValue.isUndefined() && !promptValue.isNull())
        prompt = messagesOf(promptValue, QStringLiteral("prompt"));
    prompt.insert(prompt.end(), chosenBefore.begin(), chosenBefore.end());
    record.system = optionalStringField(json, QStringLiteral("system"));
    while (!prompt.empty() && prompt.front().role == QLatin1String("system")) {
        record.system += (record.system.isEmpty() ? QString() : QStringLiteral("\n\n")) + prompt.front().content;
        prompt.erase(prompt.begin());
    }
    if (prompt.empty())
        throw Error(QStringLiteral("no prompt: expected \"prompt\" (a string or messages), or \"chosen\" and "
                                   "\"rejected\" as message lists that begin with the user's message"));
    if (prompt.size() != 1 || prompt.front().role != QLatin1String("user"))
        throw Error(QStringLiteral("the prompt is %1 messages ending with \"%2\": only a single user message (after "
                                   "any system message) is supported for preference pairs")
                        .arg(prompt.size())
                        .arg(prompt.back().role));
    record.instruction = prompt.front().content;
    if (record.instruction.trimmed().isEmpty())
        throw Error(QStringLiteral("the prompt is empty"));
    if (record.response.trimmed().isEmpty() || record.rejected.trimmed().isEmpty())
        throw Error(
            QStringLiteral("field \"%1\" is empty")
                .arg(record.response.trimmed().isEmpty() ? QStringLiteral("chosen") : QStringLiteral("rejected")));
    if (record.response == record.rejected)
        throw Error(QStringLiteral("\"chosen\" and \"rejected\" are the same answer"));
    example.tags = optionalTagsField(json, QStringLiteral("tags"));
    return example;
}

} // namespace ft
