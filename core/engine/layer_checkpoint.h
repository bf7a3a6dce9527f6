#pragma once
// Activation (gradient) checkpointing of one decoder layer: the forward keeps only the layer's input;
// the backward runs the layer again, with the random state it had, and back-propagates through it.

#include <torch/torch.h>

namespace ft {

class DecoderLayerImpl;
struct AttentionContext;

// x (B, T, C) -> (B, T, C), equal to layer.forward(x, context, layerIndex) in value and gradients.
torch::Tensor checkpointedLayerForward(DecoderLayerImpl& layer, const torch::Tensor& x, const AttentionContext& context,
                                       size_t layerIndex);

} // namespace ft
