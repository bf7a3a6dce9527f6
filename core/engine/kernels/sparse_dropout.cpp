#include "engine/kernels/sparse_dropout.h"

#include <cmath>

namespace ft {

SparseDropout::SparseDropout(uint64_t seed, double p, SparseDropoutIsa isa)
    : m_seed(seed)
    , m_gapScale(static_cast<float>(1.0 / std::log1p(-p)))
    , m_keep(static_cast<float>(1.0 / (1.0 - p)))
    , m_avx512(isa == SparseDropoutIsa::Best && dropoutGapsHaveAvx512())
{
}

torch::Tensor SparseDropout::denseMask(int64_t rows, int64_t cols) const
{
    torch::Tensor mask = torch::full({rows, cols}, m_keep);
    float* data = mask.data_ptr<float>();
    for (int64_t i = 0; i < rows; ++i)
        forEachDropped(i, cols, [&](int64_t j) { data[i * cols + j] = 0.0f; });
    return mask;
}

} // namespace ft
