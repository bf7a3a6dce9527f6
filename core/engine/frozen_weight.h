#pragma once
// The frozen base weight of a LoRA projection, whatever its storage: a dense tensor, NF4 or int8
// codes. Autograd functions save its tensors() (never a dequantized copy) and rebuild it in backward
// with fromSaved(), then materialize() the (out, in) weight for the one product that needs it.

#include <optional>

#include <torch/torch.h>

#include "engine/int8_quant.h"
#include "engine/nf4.h"

namespace ft {

class ProjectionImpl;

class FrozenWeight {
public:
    enum class Kind { Dense, Nf4, Int8 };

    static FrozenWeight dense(const torch::Tensor& weight);
    static FrozenWeight nf4(const Nf4Tensor& weight);
    static FrozenWeight int8(const Int8Tensor& weight);
    // The frozen weight of a dense (not trainable), NF4 or int8 projection; nothing for others.
    static std::optional<FrozenWeight> of(const ProjectionImpl& projection);

    Kind kind() const { return m_kind; }
    torch::Device device() const;
    // The dense weight (out, in) in `dtype`; quantized kinds count their time as dequantization.
    torch::Tensor materialize(torch::ScalarType dtype) const;

    // For save_for_backward: a fixed number of entries per kind (undefined ones included), and the
    // description that fromSaved needs besides them.
    std::vector<torch::Tensor> tensors() const;
    int64_t kindCode() const { return static_cast<int64_t>(m_kind); }
    const std::vector<int64_t>& shape() const { return m_shape; }
    static FrozenWeight fromSaved(int64_t kindCode, const std::vector<int64_t>& shape,
                                  const std::vector<torch::Tensor>& tensors);

private:
    Kind m_kind = Kind::Dense;
    std::vector<int64_t> m_shape; // (out, in)
    torch::Tensor m_dense;
    Nf4Tensor m_nf4;
    Int8Tensor m_int8;
};

} // namespace ft
