#include "engine/llama_model.h"

#include <cmath>

#include "common/error.h"
#include "engine/kernels/fused_attention.h"
#include "engine/kernels/fused_rms_norm.h"
#include "engine/kernels/fused_swiglu.h"
#include "engine/kernels/narrow_softmax.h"
#include "engine/layer_checkpoint.h"

namespace ft {

const char* projectionName(ProjectionKind kind)
{
    switch (kind) {
    case ProjectionKind::Q:
        return "q_proj";
    case ProjectionKind::K:
        return "k_proj";
    case ProjectionKind::V:
        return "v_proj";
    case ProjectionKind::O:
        return "o_proj";
    case ProjectionKind::Gate:
        return "gate_proj";
    case ProjectionKind::Up:
        return "up_proj";
    case ProjectionKind::Down:
        return "down_proj";
    }
    return "?";
}

std::vector<ProjectionKind> allProjectionKinds()
{
    return {ProjectionKind::Q,    ProjectionKind::K,  ProjectionKind::V,   ProjectionKind::O,
            ProjectionKind::Gate, ProjectionKind::Up, ProjectionKind::Down};
}

RMSNormImpl::RMSNormImpl(int64_t dim, double eps, torch::ScalarType dtype)
    : m_eps(eps)
{
    weight = register_parameter("weight", torch::ones({dim}, torch::TensorOptions().dtype(dtype)));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x)
{
    if (fusedRmsNormApplies(x, weight))
        return fusedRmsNorm(x, weight, m_eps);
    const torch::Tensor x32 = x.to(torch::kFloat32);
    const torch::Tensor normalised = x32 * torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + m_eps);
    return weight * normalised.to(x.scalar_type());
}

AttentionImpl::AttentionImpl(const ModelConfig& config, torch::ScalarType dtype)
    : m_heads(config.numHeads)
    , m_kvHeads(config.numKvHeads)
    , m_headDim(config.headDim)
{
    const int64_t qDim = config.numHeads * config.headDim;
    q_proj = register_module("q_proj",
                             std::make_shared<DenseProjectionImpl>(config.hiddenSize, qDim, config.qkvBias, dtype));
    k_proj = register_module(
        "k_proj", std::make_shared<DenseProjectionImpl>(config.hiddenSize, config.kvDim(), config.qkvBias, dtype));
    v_proj = register_module(
        "v_proj", std::make_shared<DenseProjectionImpl>(config.hiddenSize, config.kvDim(), config.qkvBias, dtype));
    o_proj = register_module("o_proj",
                             std::make_shared<DenseProjectionImpl>(qDim, config.hiddenSize, config.outputBias, dtype));
    if (config.qkNorm) {
        q_norm = register_module("q_norm", RMSNorm(config.headDim, config.rmsNormEps, dtype));
        k_norm = register_module("k_norm", RMSNorm(config.headDim, config.rmsNormEps, dtype));
    }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const AttentionContext& context, size_t layerIndex)
{
    const int64_t B = x.size(0);
    const int64_t T = x.size(1);
    const int64_t group = m_heads / m_kvHeads;

    torch::Tensor q = q_proj->forward(x).view({B, T, m_heads, m_headDim});   // (B, T, H, D)
    torch::Tensor k = k_proj->forward(x).view({B, T, m_kvHeads, m_headDim}); // (B, T, kvH, D)
    if (q_norm) { // Qwen3: each head normalised before the rotation
        q = q_norm->forward(q);
        k = k_norm->forward(k);
    }
    q = applyRotary(q, context.rotary);
    k = applyRotary(k, context.rotary);
    torch::Tensor v = v_proj->forward(x).view({B, T, m_kvHeads, m_headDim}); // (B, T, kvH, D)
    const double scale = 1.0 / std::sqrt(static_cast<double>(m_headDim));
    if (!context.cache && fusedAttentionApplies(q, k, v)) {
        const torch::Tensor allowed = context.allowed.view({-1, T, T}); // (B or 1, T, S = T)
        return o_proj->forward(fusedAttention(q, k, v, allowed, scale).view({B, T, m_heads * m_headDim}));
    }
    k = k.transpose(1, 2); // (B, kvH, T, D)
    v = v.transpose(1, 2);
    if (context.cache)
        std::tie(k, v) = context.cache->append(layerIndex, k, v); // (B, kvH, S, D)
    const int64_t S = k.size(2);

    // Grouped-query attention without copying keys: the `group` query heads that share a key head are
    // stacked along the query axis, (B, kvH, group * T, D) @ (B, kvH, D, S).
    q = q.transpose(1, 2).reshape({B, m_kvHeads, group * T, m_headDim});
    torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
    scores = scores.view({B, m_kvHeads, group, T, S}).masked_fill(context.allowed.logical_not(), -INFINITY);
    const torch::Tensor probs = narrowSoftmax(scores); // bf16: only the bf16 probabilities are kept
    torch::Tensor out = torch::matmul(probs.view({B, m_kvHeads, group * T, S}), v); // (B, kvH, group*T, D)
    out = out.view({B, m_heads, T, m_headDim}).transpose(1, 2).reshape({B, T, m_heads * m_headDim});
    return o_proj->forward(out);
}

