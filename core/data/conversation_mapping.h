#pragma once
// Conversations (ShareGPT, OpenAI chat) to and from example records.
//
// A conversation with one user message and one answer becomes an instruction/response record; a
// longer one is kept whole as a multi-turn record. Tool use is kept as text of the turn it belongs
// to, in the tags that Hermes- and Qwen-style chat templates use, so that nothing is dropped and
// the exported file has the same turns again:
//   a tool call (ShareGPT "function_call", OpenAI "tool_calls") -> assistant turn "<tool_call>\n...\n</tool_call>"
//   a tool result (ShareGPT "observation", OpenAI role "tool")  -> user turn "<tool_response>\n...\n</tool_response>"
//   the tool definitions (ShareGPT/OpenAI "tools")               -> end of the system prompt "<tools>\n...\n</tools>"

#include <vector>

#include <QString>

#include "data/dataset_format.h"
#include "data/example_record.h"

namespace ft {

enum class MessageRole { System, User, Assistant, ToolCall, ToolResult };

struct ConversationMessage {
    MessageRole role = MessageRole::User;
    QString content; // for ToolCall/ToolResult: the bare payload, without tags
    QString label;   // where it came from, for errors: e.g. "conversations[3] (\"gpt\")"
};

QString toolCallText(const QString& payload);
QString toolResultText(const QString& payload);
QString systemWithTools(const QString& system, const QString& tools);

// Throws ft::Error with the reason (no location) when the turns do not alternate user/assistant,
// starting with the user and ending with the assistant, or a system message is not first.
// `system` comes from outside the messages (a "system" field); `tools` is the tool list as text.
// Adds what it kept to `counts` (multiTurn, toolCalls, toolResults, toolDefinitions).
ExampleRecord recordFromConversation(const std::vector<ConversationMessage>& messages, const QString& system,
                                     const QString& tools, ImportCounts* counts);

// The other way: the system prompt (without the tools), the tool list, and the messages without the
// system prompt; tagged tool turns become ToolCall/ToolResult again. A non-empty input follows the
// instruction in the first user message after a blank line (conversations have no input field).
struct Conversation {
    QString system;
    QString tools;
    std::vector<ConversationMessage> messages;
};
Conversation conversationFromRecord(const ExampleRecord& record);

} // namespace ft
