#pragma once
// Applying LoRA adapters to a model, merging them back, and finding them again.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QString>

#include "engine/llama_model.h"
#include "engine/lora_projection.h"

namespace ft {

struct LoraSettings {
    int rank = 8;
    double alpha = 16;
    double dropout = 0.05;
    bool rsLora = false; // scale alpha / sqrt(rank) (Kalajdzievski 2023) instead of alpha / rank
    std::vector<ProjectionKind> targets = allProjectionKinds();

    double scale() const;
    void validate() const; // throws ft::Error naming the bad setting
};

// One adapted projection of the model.
struct LoraSite {
    size_t layer;
    ProjectionKind kind;
    std::string path; // "model.layers.3.mlp.up_proj"
    LoraProjection projection;
};

// "model.layers.N.self_attn.q_proj" or "model.layers.N.mlp.up_proj".
std::string projectionPath(size_t layer, ProjectionKind kind);
std::optional<ProjectionKind> projectionKindFromName(const QString& name); // "q_proj" -> Q

// Freezes every parameter of the model (embeddings, norms, head included) and wraps each targeted
// projection of every layer in a LoRA adapter; A is drawn from a generator seeded with `seed` (layer by
// layer in q, k, v, o, gate, up, down order). Refuses a model that already has adapters.
std::vector<LoraSite> applyLora(LlamaForCausalLMImpl& model, const LoraSettings& settings, uint64_t seed);

std::vector<LoraSite> loraSites(LlamaForCausalLMImpl& model);
bool hasLora(LlamaForCausalLMImpl& model);
// The trainable adapter tensors: "...q_proj.lora_A.weight" (r, in) and "...q_proj.lora_B.weight" (out, r).
std::vector<std::pair<std::string, torch::Tensor>> namedLoraParameters(LlamaForCausalLMImpl& model);
std::vector<torch::Tensor> loraParameters(LlamaForCausalLMImpl& model);

// Replaces every LoRA projection by a dense one holding W + scale · B A in the model's dtype (a
// quantized base is dequantized first). The new weights are frozen like the rest. Returns a note per
// kind of quantized base that had to be dequantized (empty when the base was dense).
QStringList mergeLora(LlamaForCausalLMImpl& model);

} // namespace ft
