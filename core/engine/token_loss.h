#pragma once
// The training loss: token cross-entropy summed over the positions that carry loss. Dividing by the
// number of such tokens in the whole optimizer step (all micro-batches, all ranks) gives the masked
// mean, so gradient accumulation and data parallelism reproduce one big batch exactly.

#include <torch/torch.h>

#include "engine/llama_model.h"

namespace ft {

// hidden (B, T, C) final hidden states, targets (B, T) with -100 where no loss. Only target positions
// go through the output head. Returns a scalar (fp32) sum.
torch::Tensor tokenCrossEntropySum(LlamaForCausalLMImpl& model, const torch::Tensor& hidden,
                                   const torch::Tensor& targets);

} // namespace ft
