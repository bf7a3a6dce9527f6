#pragma once
// The prompt template "model": a model folder's own Jinja chat template used for training, evaluation and
// generation. A record becomes messages (system; the instruction, with its input after a blank line, as the
// user; the response as the assistant; or the turns of a multi-turn record), rendered by the template; the
// assistant spans (renderWithAssistantSpans) carry the loss, through each turn's end-of-turn marker.

#include <QString>

#include "data/prompt_template.h"

namespace ft {

// The folder's default chat template as a PromptTemplate named "model". Throws ft::Error naming the folder
// when it has none (a llama2.c checkpoint, a base model without chat_template), or naming the template's
// line when the interpreter cannot parse it.
PromptTemplate modelPromptTemplate(const QString& modelFolder);

// A chat template file of the user's (a path ending in .jinja) rendered the same way; the model folder's
// tokenizer_config.json, when there is one, gives bos_token and eos_token. Errors name the file and line.
PromptTemplate chatTemplateFilePromptTemplate(const QString& path, const QString& modelFolder);

// "model" through modelPromptTemplate(modelFolder), a .jinja path through chatTemplateFilePromptTemplate,
// anything else through PromptTemplate::resolve.
PromptTemplate resolvePromptTemplate(const QString& nameOrText, const QString& modelFolder);

// Whether the folder has a chat template of its own (for defaults and the Train page's choice).
bool hasModelChatTemplate(const QString& modelFolder);

} // namespace ft
