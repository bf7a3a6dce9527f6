#pragma once
// Small helpers shared by the LoRA, quantization and adapter tests (header-only).

#include <map>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "engine/llama_model.h"
#include "engine/lora.h"

namespace ft::test {

inline torch::Tensor logitsOf(LlamaForCausalLMImpl& model, const torch::Tensor& tokens)
{
    torch::NoGradGuard noGrad;
    return model.forward(tokens);
}

// (batch, length) int64 token ids in [3, vocab), reproducible.
inline torch::Tensor randomTokens(int64_t vocab, int64_t batch, int64_t length, uint64_t seed)
{
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    return torch::randint(3, vocab, {batch, length}, generator, torch::TensorOptions().dtype(torch::kInt64));
}

// Next-token cross-entropy of `tokens` under the model.
inline torch::Tensor languageModelLoss(LlamaForCausalLMImpl& model, const torch::Tensor& tokens)
{
    const torch::Tensor logits = model.forward(tokens.slice(1, 0, -1)); // (B, T-1, V)
    return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                tokens.slice(1, 1).reshape({-1}));
}

// A few AdamW steps over the adapters only (as a trainer would do); returns the losses.
inline std::vector<double> trainAdapters(LlamaForCausalLMImpl& model, const torch::Tensor& tokens, int steps,
                                         double lr = 1e-2)
{
    model.train();
    torch::optim::AdamW optimizer(loraParameters(model), torch::optim::AdamWOptions(lr));
    std::vector<double> losses;
    for (int i = 0; i < steps; ++i) {
        optimizer.zero_grad();
        const torch::Tensor loss = languageModelLoss(model, tokens);
        loss.backward();
        optimizer.step();
        losses.push_back(loss.item<double>());
    }
    model.eval();
    return losses;
}

// Copies of every parameter and buffer that is not an adapter, by name.
inline std::map<std::string, torch::Tensor> baseTensors(LlamaForCausalLMImpl& model)
{
    std::map<std::string, torch::Tensor> result;
    auto keep = [&](const std::string& name, const torch::Tensor& t) {
        if (name.find(".lora_") == std::string::npos)
            result[name] = t.detach().clone();
    };
    for (const auto& item : model.named_parameters())
        keep(item.key(), item.value());
    for (const auto& item : model.named_buffers())
        keep(item.key(), item.value());
    return result;
}

inline double relativeError(const torch::Tensor& value, const torch::Tensor& reference)
{
    const torch::Tensor r = reference.to(torch::kFloat64);
    return ((value.to(torch::kFloat64) - r).norm() / r.norm()).item<double>();
}

// Fraction of positions whose most likely next token agrees.
inline double argmaxAgreement(const torch::Tensor& logits, const torch::Tensor& reference)
{
    return logits.argmax(-1).eq(reference.argmax(-1)).to(torch::kFloat64).mean().item<double>();
}

} // namespace ft::test
