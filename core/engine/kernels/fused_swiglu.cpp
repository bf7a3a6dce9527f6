#include "engine/kernels/fused_swiglu.h"

#include <cmath>

#include <ATen/Parallel.h>

#include "engine/kernels/avx512_exp.h"

namespace ft {

namespace {

constexpr int64_t kGrain = 16384;

// y = g s(g) u; with gy: gg = gy u s (1 + g (1 - s)), gu = gy g s.
void forwardPortable(const float* g, const float* u, float* y, int64_t begin, int64_t end)
{
    for (int64_t i = begin; i < end; ++i)
        y[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

void backwardPortable(const float* g, const float* u, const float* gy, float* gg, float* gu, int64_t begin, int64_t end)
{
    for (int64_t i = begin; i < end; ++i) {
        const float s = 1.0f / (1.0f + std::exp(-g[i]));
        gg[i] = gy[i] * u[i] * s * (1.0f + g[i] * (1.0f - s));
        gu[i] = gy[i] * g[i] * s;
    }
}

#if defined(__x86_64__)
// GCC 12 flags the intrinsics' own placeholder operands (_mm512_undefined) at -O3.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define FT_AVX512 __attribute__((target("avx512f")))

// sigmoid(x) from e = exp(-|x|) <= 1: 1 / (1 + e) for x >= 0, e / (1 + e) below.
FT_AVX512 inline __m512 sigmoid(__m512 x)
{
    const __m512 magnitude = _mm512_abs_ps(x);
    const __m512 e = expNonPositive(_mm512_sub_ps(_mm512_setzero_ps(), magnitude));
    const __m512 inverse = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
    const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(inverse, negative, inverse, e);
}

FT_AVX512 void forwardAvx512(const float* g, const float* u, float* y, int64_t begin, int64_t end)
{
    int64_t i = begin;
    for (; i + 16 <= end; i += 16) {
        const __m512 gv = _mm512_loadu_ps(g + i);
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_mul_ps(gv, sigmoid(gv)), _mm512_loadu_ps(u + i)));
    }
    forwardPortable(g, u, y, i, end);
}

FT_AVX512 void backwardAvx512(const float* g, const float* u, const float* gy, float* gg, float* gu, int64_t begin,
                              int64_t end)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t i = begin;
    for (; i + 16 <= end; i += 16) {
        const __m512 gv = _mm512_loadu_ps(g + i);
        const __m512 s = sigmoid(gv);
        const __m512 gyv = _mm512_loadu_ps(gy + i);
        const __m512 slope = _mm512_mul_ps(s, _mm512_fmadd_ps(gv, _mm512_sub_ps(one, s), one));
        _mm512_storeu_ps(gg + i, _mm512_mul_ps(_mm512_mul_ps(gyv, _mm512_loadu_ps(u + i)), slope));
        _mm512_storeu_ps(gu + i, _mm512_mul_ps(gyv, _mm512_mul_ps(gv, s)));
    }
    backwardPortable(g, u, gy, gg, gu, i, end);
}
#undef FT_AVX512
#pragma GCC diagnostic pop
#endif

struct FusedSwigluFunction : public torch::autograd::Function<FusedSwigluFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& gateInput,
                                 const torch::Tensor& upInput)
    {
        const torch::Tensor gate = gateInput.contiguous();
        const torch::Tensor up = upInput.contiguous();
        torch::Tensor y = torch::empty_like(gate);
        const float* g = gate.data_ptr<float>();
        const float* u = up.data_ptr<float>();
        float* out = y.data_ptr<float>();
        at::parallel_for(0, gate.numel(), kGrain, [&](int64_t begin, int64_t end) {
#if defined(__x86_64__)
            if (cpuHasAvx512())
                return forwardAvx512(g, u, out, begin, end);
#endif
            forwardPortable(g, u, out, begin, end);
        });
        ctx->save_for_backward({gate, up});
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::autograd::variable_list saved = ctx->get_saved_variables();
        const torch::Tensor gradY = gradOutputs[0].contiguous();
        torch::Tensor gradGate = torch::empty_like(saved[0]);
        torch::Tensor gradUp = torch::empty_like(saved[1]);
        const float* g = saved[0].data_ptr<float>();
        const float* u = saved[1].data_ptr<float>();
        const float* gy = gradY.data_ptr<float>();
        float* gg = gradGate.data_ptr<float>();
        float* gu = gradUp.data_ptr<float>();
        at::parallel_for(0, gradY.numel(), kGrain, [&](int64_t begin, int64_t end) {
#if defined(__x86_64__)
            if (cpuHasAvx512())
                return backwardAvx512(g, u, gy, gg, gu, begin, end);
#endif
            backwardPortable(g, u, gy, gg, gu, begin, end);
        });
        return {gradGate, gradUp};
    }
};

} // namespace

bool fusedSwigluApplies(const torch::Tensor& gate, const torch::Tensor& up)
{
    return gate.scalar_type() == torch::kFloat32 && up.scalar_type() == torch::kFloat32 && gate.device().is_cpu() &&
           up.device().is_cpu() && gate.sizes() == up.sizes();
}

torch::Tensor fusedSwiglu(const torch::Tensor& gate, const torch::Tensor& up)
{
    return FusedSwigluFunction::apply(gate, up);
}

} // namespace ft