MlpImpl::MlpImpl(const ModelConfig& config, torch::ScalarType dtype)
{
    const int64_t C = config.hiddenSize;
    const int64_t F = config.intermediateSize;
    gate_proj = register_module("gate_proj", std::make_shared<DenseProjectionImpl>(C, F, config.mlpBias, dtype));
    up_proj = register_module("up_proj", std::make_shared<DenseProjectionImpl>(C, F, config.mlpBias, dtype));
    down_proj = register_module("down_proj", std::make_shared<DenseProjectionImpl>(F, C, config.mlpBias, dtype));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor gate = gate_proj->forward(x);
    const torch::Tensor up = up_proj->forward(x);
    return down_proj->forward(fusedSwigluApplies(gate, up) ? fusedSwiglu(gate, up) : torch::silu(gate) * up);
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& config, torch::ScalarType dtype)
{
    self_attn = register_module("self_attn", Attention(config, dtype));
    mlp = register_module("mlp", Mlp(config, dtype));
    input_layernorm = register_module("input_layernorm", RMSNorm(config.hiddenSize, config.rmsNormEps, dtype));
    post_attention_layernorm =
        register_module("post_attention_layernorm", RMSNorm(config.hiddenSize, config.rmsNormEps, dtype));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const AttentionContext& context, size_t layerIndex)
{
    const torch::Tensor h = x + self_attn->forward(input_layernorm->forward(x), context, layerIndex);
    return h + mlp->forward(post_attention_layernorm->forward(h));
}

Projection& DecoderLayerImpl::projection(ProjectionKind kind)
{
    switch (kind) {
    case ProjectionKind::Q:
        return self_attn->q_proj;
    case ProjectionKind::K:
        return self_attn->k_proj;
    case ProjectionKind::V:
        return self_attn->v_proj;
    case ProjectionKind::O:
        return self_attn->o_proj;
    case ProjectionKind::Gate:
        return mlp->gate_proj;
    case ProjectionKind::Up:
        return mlp->up_proj;
    case ProjectionKind::Down:
        return mlp->down_proj;
    }
    throw Error(QStringLiteral("unknown projection"));
}

void DecoderLayerImpl::replaceProjection(ProjectionKind kind, Projection replacement)
{
    const bool inAttention = kind == ProjectionKind::Q || kind == ProjectionKind::K || kind == ProjectionKind::V ||
                             kind == ProjectionKind::O;
    torch::nn::Module& parent = inAttention ? static_cast<torch::nn::Module&>(*self_attn) : *mlp;
    parent.replace_module(projectionName(kind), replacement);
    projection(kind) = std::move(replacement);
}

EmbeddingImpl::EmbeddingImpl(int64_t vocab, int64_t dim, torch::ScalarType dtype)
{
    weight = register_parameter("weight", torch::empty({vocab, dim}, torch::TensorOptions().dtype(dtype)));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& tokens) { return torch::embedding(weight, tokens); }

LlamaBodyImpl::LlamaBodyImpl(const ModelConfig& config, torch::ScalarType dtype)
{
    embed_tokens = register_module("embed_tokens", Embedding(config.vocabSize, config.hiddenSize, dtype));
    layerList = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.numLayers; ++i) {
        layers.push_back(DecoderLayer(config, dtype));
        layerList->push_back(layers.back());
    }
    norm = register_module("norm", RMSNorm(config.hiddenSize, config.rmsNormEps, dtype));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const ModelConfig& config, torch::ScalarType dtype, WeightInit init,
                                           uint64_t seed)
    : m_config(config)
    , m_dtype(dtype)
{
    model = register_module("model", LlamaBody(config, dtype));
    if (!config.tieWordEmbeddings)
        lm_head = register_module(
            "lm_head", std::make_shared<DenseProjectionImpl>(config.hiddenSize, config.vocabSize, false, dtype));
    if (init == WeightInit::Random)
        initializeRandom(seed);
}

