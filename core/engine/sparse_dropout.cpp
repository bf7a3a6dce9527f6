#include "engine/sparse_dropout.h"

namespace ft {

torch::Tensor SparseDropout::denseMask(int64_t rows, int64_t cols) const
{
    torch::Tensor mask = torch::full({rows, cols}, m_keep);
    float* data = mask.data_ptr<float>();
    for (int64_t i = 0; i < rows; ++i)
        forEachDropped(i, cols, [&](int64_t j) { data[i * cols + j] = 0.0f; });
    return mask;
}

} // namespace ft
