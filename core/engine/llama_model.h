#pragma once
// A decoder-only Llama-family model (Llama 2/3, Mistral, Qwen2, Qwen3) whose module tree and parameter names
// are Hugging Face's: model.embed_tokens, model.layers.N.{self_attn.{q,k,v,o}_proj, mlp.{gate,up,down}_proj,
// input_layernorm, post_attention_layernorm, self_attn.{q,k}_norm (Qwen3)}, model.norm, lm_head (absent when
// tied).

#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/kv_cache.h"
#include "engine/projection.h"
#include "engine/rotary.h"
#include "modelio/model_config.h"

namespace ft {

enum class ProjectionKind { Q, K, V, O, Gate, Up, Down };
const char* projectionName(ProjectionKind kind); // "q_proj", ...
std::vector<ProjectionKind> allProjectionKinds();

class RMSNormImpl : public torch::nn::Module {
public:
    RMSNormImpl(int64_t dim, double eps, torch::ScalarType dtype);
    torch::Tensor forward(const torch::Tensor& x); // normalised in fp32, scaled by weight
    torch::Tensor weight;                          // (dim)

private:
    double m_eps;
};
TORCH_MODULE(RMSNorm);

// What every layer of one forward pass shares.
struct AttentionContext {
    RotaryTables rotary;
    torch::Tensor allowed; // bool (B or 1, 1, 1, T, S): query t may attend to key s
    KvCache* cache = nullptr;
};

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(const ModelConfig& config, torch::ScalarType dtype);
    // x (B, T, C) -> (B, T, C)
    torch::Tensor forward(const torch::Tensor& x, const AttentionContext& context, size_t layerIndex);
    Projection q_proj, k_proj, v_proj, o_proj;
    RMSNorm q_norm{nullptr}, k_norm{nullptr}; // (head_dim) each; only when config.qkNorm (Qwen3)

private:
    int64_t m_heads, m_kvHeads, m_headDim;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
public:
    MlpImpl(const ModelConfig& config, torch::ScalarType dtype);
    torch::Tensor forward(const torch::Tensor& x); // down(silu(gate(x)) * up(x))
    Projection gate_proj, up_proj, down_proj;
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
public:
    DecoderLayerImpl(const ModelConfig& config, torch::ScalarType dtype);
    torch::Tensor forward(const torch::Tensor& x, const AttentionContext& context, size_t layerIndex);
    Projection& projection(ProjectionKind kind);
    // Puts `replacement` in place of the projection (also in the module tree, under the same name).
    void replaceProjection(ProjectionKind kind, Projection replacement);

    Attention self_attn{nullptr};
    Mlp mlp{nullptr};
    RMSNorm input_layernorm{nullptr};
    RMSNorm post_attention_layernorm{nullptr};
};
TORCH_MODULE(DecoderLayer);

// Token embedding table registered as "weight" (vocab, C).
class EmbeddingImpl : public torch::nn::Module {
public:
    EmbeddingImpl(int64_t vocab, int64_t dim, torch::ScalarType dtype);
    torch::Tensor forward(const torch::Tensor& tokens); // (B, T) -> (B, T, C)
    torch::Tensor weight;
};
TORCH_MODULE(Embedding);

class LlamaBodyImpl : public torch::nn::Module {
public:
    LlamaBodyImpl(const ModelConfig& config, torch::ScalarType dtype);
    Embedding embed_tokens{nullptr};
    std::vector<DecoderLayer> layers;
    RMSNorm norm{nullptr};
    torch::nn::ModuleList layerList;
};
TORCH_MODULE(LlamaBody);

// Positions and attention boundaries of a batch. Undefined tensors mean: positions 0..T-1 (after
// what the cache holds) and one sequence per row.
struct TokenLayout {
    torch::Tensor positions; // (B, T) int64: restart at 0 for every packed example
    torch::Tensor segments;  // (B, T) int64: a token attends only to earlier tokens of equal segment id
};

// One tensor of the checkpoint, as the loader and the writer see it.
struct WeightSlot {
    std::string name;           // Hugging Face tensor name
    std::vector<int64_t> shape; // expected shape
    std::function<void(const torch::Tensor&)> assign;
    std::function<torch::Tensor()> read; // dense, compute dtype
};

enum class WeightInit { Empty, Random };

class LlamaForCausalLMImpl : public torch::nn::Module {
public:
    LlamaForCausalLMImpl(const ModelConfig& config, torch::ScalarType dtype, WeightInit init, uint64_t seed = 0);

    // tokens (B, T) int64 -> logits (B, T, vocab)
    torch::Tensor forward(const torch::Tensor& tokens, const TokenLayout& layout = {}, KvCache* cache = nullptr);
    // The normalised final hidden states (B, T, C), for losses computed without materialising all logits.
    torch::Tensor hiddenStates(const torch::Tensor& tokens, const TokenLayout& layout = {}, KvCache* cache = nullptr);
    torch::Tensor logitsFromHidden(const torch::Tensor& hidden); // (B, T, C) -> (B, T, vocab)
    torch::Tensor outputWeight() const;                          // (vocab, C): lm_head, or the embedding when tied

    std::vector<WeightSlot> weightSlots();
    const ModelConfig& config() const { return m_config; }
    torch::ScalarType dtype() const { return m_dtype; }
    // In training, the first `layers` decoder layers (0: all) keep only their input and recompute
    // their forward in the backward pass.
    void setGradientCheckpointing(bool enabled, int64_t layers = 0)
    {
        m_gradientCheckpointing = enabled;
        m_checkpointLayers = layers;
    }
    bool gradientCheckpointing() const { return m_gradientCheckpointing; }
    int64_t checkpointedLayerCount() const; // how many layers a training forward checkpoints

    // Prompt tuning (engine/prompt_tuning.h): (N, C) virtual token embeddings, registered as
    // "prompt_embeddings", put before every row of a forward pass that starts a sequence (no cache, or
    // an empty one). They take positions 0..N-1, the row's tokens follow at N.., every token (of every
    // packed example) attends to them, and the hidden states returned are the row's tokens' only.
    void setSoftPrompt(const torch::Tensor& embeddings, bool trainable);
    const torch::Tensor& softPrompt() const { return m_softPrompt; }
    int64_t virtualTokenCount() const { return m_softPrompt.defined() ? m_softPrompt.size(0) : 0; }

    LlamaBody model{nullptr};
    Projection lm_head; // null when the output embedding is tied to the input embedding

private:
    // The context of a (B, T) input whose first `virtualTokens` positions are the soft prompt.
    AttentionContext makeContext(int64_t B, int64_t T, const TokenLayout& layout, KvCache* cache,
                                 int64_t virtualTokens) const;
    void initializeRandom(uint64_t seed);

    ModelConfig m_config;
    torch::ScalarType m_dtype;
    bool m_gradientCheckpointing = false;
    int64_t m_checkpointLayers = 0;
    torch::Tensor m_softPrompt;
};
TORCH_MODULE(LlamaForCausalLM);

} // namespace ft