void LlamaForCausalLMImpl::initializeRandom(uint64_t seed)
{
    // As Hugging Face initialises Llama: normal(0, 0.02) for embeddings and projections, zero biases,
    // unit norms. A private generator keeps the global random state untouched.
    torch::NoGradGuard noGrad;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const double stddev = m_config.raw.value(QStringLiteral("initializer_range")).toDouble(0.02);
    for (auto& item : named_parameters()) {
        torch::Tensor& p = item.value();
        const std::string& name = item.key();
        if (name.find("norm") != std::string::npos)
            p.fill_(1.0);
        else if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
            p.zero_();
        else
            p.normal_(0.0, stddev, generator);
    }
}

AttentionContext LlamaForCausalLMImpl::makeContext(int64_t B, int64_t T, const TokenLayout& layout, KvCache* cache,
                                                   int64_t virtualTokens) const
{
    const int64_t past = cache ? cache->length() : 0;
    const int64_t S = past + T;
    const auto int64 = torch::TensorOptions().dtype(torch::kInt64);
    if (cache && layout.segments.defined())
        throw Error(QStringLiteral("packed sequences cannot be combined with a generation cache"));

    // The layout describes the row's own tokens; the virtual ones come first, at positions 0..N-1.
    torch::Tensor positions = layout.positions;
    if (positions.defined() && virtualTokens > 0)
        positions = torch::cat(
            {torch::arange(virtualTokens, int64).unsqueeze(0).expand({B, virtualTokens}), positions + virtualTokens},
            1);
    if (!positions.defined())
        positions = torch::arange(past, S, int64).unsqueeze(0).expand({B, T});

    // Query t (absolute index past + t) may see key s when s <= past + t, within the sliding window,
    // and, for packed rows, only keys of its own example or the virtual tokens.
    const torch::Tensor queryIndex = torch::arange(past, S, int64).view({T, 1});
    const torch::Tensor keyIndex = torch::arange(0, S, int64).view({1, S});
    torch::Tensor allowed = keyIndex <= queryIndex; // (T, S)
    if (m_config.slidingWindow > 0)
        allowed = allowed.logical_and(keyIndex > queryIndex - m_config.slidingWindow);
    allowed = allowed.view({1, 1, 1, T, S});
    if (layout.segments.defined()) {
        torch::Tensor segments = layout.segments;
        if (virtualTokens > 0)
            segments = torch::cat({torch::full({B, virtualTokens}, -1, int64), segments}, 1);
        torch::Tensor same = segments.unsqueeze(2) == segments.unsqueeze(1); // (B, T, S)
        if (virtualTokens > 0)
            same.narrow(2, 0, virtualTokens).fill_(true);
        allowed = allowed.logical_and(same.view({B, 1, 1, T, S}));
    }
    return {rotaryTables(m_config, positions, m_dtype), allowed, cache};
}

torch::Tensor LlamaForCausalLMImpl::hiddenStates(const torch::Tensor& tokens, const TokenLayout& layout, KvCache* cache)
{
    if (tokens.dim() != 2)
        throw Error(QStringLiteral("tokens must have shape (batch, time)"));
    const int64_t B = tokens.size(0);
    const int64_t T = tokens.size(1);
    const int64_t virtualTokens = !cache || cache->length() == 0 ? virtualTokenCount() : 0;
    torch::Tensor x = model->embed_tokens->forward(tokens); // (B, T, C)
    if (virtualTokens > 0)                                  // (B, N + T, C)
        x = torch::cat({m_softPrompt.to(x.scalar_type()).unsqueeze(0).expand({B, virtualTokens, x.size(2)}), x}, 1);
    const AttentionContext context = makeContext(B, virtualTokens + T, layout, cache, virtualTokens);
    const bool checkpoint = m_gradientCheckpointing && is_training() && torch::GradMode::is_enabled() && !cache;
    const size_t checkpointed = checkpoint ? static_cast<size_t>(checkpointedLayerCount()) : 0;
    for (size_t i = 0; i < model->layers.size(); ++i) {
        DecoderLayer& layer = model->layers[i];
        x = i < checkpointed ? checkpointedLayerForward(*layer, x, context, i) : layer->forward(x, context, i);
    }
    if (cache)
        cache->advance(virtualTokens + T);
    x = model->norm->forward(x);
    return virtualTokens > 0 ? x.narrow(1, virtualTokens, T) : x;
}

