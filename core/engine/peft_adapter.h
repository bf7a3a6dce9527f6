#pragma once
// LoRA adapters in PEFT's layout, and the merged export.
//
// A folder holds adapter_config.json (see peft_config.h) and adapter_model.safetensors with, for every
// adapted projection, base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight (r, in) and
// ...lora_B.weight (out, r) (mlp projections under .mlp.), fp32. Python loads it with
// PeftModel.from_pretrained(base_model, folder).

#include <QString>
#include <QStringList>

#include "engine/llama_model.h"
#include "engine/model_loader.h"
#include "engine/peft_config.h"

namespace ft {

// "base_model.model." + model path + ".lora_A.weight" (or lora_B).
QString peftTensorName(const std::string& projectionPath, bool isB);

// Writes the model's adapters, atomically. `config.settings` must describe them (rank, scale, targets).
void saveAdapter(LlamaForCausalLMImpl& model, const QString& folder, const PeftAdapterConfig& config,
                 bool replaceExisting = false);

PeftAdapterConfig readAdapterConfig(const QString& folder);

// Applies LoRA with the folder's settings to a model without adapters (dense or quantized base) and
// fills in the adapter weights. Accepts PEFT's names with or without the ".default" adapter name.
// Everything is checked before the model is touched; errors name the file and the tensor.
PeftAdapterConfig loadAdapter(LlamaForCausalLMImpl& model, const QString& folder);

// Writes a plain Hugging Face folder whose projections are W + scale · B A, in the base's dtype (the
// config's torch_dtype unless options.dtype says otherwise), one tensor at a time; the model is not
// changed. Returns notes for the user, e.g. that a quantized base had to be dequantized.
QStringList exportMerged(LlamaForCausalLMImpl& model, const QString& outFolder, const SaveOptions& options);

} // namespace ft
