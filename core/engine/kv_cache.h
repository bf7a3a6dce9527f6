#pragma once
// Keys and values of past positions, preallocated for `capacity` positions, for generation.

#include <vector>

#include <torch/torch.h>

#include "modelio/model_config.h"

namespace ft {

class KvCache {
public:
    KvCache(const ModelConfig& config, int64_t batch, int64_t capacity, torch::ScalarType dtype);

    int64_t length() const { return m_length; }
    int64_t capacity() const { return m_capacity; }
    // Stores k, v (B, kvH, T, D) of `layer` at positions [length, length + T) and returns the keys and
    // values of all positions so far, (B, kvH, length + T, D) each.
    std::pair<torch::Tensor, torch::Tensor> append(size_t layer, const torch::Tensor& k, const torch::Tensor& v);
    // Called once every layer has appended the new positions.
    void advance(int64_t count) { m_length += count; }
    void clear() { m_length = 0; }

private:
    std::vector<torch::Tensor> m_keys;   // per layer (B, kvH, capacity, D)
    std::vector<torch::Tensor> m_values; // per layer (B, kvH, capacity, D)
    int64_t m_length = 0;
    int64_t m_capacity = 0;
};

} // namespace ft
