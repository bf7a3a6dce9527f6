#include "engine/kv_cache.h"

#include "common/error.h"

namespace ft {

KvCache::KvCache(const ModelConfig& config, int64_t batch, int64_t capacity, torch::ScalarType dtype)
    : m_capacity(capacity)
{
    const auto options = torch::TensorOptions().dtype(dtype);
    for (int64_t i = 0; i < config.numLayers; ++i) {
        m_keys.push_back(torch::empty({batch, config.numKvHeads, capacity, config.headDim}, options));
        m_values.push_back(torch::empty({batch, config.numKvHeads, capacity, config.headDim}, options));
    }
}

std::pair<torch::Tensor, torch::Tensor> KvCache::append(size_t layer, const torch::Tensor& k, const torch::Tensor& v)
{
    const int64_t count = k.size(2);
    if (m_length + count > m_capacity)
        throw Error(QStringLiteral("the generation reached the cache capacity of %1 positions").arg(m_capacity));
    m_keys[layer].narrow(2, m_length, count).copy_(k);
    m_values[layer].narrow(2, m_length, count).copy_(v);
    return {m_keys[layer].narrow(2, 0, m_length + count), m_values[layer].narrow(2, 0, m_length + count)};
}

} // namespace ft
