#pragma once
// 8-bit weights: per-output-row absmax, symmetric int8. Row r keeps step_r = absmax_r / 127 and
// codes round(w / step_r) in [-127, 127]; the round trip errs by at most step_r / 2 per element.

#include <torch/torch.h>

namespace ft {

struct Int8Tensor {
    torch::Tensor codes; // int8 (out, in)
    torch::Tensor steps; // fp32 (out): absmax of the row / 127

    int64_t storageBytes() const;
};

// A 2-D float tensor (any float dtype); throws ft::Error for other ranks or NaN/infinite values.
Int8Tensor int8Quantize(const torch::Tensor& weight);
torch::Tensor int8Dequantize(const Int8Tensor& q, torch::ScalarType dtype = torch::kFloat32); // (out, in)
Int8Tensor int8Empty(int64_t rows, int64_t cols, torch::Device device = torch::kCPU);

} // namespace ft
