#pragma once
// Random conversations (fixed seeds, so every run renders the same ones) for the comparisons with
// @huggingface/jinja and the span checks: any order of roles, a system prompt or not, empty and
// padded contents, special characters, <think> blocks, reasoning_content, tool calls (arguments as
// an object or as JSON text) and tool results, as JSON text with the keys in a fixed order.

#include "chat_oracle.h"

#include <QByteArray>
#include <QList>
#include <QRandomGenerator>
#include <QString>

namespace ft::test {

inline QByteArray randomConversation(QRandomGenerator& random)
{
    static const char* const contents[] = {
        "", " ", "\n", "Hello", "  padded \n", "Two\nlines", "caf\u00e9 \U0001F600", "{{ not a tag }} {% nor %}",
        "quote \" back\\slash", "<think>\nreasoning\n</think>\n\nanswer", "<tool_response>\nr\n</tool_response>",
        "tab\there", "<|im_end|> literal", "The answer is 42."};
    const auto content = [&]() { return jsonString(QString::fromUtf8(contents[random.bounded(int(std::size(contents)))])); };
    QByteArray json = "[";
    const int count = 1 + random.bounded(6);
    const bool system = random.bounded(3) == 0;
    for (int i = 0; i < count + (system ? 1 : 0); ++i) {
        if (i)
            json += ", ";
        if (system && i == 0) {
            json += "{\"role\": \"system\", \"content\": " + content() + "}";
            continue;
        }
        const int kind = random.bounded(10);
        if (kind < 4) {
            json += "{\"role\": \"user\", \"content\": " + content() + "}";
        } else if (kind < 9) {
            json += "{\"role\": \"assistant\", \"content\": " + content();
            if (random.bounded(4) == 0)
                json += ", \"reasoning_content\": " + content();
            if (random.bounded(4) == 0) {
                json += random.bounded(2) ? QByteArray(", \"tool_calls\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}}]")
                                          : QByteArray(", \"tool_calls\": [{\"function\": {\"name\": \"lookup\", \"arguments\": \"{\\\"q\\\": 1}\"}}, {\"function\": {\"name\": \"lookup\", \"arguments\": {\"q\": 2}}}]");
            }
            json += "}";
        } else {
            json += "{\"role\": \"tool\", \"content\": " + content() + "}";
        }
    }
    return json + "]";
}

// `count` conversations from `seed`.
inline QList<QByteArray> randomConversations(quint32 seed, int count)
{
    QRandomGenerator random(seed);
    QList<QByteArray> all;
    for (int i = 0; i < count; ++i)
        all.append(randomConversation(random));
    return all;
}

} // namespace ft::test
