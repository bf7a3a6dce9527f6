#include "engine/kernels/fast_dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

namespace ft {

namespace {

inline void maskedCopy(const float* __restrict x, float* __restrict h, uint8_t* __restrict mask, int64_t begin,
                       int64_t end, uint64_t seed, uint64_t threshold, float keep)
{
    for (int64_t i = begin; i < end; ++i) {
        const bool kept = dropoutKeeps(seed, i, threshold);
        mask[i] = kept;
        h[i] = kept ? x[i] * keep : 0.0f;
    }
}

// The same loop compiled for AVX-512 (64-bit multiplies in vectors: vpmullq), chosen at run time.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void
maskedCopyAvx512(const float* x, float* h, uint8_t* mask, int64_t begin, int64_t end, uint64_t seed, uint64_t threshold,
                 float keep)
{
    maskedCopy(x, h, mask, begin, end, seed, threshold, keep);
}

} // namespace

void dropoutMaskedCopy(const float* x, float* h, uint8_t* mask, int64_t begin, int64_t end, uint64_t seed,
                       uint64_t threshold, float keep)
{
    static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    if (avx512)
        maskedCopyAvx512(x, h, mask, begin, end, seed, threshold, keep);
    else
        maskedCopy(x, h, mask, begin, end, seed, threshold, keep);
}

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
