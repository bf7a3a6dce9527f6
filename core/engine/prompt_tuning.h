#pragma once
// Prompt tuning (Lester et al. 2021): N trainable virtual token embeddings put before every sequence of a
// frozen model, and their folder in PEFT's PROMPT_TUNING layout:
//
//   adapter_config.json        peft_type "PROMPT_TUNING", task_type "CAUSAL_LM", num_virtual_tokens N,
//                              token_dim C, num_transformer_submodules 1, num_attention_heads, num_layers,
//                              prompt_tuning_init "SAMPLE_VOCAB" | "TEXT" (+ prompt_tuning_init_text),
//                              tokenizer_name_or_path, base_model_name_or_path, inference_mode true
//   adapter_model.safetensors  "prompt_embeddings" (N, C), fp32
//
// Python loads it with PeftModel.from_pretrained(base_model, folder).

#include <QJsonObject>
#include <QString>

#include "engine/llama_model.h"
#include "modelio/tokenizer.h"

namespace ft {

struct SoftPromptSettings {
    int64_t virtualTokens = 20;
    // "sample_vocab": the embeddings of N tokens drawn uniformly from the vocabulary (seeded);
    // "text": the embeddings of initText's tokens, repeated or cut to N.
    QString init = QStringLiteral("sample_vocab");
    QString initText;
};

// Freezes every parameter of the model and gives it a trainable soft prompt, initialised as the settings
// say (in fp32, the model's compute dtype being used only in the forward pass). `tokenizer` is needed for
// "text". Refuses a model that already has one.
void applySoftPrompt(LlamaForCausalLMImpl& model, const SoftPromptSettings& settings, const Tokenizer* tokenizer,
                     uint64_t seed);

struct PromptTuningAdapterInfo {
    SoftPromptSettings settings;
    QString baseModelNameOrPath;
};

QJsonObject promptTuningConfigJson(const LlamaForCausalLMImpl& model, const PromptTuningAdapterInfo& info);

// Writes the model's soft prompt as a PEFT PROMPT_TUNING folder, atomically.
void savePromptTuningAdapter(LlamaForCausalLMImpl& model, const QString& folder, const PromptTuningAdapterInfo& info,
                             bool replaceExisting = false);

// Whether `folder`'s adapter_config.json says peft_type "PROMPT_TUNING".
bool isPromptTuningAdapter(const QString& folder);

// Gives a model without a soft prompt the folder's, frozen. Everything is checked first (peft_type,
// task_type, one transformer submodule, token_dim against the model, the tensor's name, dtype and shape);
// errors name the file.
PromptTuningAdapterInfo loadPromptTuningAdapter(LlamaForCausalLMImpl& model, const QString& folder);

} // namespace ft
