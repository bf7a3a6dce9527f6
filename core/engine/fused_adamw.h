#pragma once
// AdamW in one pass over each parameter: torch::optim::AdamW's update (decoupled weight decay, bias
// correction, the same state, so checkpoints are the same files), but where LibTorch runs eight
// element-wise kernels per parameter (each a pass over memory, two of them allocating), this reads the
// parameter, its gradient and both moments once and writes them once, on the intra-op threads. The
// gradient clipping factor is applied in the same pass (setGradientScale) instead of a pass of its own.
// Parameters that are not contiguous float32 (or with amsgrad) take LibTorch's element-wise path.

#include "engine/torch_pch.h"

namespace ft {

class FusedAdamW : public torch::optim::AdamW {
public:
    using torch::optim::AdamW::AdamW;

    // The factor the next step multiplies every gradient by (clipping: max_norm / norm); 1 after it.
    void setGradientScale(double scale) { m_gradientScale = scale; }

    torch::Tensor step(LossClosure closure = nullptr) override;

private:
    double m_gradientScale = 1.0;
};

// The global L2 norm of the gradients of `parameters`, accumulated in double in one pass without
// allocating (contiguous float32 gradients; others through LibTorch).
double fusedGradientNorm(const std::vector<torch::Tensor>& parameters);

} // namespace ft
