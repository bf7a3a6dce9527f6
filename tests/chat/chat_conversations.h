#pragma once
// Conversations the chat-template tests render (with and without a system prompt, multi-turn, empty
// content, content as parts, tool calls and results, reasoning_content, odd characters), as JSON
// text so that ours and the oracle read the same keys in the same order; and a tools list.

namespace ft::test {

inline const char* const kConversations[] = {
    R"([{"role": "user", "content": "Hello!"}])",
    R"([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}])",
    R"([{"role": "system", "content": "You are a concise assistant."}, {"role": "user", "content": "Name three colours."}, {"role": "assistant", "content": "Red, green and blue."}, {"role": "user", "content": "And one more?"}, {"role": "assistant", "content": "Yellow."}])",
    R"([{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}, {"role": "user", "content": "3+3?"}, {"role": "assistant", "content": "6"}])",
    R"([{"role": "system", "content": ""}, {"role": "user", "content": ""}, {"role": "assistant", "content": ""}])",
    R"([{"role": "user", "content": "  Quotes \" and 'single', back\\slash, tab\t, {{ not a tag }} {% nor this %}\nNew line, caf\u00e9, \ud83d\ude00, <|im_end|> literal  "}, {"role": "assistant", "content": "\n  padded answer \n"}])",
    R"([{"role": "user", "content": "Why?"}, {"role": "assistant", "content": "Because.", "reasoning_content": "Let me think."}, {"role": "user", "content": "Sure?"}, {"role": "assistant", "content": "Yes.", "reasoning_content": "  \nChecking again.\n  "}])",
    R"([{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "<think>\nstep 1\n</think>\n\nA1"}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "<think>\nstep 2\n</think>\n\n  A2"}])",
    R"([{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]}, {"role": "tool", "content": "{\"temp\": 21}"}, {"role": "assistant", "content": "It is 21 degrees."}])",
    R"([{"role": "user", "content": "Two cities?"}, {"role": "assistant", "content": "Checking.", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}, {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Rome"}}}]}, {"role": "tool", "content": "cold"}, {"role": "tool", "content": "warm"}, {"role": "assistant", "content": "Oslo is cold, Rome warm."}])",
    R"([{"role": "user", "content": "Weather?"}, {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Nice"}}}]}, {"role": "tool", "content": {"temp": 25, "sky": "clear"}}])",
    R"([{"role": "user", "content": [{"type": "text", "text": "Describe"}, {"type": "image"}, {"type": "text", "text": " this."}]}])",
    R"([{"role": "user", "content": "Look up x."}, {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "lookup", "arguments": {"q": "x"}}}]}, {"role": "user", "content": "<tool_response>\nx=1\n</tool_response>"}, {"role": "assistant", "content": "x is 1."}])",
    R"([{"role": "user", "content": "One"}, {"role": "user", "content": "Two"}])",
    R"([{"role": "system", "content": "Only a system prompt."}])",
    R"([{"role": "assistant", "content": "I speak first."}, {"role": "user", "content": "OK"}])",
    R"([{"role": "user", "content": "a", "name": "ann", "id": 7}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}, {"role": "user", "content": "e"}, {"role": "assistant", "content": "f"}, {"role": "user", "content": "g"}, {"role": "assistant", "content": "h"}])",
    R"([{"role": "user", "content": "  \n padded \n  "}, {"role": "assistant", "content": null}])",
};

inline const char* const kTools = R"([{"type": "function", "function": {"name": "get_weather", "description": "Get the weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city"}, "days": {"type": "integer"}}, "required": ["city"]}}}, {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}])";

} // namespace ft::test
