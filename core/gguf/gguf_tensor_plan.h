#pragma once
// Which GGUF tensor each Hugging Face tensor becomes, and in which ggml type.
//
// Names (llama.cpp's): model.embed_tokens -> token_embd, model.norm -> output_norm, lm_head -> output,
// model.layers.N.{input_layernorm -> attn_norm, post_attention_layernorm -> ffn_norm, self_attn.q_proj -> attn_q,
// k_proj -> attn_k, v_proj -> attn_v, o_proj -> attn_output, q_norm -> attn_q_norm, k_norm -> attn_k_norm,
// mlp.gate_proj -> ffn_gate, up_proj -> ffn_up, down_proj -> ffn_down} as blk.N.*, each keeping .weight/.bias.
//
// Types for a file type: 1-D tensors (norms, biases, rope_freqs) stay F32. F32/F16/BF16/Q8_0 put every other
// tensor in that type. Q4_0 and Q4_K_M follow llama.cpp's llama-quantize (llama_tensor_get_type): the output
// tensor (output.weight, or token_embd.weight when the embeddings are tied) is Q6_K; for Q4_K_M, attn_v and
// ffn_down of the layers where use_more_bits(i, n) holds (the first and last eighth, and every third between)
// are Q6_K and everything else Q4_K. A tensor whose rows are not a whole number of blocks falls back: Q4_K and
// Q6_K to Q8_0, then Q8_0 and Q4_0 to F16 (llama.cpp goes to Q5_0 first, which this exporter does not write).

#include <cstdint>
#include <vector>

#include <QString>

#include "gguf/gguf_format.h"

namespace ft {

struct GgufTensorName {
    QString name;   // the GGUF name; empty when the tensor is not exported (rotary_emb.inv_freq)
    int layer = -1; // blk.N, or -1
    bool known = false;
};

GgufTensorName ggufTensorName(const QString& huggingFaceName);

struct GgufTypeFallback {
    QString tensor;
    GgmlType wanted = GgmlType::F32;
    GgmlType used = GgmlType::F32;
    int64_t rowLength = 0;
};

// llama.cpp's use_more_bits: the layers Q4_K_M gives Q6_K for attn_v and ffn_down.
bool ggufUseMoreBits(int layer, int64_t layers);

// The type `name` (of `shape`, row-major) gets in a file of `fileType`. `isOutput`: the tensor that computes the
// logits (output.weight, or token_embd.weight when there is no output.weight). `fallback` is filled when the
// intended type does not fit the rows.
GgmlType ggufTensorType(GgufFileType fileType, const QString& name, const std::vector<int64_t>& shape, int layer,
                        int64_t layers, bool isOutput, GgufTypeFallback* fallback = nullptr);

} // namespace ft
