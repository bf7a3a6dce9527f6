#include "engine/trainable_setup.h"

#include "common/error.h"
#include "engine/lora.h"

namespace ft {

std::vector<NamedParameter> trainableParameters(LlamaForCausalLMImpl& model)
{
    std::vector<NamedParameter> result;
    for (const auto& item : model.named_parameters())
        if (item.value().requires_grad())
            result.push_back({item.key(), item.value()});
    return result;
}

std::vector<NamedParameter> selectTrainableParameters(LlamaForCausalLMImpl& model, const TrainConfig& config)
{
    if (config.trainable == QLatin1String("lora")) {
        // applyLora froze the base; only the adapters learn.
        if (!hasLora(model))
            throw Error(QStringLiteral("training configuration: trainable \"lora\" but the model has no adapters"));
        std::vector<NamedParameter> adapters;
        for (auto& [name, tensor] : namedLoraParameters(model))
            adapters.push_back({name, tensor});
        return adapters;
    }
    if (config.trainable == QLatin1String("prompt")) {
        // applySoftPrompt froze the model; only the virtual tokens learn.
        if (model.virtualTokenCount() == 0)
            throw Error(
                QStringLiteral("training configuration: trainable \"prompt\" but the model has no soft prompt"));
        return {{"prompt_embeddings", model.softPrompt()}};
    }
    if (config.trainable == QLatin1String("all")) {
        for (auto& p : model.parameters())
            p.set_requires_grad(true);
    } else {
        // "Freeze" tuning: only the top N decoder layers (and optionally the head) learn.
        for (auto& p : model.parameters())
            p.set_requires_grad(false);
        const auto layers = static_cast<int64_t>(model.model->layers.size());
        if (config.trainTopLayers > layers)
            throw Error(QStringLiteral("training configuration: \"train_top_layers\" is %1 but the model has %2 layers")
                            .arg(config.trainTopLayers)
                            .arg(layers));
        for (int64_t i = layers - config.trainTopLayers; i < layers; ++i)
            for (auto& p : model.model->layers[static_cast<size_t>(i)]->parameters())
                p.set_requires_grad(true);
        if (config.trainLmHead) {
            // With tied embeddings the head is the embedding table.
            if (model.lm_head)
                for (auto& p : model.lm_head->parameters())
                    p.set_requires_grad(true);
            else
                model.model->embed_tokens->weight.set_requires_grad(true);
            model.model->norm->weight.set_requires_grad(true);
        }
    }
    return trainableParameters(model);
}

std::unique_ptr<FusedAdamW> makeOptimizer(const std::vector<NamedParameter>& parameters, const TrainConfig& config)
{
    std::vector<torch::Tensor> decayed;
    std::vector<torch::Tensor> undecayed;
    for (const NamedParameter& p : parameters)
        (p.tensor.dim() >= 2 || config.decayNormsAndBiases ? decayed : undecayed).push_back(p.tensor);
    auto options = torch::optim::AdamWOptions(config.learningRate)
                       .betas({config.beta1, config.beta2})
                       .eps(config.eps)
                       .weight_decay(config.weightDecay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(options));
    auto noDecay = options;
    noDecay.weight_decay(0.0);
    groups.emplace_back(undecayed, std::make_unique<torch::optim::AdamWOptions>(noDecay));
    auto optimizer = std::make_unique<FusedAdamW>(std::move(groups), options);
    if (config.computeDtype == QLatin1String("bfloat16"))
        optimizer->keepMasterWeights(); // mixed precision: bf16 compute, fp32 weights and moments
    return optimizer;
}

std::vector<NamedParameter> checkpointTensors(const std::vector<NamedParameter>& trainable, const FusedAdamW& optimizer)
{
    std::vector<NamedParameter> tensors;
    tensors.reserve(trainable.size());
    for (const NamedParameter& p : trainable)
        tensors.push_back({p.name, optimizer.masterOf(p.tensor)});
    return tensors;
}

void setLearningRate(torch::optim::Optimizer& optimizer, double learningRate)
{
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learningRate);
}

double gradientNorm(const std::vector<NamedParameter>& parameters)
{
    std::vector<torch::Tensor> tensors;
    tensors.reserve(parameters.size());
    for (const NamedParameter& p : parameters)
        tensors.push_back(p.tensor);
    return fusedGradientNorm(tensors);
}

int64_t parameterCount(const std::vector<NamedParameter>& parameters)
{
    int64_t count = 0;
    for (const NamedParameter& p : parameters)
        count += p.tensor.numel();
    return count;
}

} // namespace ft
