// Alpaca records: {"instruction", "input", "output"}, with the optional "system" and "history"
// (earlier [user, assistant] exchanges, as LLaMA-Factory writes them) and "tags".
#include <QJsonArray>

#include "common/error.h"
#include "data/format_readers.h"

namespace ft {

ImportedExample alpacaExample(const QJsonObject& json, ImportCounts* counts)
{
    ImportedExample example;
    ExampleRecord& record = example.record;
    record.instruction = requiredStringField(json, QStringLiteral("instruction"));
    record.input = optionalStringField(json, QStringLiteral("input"));
    if (!json.contains(QStringLiteral("output")))
        throw Error(
            QStringLiteral("missing field \"output\" (Alpaca records are {\"instruction\", \"input\", \"output\"})"));
    record.response = requiredStringField(json, QStringLiteral("output"));
    record.system = optionalStringField(json, QStringLiteral("system"));
    example.tags = optionalTagsField(json, QStringLiteral("tags"));

    const QJsonValue history = json.value(QStringLiteral("history"));
    if (history.isUndefined() || history.isNull() || (history.isArray() && history.toArray().isEmpty()))
        return example;
    if (!history.isArray())
        throw Error(QStringLiteral("field \"history\" must be an array of [instruction, response] pairs, found %1")
                        .arg(jsonTypeName(history)));
    int index = 0;
    for (const QJsonValue& pair : history.toArray()) {
        const QJsonArray items = pair.toArray();
        if (!pair.isArray() || items.size() != 2 || !items[0].isString() || !items[1].isString())
            throw Error(QStringLiteral("history[%1] must be a pair of strings [instruction, response]").arg(index));
        record.turns.push_back({ChatTurn::Role::User, items[0].toString()});
        record.turns.push_back({ChatTurn::Role::Assistant, items[1].toString()});
        ++index;
    }
    const QString last =
        record.input.isEmpty() ? record.instruction : record.instruction + QStringLiteral("\n\n") + record.input;
    record.turns.push_back({ChatTurn::Role::User, last});
    record.turns.push_back({ChatTurn::Role::Assistant, record.response});
    record.instruction.clear();
    record.input.clear();
    record.response.clear();
    ++counts->multiTurn;
    return example;
}

} // namespace ft
