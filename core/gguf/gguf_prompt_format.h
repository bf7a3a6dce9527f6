#pragma once
// The studio's prompt templates (data/prompt_template.h: formats with {system}, {instruction}, {input},
// {response}, {bos}, {eos} and optional [[ ... ]] groups) in the two languages the places a GGUF goes to speak:
//   - a Jinja chat template for tokenizer.chat_template (llama.cpp's server, LM Studio): a loop over
//     `messages` (system, user, assistant) producing what PromptTemplate::render produces for a conversation;
//   - an Ollama Go template for the Modelfile's TEMPLATE: {{ .System }}, {{ .Prompt }}, {{ .Response }}, the first
//     turn only (Ollama keeps the history itself by re-rendering earlier turns with the same template).
// {input} has no counterpart in either: groups holding it are left out, and a bare {input} becomes empty.
// {bos} is bos_token in Jinja (it only appears between turns: llama.cpp adds the first BOS itself where
// tokenizer.ggml.add_bos_token says) and nothing in Ollama's one-turn template; {eos} is the EOS token's text.

#include <QString>

#include "data/prompt_template.h"

namespace ft {

// A Jinja chat template producing, for [system?, user, assistant, user, ...] messages, the studio's rendering
// (the first user turn with `prompt`, later ones with `followUp`, each answer `response` then the EOS token and
// `separator` before the next turn). The rendered prompt already ends where the answer begins, so
// add_generation_prompt adds nothing.
QString jinjaChatTemplate(const PromptTemplate& format);

// The Ollama TEMPLATE text for one turn: prompt (with .System and .Prompt), then {{ .Response }} and what the
// template puts after an answer. `eosText` is what {eos} stands for.
QString ollamaTemplate(const PromptTemplate& format, const QString& eosText);

} // namespace ft
