// Writers for the JSON formats: Alpaca, Dolly, ShareGPT, OpenAI chat and the studio's JSONL.
#include "data/conversation_mapping.h"
#include "data/format_writers.h"

namespace ft {

namespace {

// Records as a JSON array with one record per line, or as JSON Lines.
class RecordList {
public:
    RecordList(DatasetSink& out, bool jsonLines)
        : m_out(out)
        , m_jsonLines(jsonLines)
    {
        if (!m_jsonLines)
            m_out.write("[\n");
    }
    void add(const QByteArray& object)
    {
        if (m_jsonLines) {
            m_out.write(object + '\n');
            return;
        }
        m_out.write((m_first ? QByteArrayLiteral("  ") : QByteArrayLiteral(",\n  ")) + object);
        m_first = false;
    }
    void finish()
    {
        if (!m_jsonLines)
            m_out.write(m_first ? QByteArrayLiteral("]\n") : QByteArrayLiteral("\n]\n"));
    }

private:
    DatasetSink& m_out;
    bool m_jsonLines;
    bool m_first = true;
};

QByteArray messageList(const Conversation& conversation, const char* roleKey, const char* textKey, bool shareGpt)
{
    QByteArray json = "[";
    for (const ConversationMessage& message : conversation.messages) {
        const char* role = "user";
        switch (message.role) {
        case MessageRole::System:
            role = "system";
            break;
        case MessageRole::User:
            role = shareGpt ? "human" : "user";
            break;
        case MessageRole::Assistant:
            role = shareGpt ? "gpt" : "assistant";
            break;
        case MessageRole::ToolCall:
            role = "function_call";
            break;
        case MessageRole::ToolResult:
            role = "observation";
            break;
        }
        if (json.size() > 1)
            json += ", ";
        json += JsonObjectText().add(roleKey, QString::fromLatin1(role)).add(textKey, message.content).finish();
    }
    return json + ']';
}

} // namespace

void writeAlpaca(DatasetSink& out, const std::vector<ImportedExample>& examples, bool jsonLines)
{
    RecordList list(out, jsonLines);
    for (const ImportedExample& example : examples) {
        const ExampleRecord& record = example.record;
        JsonObjectText object;
        if (record.isMultiTurn()) {
            // Earlier exchanges go to "history", as LLaMA-Factory reads them.
            QByteArray history = "[";
            for (size_t t = 0; t + 3 < record.turns.size(); t += 2) {
                if (history.size() > 1)
                    history += ", ";
                history += '[';
                appendJsonString(history, record.turns[t].content);
                history += ", ";
                appendJsonString(history, record.turns[t + 1].content);
                history += ']';
            }
            history += ']';
            object.add("instruction", record.turns[record.turns.size() - 2].content)
                .add("input", QString())
                .add("output", record.turns.back().content)
                .addRaw("history", history);
        } else {
            object.add("instruction", record.instruction).add("input", record.input).add("output", record.response);
        }
        if (!record.system.isEmpty())
            object.add("system", record.system);
        if (!example.tags.isEmpty())
            object.addStrings("tags", example.tags);
        list.add(object.finish());
    }
    list.finish();
}

void writeDolly(DatasetSink& out, const std::vector<ImportedExample>& examples)
{
    for (size_t i = 0; i < examples.size(); ++i) {
        const ImportedExample& example = examples[i];
        if (example.record.isMultiTurn())
            refuseRecord(out.path(), DatasetFormat::Dolly, i, example,
                         QStringLiteral("is a multi-turn conversation, which Dolly cannot hold"));
        if (!example.record.system.isEmpty())
            refuseRecord(out.path(), DatasetFormat::Dolly, i, example,
                         QStringLiteral("has a system prompt, which Dolly has no field for"));
        out.write(JsonObjectText()
                      .add("instruction", example.record.instruction)
                      .add("context", example.record.input)
                      .add("response", example.record.response)
                      .add("category", example.tags.join(QLatin1Char(',')))
                      .finish() +
                  '\n');
    }
}

void writeShareGpt(DatasetSink& out, const std::vector<ImportedExample>& examples, bool jsonLines)
{
    RecordList list(out, jsonLines);
    for (const ImportedExample& example : examples) {
        const Conversation conversation = conversationFromRecord(example.record);
        JsonObjectText object;
        object.addRaw("conversations", messageList(conversation, "from", "value", true));
        if (!conversation.system.isEmpty())
            object.add("system", conversation.system);
        if (!conversation.tools.isEmpty())
            object.add("tools", conversation.tools);
        if (!example.tags.isEmpty())
            object.addStrings("tags", example.tags);
        list.add(object.finish());
    }
    list.finish();
}

void writeOpenAiChat(DatasetSink& out, const std::vector<ImportedExample>& examples)
{
    for (const ImportedExample& example : examples) {
        // Tool turns stay tagged text here: OpenAI's tool_calls need call ids that records do not keep.
        const ExampleRecord& record = example.record;
        Conversation conversation;
        if (!record.system.isEmpty())
            conversation.messages.push_back({MessageRole::System, record.system, {}});
        if (record.isMultiTurn()) {
            for (const ChatTurn& turn : record.turns)
                conversation.messages.push_back(
                    {turn.role == ChatTurn::Role::User ? MessageRole::User : MessageRole::Assistant, turn.content, {}});
        } else {
            const QString user = record.input.isEmpty() ? record.instruction
                                                        : record.instruction + QStringLiteral("\n\n") + record.input;
            conversation.messages.push_back({MessageRole::User, user, {}});
            conversation.messages.push_back({MessageRole::Assistant, record.response, {}});
        }
        out.write(JsonObjectText().addRaw("messages", messageList(conversation, "role", "content", false)).finish() +
                  '\n');
    }
}

void writeStudio(DatasetSink& out, const std::vector<ImportedExample>& examples)
{
    for (const ImportedExample& example : examples) {
        const ExampleRecord& record = example.record;
        JsonObjectText object;
        if (!record.system.isEmpty())
            object.add("system", record.system);
        if (record.isMultiTurn()) {
            QByteArray turns = "[";
            for (const ChatTurn& turn : record.turns) {
                if (turns.size() > 1)
                    turns += ", ";
                turns += JsonObjectText()
                             .add("role", turn.role == ChatTurn::Role::User ? QStringLiteral("user")
                                                                            : QStringLiteral("assistant"))
                             .add("content", turn.content)
                             .finish();
            }
            object.addRaw("turns", turns + ']');
        } else {
            object.add("instruction", record.instruction);
            if (!record.input.isEmpty())
                object.add("input", record.input);
            object.add("response", record.response);
            if (!record.rejected.isEmpty())
                object.add("rejected", record.rejected);
        }
        if (!example.tags.isEmpty())
            object.addStrings("tags", example.tags);
        out.write(object.finish() + '\n');
    }
}

void writePreference(DatasetSink& out, const std::vector<ImportedExample>& examples)
{
    for (size_t i = 0; i < examples.size(); ++i) {
        const ImportedExample& example = examples[i];
        const ExampleRecord& record = example.record;
        if (!record.isPreferencePair())
            refuseRecord(out.path(), DatasetFormat::Preference, i, example,
                         record.isMultiTurn() ? QStringLiteral("is a multi-turn conversation, not a preference pair")
                                              : QStringLiteral("has no rejected answer"));
        JsonObjectText object;
        if (!record.system.isEmpty())
            object.add("system", record.system);
        const QString prompt =
            record.input.isEmpty() ? record.instruction : record.instruction + QStringLiteral("\n\n") + record.input;
        object.add("prompt", prompt).add("chosen", record.response).add("rejected", record.rejected);
        if (!example.tags.isEmpty())
            object.addStrings("tags", example.tags);
        out.write(object.finish() + '\n');
    }
}

} // namespace ft
