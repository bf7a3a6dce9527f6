#include "engine/fast_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

namespace ft {

namespace {

inline uint64_t splitmix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t drawSeed()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

} // namespace

torch::Tensor fastDropout(const torch::Tensor& x, double p, bool training)
{
    if (!training || p <= 0.0)
        return x;
    const uint64_t seed = drawSeed();
    const int64_t n = x.numel();
    const float keep = static_cast<float>(1.0 / (1.0 - p));
    // An element is dropped when the top 32 bits of its hash fall below p * 2^32.
    const uint64_t threshold = static_cast<uint64_t>(p * 4294967296.0);
    torch::Tensor mask = torch::empty(x.sizes(), torch::TensorOptions().dtype(torch::kFloat32));
    float* out = mask.data_ptr<float>();
    at::parallel_for(0, n, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            out[i] = (splitmix64(seed + static_cast<uint64_t>(i)) >> 32) < threshold ? 0.0f : keep;
    });
    return x * mask.to(x.scalar_type());
}

} // namespace ft
