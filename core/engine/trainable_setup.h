#pragma once
// Which parameters a run trains, and the optimizer over exactly those.

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "contract/train_config.h"
#include "engine/fused_adamw.h"
#include "engine/llama_model.h"

namespace ft {

struct NamedParameter {
    std::string name;
    torch::Tensor tensor;
};

// Sets requires_grad per the configuration ("all", or the top N decoder layers plus optionally the
// output head; "lora" and "prompt" take the adapters or the soft prompt the model was given) and
// returns the trainable parameters in a fixed order (module order).
std::vector<NamedParameter> selectTrainableParameters(LlamaForCausalLMImpl& model, const TrainConfig& config);

// The parameters with requires_grad, in module order.
std::vector<NamedParameter> trainableParameters(LlamaForCausalLMImpl& model);

// AdamW with decoupled weight decay (FusedAdamW: one pass per parameter); norms and biases (1-D tensors)
// are not decayed unless config.decayNormsAndBiases. Two parameter groups: decayed first, then not decayed.
// With compute_dtype "bfloat16" it keeps float32 master weights and moments (mixed precision).
std::unique_ptr<FusedAdamW> makeOptimizer(const std::vector<NamedParameter>& parameters, const TrainConfig& config);
// What a checkpoint saves and loads for `trainable`: each parameter's float32 master under mixed
// precision (FusedAdamW::masterOf), else the parameter. After loading into them, the parameters take
// their values from FusedAdamW::copyMastersToParameters.
std::vector<NamedParameter> checkpointTensors(const std::vector<NamedParameter>& trainable,
                                              const FusedAdamW& optimizer);
void setLearningRate(torch::optim::Optimizer& optimizer, double learningRate);

// Global L2 norm of the gradients (accumulated in fp64, one pass); clipping by it is
// FusedAdamW::setGradientScale, applied in the update's pass.
double gradientNorm(const std::vector<NamedParameter>& parameters);

int64_t parameterCount(const std::vector<NamedParameter>& parameters);

} // namespace ft