void LlamaForCausalLMImpl::setSoftPrompt(const torch::Tensor& embeddings, bool trainable)
{
    if (m_softPrompt.defined())
        throw Error(QStringLiteral("the model already has a soft prompt"));
    if (embeddings.dim() != 2 || embeddings.size(1) != m_config.hiddenSize || embeddings.size(0) < 1)
        throw Error(QStringLiteral("a soft prompt must have shape (virtual tokens, %1)").arg(m_config.hiddenSize));
    m_softPrompt = register_parameter("prompt_embeddings", embeddings, trainable);
}

int64_t LlamaForCausalLMImpl::checkpointedLayerCount() const
{
    if (!m_gradientCheckpointing)
        return 0;
    const auto layers = static_cast<int64_t>(model->layers.size());
    return m_checkpointLayers > 0 ? std::min(m_checkpointLayers, layers) : layers;
}

torch::Tensor LlamaForCausalLMImpl::outputWeight() const
{
    return lm_head ? lm_head->denseWeight() : model->embed_tokens->weight;
}

torch::Tensor LlamaForCausalLMImpl::logitsFromHidden(const torch::Tensor& hidden)
{
    return lm_head ? lm_head->forward(hidden) : torch::linear(hidden, model->embed_tokens->weight);
}

torch::Tensor LlamaForCausalLMImpl::forward(const torch::Tensor& tokens, const TokenLayout& layout, KvCache* cache)
{
    return logitsFromHidden(hiddenStates(tokens, layout, cache));
}

std::vector<WeightSlot> LlamaForCausalLMImpl::weightSlots()
{
    std::vector<WeightSlot> result;
    auto tensorSlot = [&](const std::string& name, torch::Tensor* tensor) {
        result.push_back({name, tensor->sizes().vec(),
                          [tensor, name](const torch::Tensor& source) { assignInto(*tensor, source, name.c_str()); },
                          [tensor]() { return *tensor; }});
    };
    auto projectionSlots = [&](const std::string& prefix, Projection projection) {
        const std::vector<int64_t> shape{projection->outFeatures(), projection->inFeatures()};
        result.push_back({prefix + ".weight", shape,
                          [projection](const torch::Tensor& s) { projection->assignWeight(s); },
                          [projection]() { return projection->denseWeight(); }});
        if (projection->bias().defined())
            result.push_back({prefix + ".bias",
                              {projection->outFeatures()},
                              [projection](const torch::Tensor& s) { projection->assignBias(s); },
                              [projection]() { return projection->bias(); }});
    };

    tensorSlot("model.embed_tokens.weight", &model->embed_tokens->weight);
    for (size_t i = 0; i < model->layers.size(); ++i) {
        DecoderLayer& layer = model->layers[i];
        const std::string prefix = "model.layers." + std::to_string(i) + ".";
        tensorSlot(prefix + "input_layernorm.weight", &layer->input_layernorm->weight);
        for (ProjectionKind kind : allProjectionKinds()) {
            const bool attention = kind == ProjectionKind::Q || kind == ProjectionKind::K ||
                                   kind == ProjectionKind::V || kind == ProjectionKind::O;
            projectionSlots(prefix + (attention ? "self_attn." : "mlp.") + projectionName(kind),
                            layer->projection(kind));
        }
        if (layer->self_attn->q_norm) {
            tensorSlot(prefix + "self_attn.q_norm.weight", &layer->self_attn->q_norm->weight);
            tensorSlot(prefix + "self_attn.k_norm.weight", &layer->self_attn->k_norm->weight);
        }
        tensorSlot(prefix + "post_attention_layernorm.weight", &layer->post_attention_layernorm->weight);
    }
    tensorSlot("model.norm.weight", &model->norm->weight);
    if (lm_head)
        projectionSlots("lm_head", lm_head);
    return result;
}

} // namespace ft
