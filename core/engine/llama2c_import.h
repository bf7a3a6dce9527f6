#pragma once
// llama2.c checkpoints into the Hugging Face-shaped model. llama2.c rotates interleaved pairs
// (x0, x1), (x2, x3)...; Hugging Face rotates halves. Reordering the rows of wq and wk per head,
// as Hugging Face's converter does, makes the two conventions give identical results.

#include <torch/torch.h>

#include "engine/model_loader.h"

namespace ft {

LoadedModel loadLlama2c(const QString& binPath, const LoadOptions& options);

// Rows of a (heads * headDim, in) projection reordered from interleaved pairs to rotate-half.
torch::Tensor permuteInterleavedToHalves(const torch::Tensor& weight, int64_t heads);

} // namespace ft
