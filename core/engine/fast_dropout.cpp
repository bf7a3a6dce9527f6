#include "engine/fast_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

namespace ft {

uint64_t dropoutSeed()
{
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

torch::Tensor fastDropout(const torch::Tensor& x, double p, bool training)
{
    if (!training || p <= 0.0)
        return x;
    const uint64_t seed = dropoutSeed();
    const int64_t n = x.numel();
    const float keep = static_cast<float>(1.0 / (1.0 - p));
    const uint64_t threshold = dropoutThreshold(p);
    torch::Tensor mask = torch::empty(x.sizes(), torch::TensorOptions().dtype(torch::kFloat32));
    float* out = mask.data_ptr<float>();
    at::parallel_for(0, n, 1 << 14, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i)
            out[i] = dropoutKeeps(seed, i, threshold) ? keep : 0.0f;
    });
    return x * mask.to(x.scalar_type());
}

} // namespace ft
