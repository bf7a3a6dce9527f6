#include "data/conversation_mapping.h"

#include "common/error.h"

namespace ft {

namespace {

const QString kToolCallOpen = QStringLiteral("<tool_call>\n");
const QString kToolCallClose = QStringLiteral("\n</tool_call>");
const QString kToolResultOpen = QStringLiteral("<tool_response>\n");
const QString kToolResultClose = QStringLiteral("\n</tool_response>");
const QString kToolsOpen = QStringLiteral("<tools>\n");
const QString kToolsClose = QStringLiteral("\n</tools>");

// The payload between `open` and `close` when `text` is exactly one such block.
bool unwrap(const QString& text, const QString& open, const QString& close, QString* payload)
{
    if (!text.startsWith(open) || !text.endsWith(close) || text.size() < open.size() + close.size())
        return false;
    const QString inner = text.mid(open.size(), text.size() - open.size() - close.size());
    if (inner.contains(close.mid(1)))
        return false; // more than one block: keep it as text
    *payload = inner;
    return true;
}

} // namespace

QString toolCallText(const QString& payload) { return kToolCallOpen + payload + kToolCallClose; }
QString toolResultText(const QString& payload) { return kToolResultOpen + payload + kToolResultClose; }

QString systemWithTools(const QString& system, const QString& tools)
{
    if (tools.isEmpty())
        return system;
    return (system.isEmpty() ? QString() : system + QStringLiteral("\n\n")) + kToolsOpen + tools + kToolsClose;
}

ExampleRecord recordFromConversation(const std::vector<ConversationMessage>& messages, const QString& system,
                                     const QString& tools, ImportCounts* counts)
{
    ExampleRecord record;
    QString systemText = system;
    ImportCounts local;
    bool seenOther = false;
    for (const ConversationMessage& message : messages) {
        if (message.role == MessageRole::System) {
            if (seenOther)
                throw Error(QStringLiteral("%1: a system message is only allowed before the first user message")
                                .arg(message.label));
            systemText = systemText.isEmpty() ? message.content : systemText + QStringLiteral("\n\n") + message.content;
            continue;
        }
        seenOther = true;
        const bool user = message.role == MessageRole::User || message.role == MessageRole::ToolResult;
        const ChatTurn::Role expected = record.turns.size() % 2 == 0 ? ChatTurn::Role::User : ChatTurn::Role::Assistant;
        const ChatTurn::Role actual = user ? ChatTurn::Role::User : ChatTurn::Role::Assistant;
        if (actual != expected) {
            if (record.turns.empty())
                throw Error(QStringLiteral("%1: the conversation must start with a user message").arg(message.label));
            throw Error(
                QStringLiteral("%1: expected a%2 message here (turns must alternate between user and assistant)")
                    .arg(message.label,
                         expected == ChatTurn::Role::User ? QStringLiteral(" user") : QStringLiteral("n assistant")));
        }
        QString content = message.content;
        if (message.role == MessageRole::ToolCall) {
            content = toolCallText(content);
            ++local.toolCalls;
        } else if (message.role == MessageRole::ToolResult) {
            content = toolResultText(content);
            ++local.toolResults;
        }
        record.turns.push_back({actual, content});
    }
    if (record.turns.empty())
        throw Error(QStringLiteral("the conversation has no user or assistant messages"));
    if (record.turns.back().role != ChatTurn::Role::Assistant)
        throw Error(QStringLiteral("%1: the conversation ends with a user message; it must end with an answer")
                        .arg(messages.back().label));
    record.system = systemWithTools(systemText, tools);
    if (!tools.isEmpty())
        ++local.toolDefinitions;
    if (record.turns.size() == 2) {
        record.instruction = record.turns[0].content;
        record.response = record.turns[1].content;
        record.turns.clear();
    } else {
        ++local.multiTurn;
    }
    if (counts) {
        counts->multiTurn += local.multiTurn;
        counts->toolCalls += local.toolCalls;
        counts->toolResults += local.toolResults;
        counts->toolDefinitions += local.toolDefinitions;
    }
    return record;
}

Conversation conversationFromRecord(const ExampleRecord& record)
{
    Conversation conversation;
    conversation.system = record.system;
    const qsizetype toolsAt = record.system.lastIndexOf(kToolsOpen);
    if (toolsAt >= 0 && record.system.endsWith(kToolsClose) &&
        (toolsAt == 0 || record.system.mid(toolsAt - 2, 2) == QLatin1String("\n\n"))) {
        conversation.tools = record.system.mid(toolsAt + kToolsOpen.size(),
                                               record.system.size() - toolsAt - kToolsOpen.size() - kToolsClose.size());
        conversation.system = toolsAt == 0 ? QString() : record.system.left(toolsAt - 2);
    }
    auto add = [&](ChatTurn::Role role, const QString& content) {
        ConversationMessage message;
        QString payload;
        if (role == ChatTurn::Role::Assistant) {
            message.role = unwrap(content, kToolCallOpen, kToolCallClose, &payload) ? MessageRole::ToolCall
                                                                                    : MessageRole::Assistant;
        } else {
            message.role = unwrap(content, kToolResultOpen, kToolResultClose, &payload) ? MessageRole::ToolResult
                                                                                        : MessageRole::User;
        }
        message.content =
            message.role == MessageRole::ToolCall || message.role == MessageRole::ToolResult ? payload : content;
        conversation.messages.push_back(message);
    };
    if (record.isMultiTurn()) {
        for (const ChatTurn& turn : record.turns)
            add(turn.role, turn.content);
    } else {
        add(ChatTurn::Role::User,
            record.input.isEmpty() ? record.instruction : record.instruction + QStringLiteral("\n\n") + record.input);
        add(ChatTurn::Role::Assistant, record.response);
    }
    return conversation;
}

} // namespace ft
