#pragma once
// AdamW in one pass over each parameter: torch::optim::AdamW's update (decoupled weight decay, bias
// correction, the same state, so checkpoints are the same files), but where LibTorch runs eight
// element-wise kernels per parameter (each a pass over memory, two of them allocating), this reads the
// parameter, its gradient and both moments once and writes them once, on the intra-op threads. The
// gradient clipping factor is applied in the same pass (setGradientScale) instead of a pass of its own.
// Parameters that are not contiguous float32 (or with amsgrad) take LibTorch's element-wise path.
//
// Mixed precision (keepMasterWeights): every bfloat16 parameter gets a float32 master copy and float32
// moments; the update runs on the master, from the bfloat16 gradient widened in the same pass, and
// rounds the result (to nearest even) into the parameter the forward pass uses. Small updates that
// bfloat16's 8 significant bits would swallow accumulate in the master instead of being lost.

#include <unordered_map>

#include "engine/torch_pch.h"

namespace ft {

class FusedAdamW : public torch::optim::AdamW {
public:
    using torch::optim::AdamW::AdamW;

    // The factor the next step multiplies every gradient by (clipping: max_norm / norm); 1 after it.
    void setGradientScale(double scale) { m_gradientScale = scale; }

    torch::Tensor step(LossClosure closure = nullptr) override;

    // Gives every contiguous bfloat16 parameter a float32 master (a copy of its current value). Call
    // before the first step; the moments of those parameters are then float32 too.
    void keepMasterWeights();
    // The float32 master of `parameter`, or the parameter itself where it has none. Checkpoints save
    // and load these, so a resumed run continues from the full-precision weights.
    torch::Tensor masterOf(const torch::Tensor& parameter) const;
    // After masters were loaded (a resume): rounds each into its parameter.
    void copyMastersToParameters();

private:
    double m_gradientScale = 1.0;
    std::unordered_map<const c10::TensorImpl*, torch::Tensor> m_masters;
};

// The global L2 norm of the gradients of `parameters`, accumulated in double in one pass without
// allocating (contiguous float32 or bfloat16 gradients; others through LibTorch).
double fusedGradientNorm(const std::vector<torch::Tensor>& parameters);

} // namespace ft
