#include "engine/lora.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <ATen/CPUGeneratorImpl.h>

#include "common/error.h"
#include "engine/quantized_projection.h"

namespace ft {

namespace {

bool isAttention(ProjectionKind kind)
{
    return kind == ProjectionKind::Q || kind == ProjectionKind::K || kind == ProjectionKind::V ||
           kind == ProjectionKind::O;
}

} // namespace

double LoraSettings::scale() const
{
    return rsLora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / static_cast<double>(rank);
}

void LoraSettings::validate() const
{
    if (rank < 1)
        throw Error(QStringLiteral("LoRA rank must be at least 1, got %1").arg(rank));
    if (!std::isfinite(alpha) || alpha <= 0)
        throw Error(QStringLiteral("LoRA alpha must be a positive number, got %1").arg(alpha));
    if (!(dropout >= 0 && dropout < 1))
        throw Error(QStringLiteral("LoRA dropout must be in [0, 1), got %1").arg(dropout));
    if (targets.empty())
        throw Error(QStringLiteral("LoRA needs at least one target projection"));
    const std::set<ProjectionKind> unique(targets.begin(), targets.end());
    if (unique.size() != targets.size())
        throw Error(QStringLiteral("LoRA target projections are listed twice"));
}

std::string projectionPath(size_t layer, ProjectionKind kind)
{
    return "model.layers." + std::to_string(layer) + (isAttention(kind) ? ".self_attn." : ".mlp.") +
           projectionName(kind);
}

std::optional<ProjectionKind> projectionKindFromName(const QString& name)
{
    for (ProjectionKind kind : allProjectionKinds())
        if (name == QLatin1String(projectionName(kind)))
            return kind;
    return std::nullopt;
}

std::vector<LoraSite> loraSites(LlamaForCausalLMImpl& model)
{
    std::vector<LoraSite> sites;
    for (size_t i = 0; i < model.model->layers.size(); ++i)
        for (ProjectionKind kind : allProjectionKinds())
            if (auto lora = std::dynamic_pointer_cast<LoraProjectionImpl>(model.model->layers[i]->projection(kind)))
                sites.push_back({i, kind, projectionPath(i, kind), LoraProjection(lora)});
    return sites;
}

bool hasLora(LlamaForCausalLMImpl& model) { return !loraSites(model).empty(); }

std::vector<LoraSite> applyLora(LlamaForCausalLMImpl& model, const LoraSettings& settings, uint64_t seed)
{
    settings.validate();
    if (hasLora(model))
        throw Error(QStringLiteral("the model already has LoRA adapters"));
    for (torch::Tensor& p : model.parameters())
        p.set_requires_grad(false);

    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const std::set<ProjectionKind> targets(settings.targets.begin(), settings.targets.end());
    for (DecoderLayer& layer : model.model->layers) {
        for (ProjectionKind kind : allProjectionKinds()) {
            if (!targets.count(kind))
                continue;
            auto lora = std::make_shared<LoraProjectionImpl>(layer->projection(kind), settings.rank, settings.scale(),
                                                             settings.dropout, generator);
            lora->train(model.is_training()); // a new module starts in training mode: dropout would be on in eval
            layer->replaceProjection(kind, lora);
        }
    }
    return loraSites(model);
}

std::vector<std::pair<std::string, torch::Tensor>> namedLoraParameters(LlamaForCausalLMImpl& model)
{
    std::vector<std::pair<std::string, torch::Tensor>> result;
    for (const LoraSite& site : loraSites(model)) {
        result.emplace_back(site.path + ".lora_A.weight", site.projection->loraA());
        result.emplace_back(site.path + ".lora_B.weight", site.projection->loraB());
    }
    return result;
}

std::vector<torch::Tensor> loraParameters(LlamaForCausalLMImpl& model)
{
    std::vector<torch::Tensor> result;
    for (auto& item : namedLoraParameters(model))
        result.push_back(item.second);
    return result;
}

QStringList mergeLora(LlamaForCausalLMImpl& model)
{
    std::set<QString> dequantized;
    for (const LoraSite& site : loraSites(model)) {
        const LoraProjectionImpl& lora = *site.projection;
        const QString quantization = quantizationDescription(*lora.base());
        if (!quantization.isEmpty())
            dequantized.insert(quantization);
        const torch::Tensor bias = lora.bias();
        auto merged =
            std::make_shared<DenseProjectionImpl>(lora.inFeatures(), lora.outFeatures(), bias.defined(), model.dtype());
        merged->assignWeight(lora.denseWeight());
        if (bias.defined())
            merged->assignBias(bias);
        for (torch::Tensor& p : merged->parameters())
            p.set_requires_grad(false);
        merged->train(model.is_training());
        model.model->layers[site.layer]->replaceProjection(site.kind, merged);
    }
    QStringList notes;
    for (const QString& q : dequantized)
        notes << QStringLiteral("the %1 base weights were dequantized before merging: the merged weights are the "
                                "dequantized base plus the adapters, not the original full-precision weights")
                     .arg(q);
    return notes;
}

} // namespace ft
