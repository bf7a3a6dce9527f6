#include "data/example_record.h"

#include <QJsonArray>

#include "common/error.h"

namespace ft {

QJsonObject ExampleRecord::toJson() const
{
    QJsonObject json;
    if (!system.isEmpty())
        json[QStringLiteral("system")] = system;
    if (isMultiTurn()) {
        QJsonArray array;
        for (const ChatTurn& turn : turns)
            array.append(
                QJsonObject{{QStringLiteral("role"),
                             turn.role == ChatTurn::Role::User ? QStringLiteral("user") : QStringLiteral("assistant")},
                            {QStringLiteral("content"), turn.content}});
        json[QStringLiteral("turns")] = array;
        return json;
    }
    json[QStringLiteral("instruction")] = instruction;
    if (!input.isEmpty())
        json[QStringLiteral("input")] = input;
    json[QStringLiteral("response")] = response;
    // Only a real second answer: a blank one, or one equal to the response, is no pair (and fromJson
    // refuses both), so an edit that leaves one behind cannot stop a run.
    if (!rejected.trimmed().isEmpty() && rejected != response)
        json[QStringLiteral("rejected")] = rejected;
    return json;
}

ExampleRecord ExampleRecord::rejectedVariant() const
{
    ExampleRecord variant = *this;
    variant.response = rejected;
    variant.rejected.clear();
    return variant;
}

namespace {

QString optionalString(const QJsonObject& json, const char* key, const QString& origin)
{
    const QJsonValue value = json.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isString())
        throw Error(QStringLiteral("%1: field \"%2\" must be a string").arg(origin, QLatin1String(key)));
    return value.toString();
}

} // namespace

ExampleRecord ExampleRecord::fromJson(const QJsonObject& json, const QString& origin, bool allowEmptyResponse)
{
    ExampleRecord record;
    record.system = optionalString(json, "system", origin);
    if (json.contains(QStringLiteral("turns"))) {
        const QJsonValue turns = json.value(QStringLiteral("turns"));
        if (!turns.isArray() || turns.toArray().isEmpty())
            throw Error(QStringLiteral("%1: field \"turns\" must be a non-empty array of {role, content}").arg(origin));
        int index = 0;
        for (const QJsonValue& value : turns.toArray()) {
            const QString where = QStringLiteral("%1: turns[%2]").arg(origin).arg(index);
            const QJsonObject object = value.toObject();
            const QString role = object.value(QStringLiteral("role")).toString();
            const QJsonValue content = object.value(QStringLiteral("content"));
            if (!value.isObject() || !content.isString())
                throw Error(
                    QStringLiteral("%1: expected {\"role\": \"user\"|\"assistant\", \"content\": string}").arg(where));
            const ChatTurn::Role expected = index % 2 == 0 ? ChatTurn::Role::User : ChatTurn::Role::Assistant;
            const ChatTurn::Role actual =
                role == QLatin1String("user") ? ChatTurn::Role::User : ChatTurn::Role::Assistant;
            if ((role != QLatin1String("user") && role != QLatin1String("assistant")) || actual != expected)
                throw Error(
                    QStringLiteral("%1: expected role \"%2\" (turns alternate user, assistant, starting with user)")
                        .arg(where,
                             expected == ChatTurn::Role::User ? QStringLiteral("user") : QStringLiteral("assistant")));
            if (actual == ChatTurn::Role::Assistant && content.toString().trimmed().isEmpty() && !allowEmptyResponse)
                throw Error(QStringLiteral("%1: empty assistant response").arg(where));
            record.turns.push_back({actual, content.toString()});
            ++index;
        }
        if (record.turns.back().role != ChatTurn::Role::Assistant)
            throw Error(QStringLiteral("%1: the conversation must end with an assistant turn").arg(origin));
        if (json.contains(QStringLiteral("rejected")))
            throw Error(QStringLiteral("%1: field \"rejected\" goes with {instruction, response} examples, not with "
                                       "\"turns\" (preference pairs after a conversation are not supported)")
                            .arg(origin));
        return record;
    }
    if (!json.contains(QStringLiteral("instruction")))
        throw Error(
            QStringLiteral("%1: missing field \"instruction\" (expected {system?, instruction, input?, response})")
                .arg(origin));
    record.instruction = optionalString(json, "instruction", origin);
    record.input = optionalString(json, "input", origin);
    if (!json.contains(QStringLiteral("response")))
        throw Error(QStringLiteral("%1: missing field \"response\" (expected {system?, instruction, input?, response})")
                        .arg(origin));
    record.response = optionalString(json, "response", origin);
    if (record.response.trimmed().isEmpty() && !allowEmptyResponse)
        throw Error(QStringLiteral("%1: field \"response\" is empty").arg(origin));
    if (json.contains(QStringLiteral("rejected"))) {
        record.rejected = optionalString(json, "rejected", origin);
        if (record.rejected.trimmed().isEmpty())
            throw Error(QStringLiteral("%1: field \"rejected\" is empty (leave it out when there is no rejected "
                                       "answer)")
                            .arg(origin));
        if (record.rejected == record.response)
            throw Error(QStringLiteral("%1: field \"rejected\" is the same as \"response\": a preference pair needs "
                                       "two different answers")
                            .arg(origin));
    }
    return record;
}

ExampleRecord ExampleRecord::fromConversation(const QString& system, const std::vector<ChatTurn>& turns)
{
    ExampleRecord record;
    record.system = system;
    if (turns.size() == 2) {
        record.instruction = turns[0].content;
        record.response = turns[1].content;
    } else {
        record.turns = turns;
    }
    return record;
}

} // namespace ft
