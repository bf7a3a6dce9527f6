#include "engine/fused_adamw.h"

#include <cmath>

#include <ATen/Parallel.h>

namespace ft {

namespace {

// Elements per task of the intra-op pool: large enough that scheduling is noise.
constexpr int64_t kGrain = 32768;

bool fastPath(const torch::Tensor& p, const torch::Tensor& g)
{
    return p.scalar_type() == torch::kFloat32 && g.scalar_type() == torch::kFloat32 && p.is_contiguous() &&
           g.is_contiguous() && p.device().is_cpu() && !g.is_sparse();
}

struct Update {
    float decay;     // 1 - lr * weight_decay
    float beta1, beta2;
    float oneMinusBeta1, oneMinusBeta2;
    float sqrtBiasCorrection2;
    float eps;
    float stepSize;  // lr / bias_correction1
    float gradScale;
};

// One parameter's update, as torch::optim::AdamW::step (1.13) computes it element by element:
//   p *= 1 - lr*wd;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;
//   p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
void update(float* p, const float* g, float* m, float* v, int64_t begin, int64_t end, const Update& u)
{
    for (int64_t i = begin; i < end; ++i) {
        const float grad = g[i] * u.gradScale;
        const float mi = m[i] * u.beta1 + grad * u.oneMinusBeta1;
        const float vi = v[i] * u.beta2 + u.oneMinusBeta2 * (grad * grad);
        const float denom = std::sqrt(vi) / u.sqrtBiasCorrection2 + u.eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * u.decay - u.stepSize * (mi / denom);
    }
}

} // namespace

torch::Tensor FusedAdamW::step(LossClosure closure)
{
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    const double scale = m_gradientScale;
    m_gradientScale = 1.0;
    for (auto& group : param_groups_) {
        auto& options = static_cast<torch::optim::AdamWOptions&>(group.options());
        for (auto& p : group.params()) {
            if (!p.grad().defined())
                continue;
            const torch::Tensor& grad = p.grad();
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            if (state_.find(key) == state_.end()) {
                auto state = std::make_unique<torch::optim::AdamWParamState>();
                state->step(0);
                state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                if (options.amsgrad())
                    state->max_exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                state_[key] = std::move(state);
            }
            auto& state = static_cast<torch::optim::AdamWParamState&>(*state_[key]);
            state.step(state.step() + 1);
            const auto [beta1, beta2] = options.betas();
            const double biasCorrection1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
            const double biasCorrection2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
            const double stepSize = options.lr() / biasCorrection1;
            torch::Tensor& m = state.exp_avg();
            torch::Tensor& v = state.exp_avg_sq();

            if (!options.amsgrad() && fastPath(p, grad) && m.is_contiguous() && v.is_contiguous()) {
                const Update u{static_cast<float>(1.0 - options.lr() * options.weight_decay()),
                               static_cast<float>(beta1),
                               static_cast<float>(beta2),
                               static_cast<float>(1.0 - beta1),
                               static_cast<float>(1.0 - beta2),
                               static_cast<float>(std::sqrt(biasCorrection2)),
                               static_cast<float>(options.eps()),
                               static_cast<float>(stepSize),
                               static_cast<float>(scale)};
                float* pd = p.data_ptr<float>();
                const float* gd = grad.data_ptr<float>();
                float* md = m.data_ptr<float>();
                float* vd = v.data_ptr<float>();
                at::parallel_for(0, p.numel(), kGrain,
                                 [&](int64_t begin, int64_t end) { update(pd, gd, md, vd, begin, end, u); });
                continue;
            }
            // Anything else: LibTorch's own element-wise steps (the order of AdamW::step).
            const torch::Tensor g = scale == 1.0 ? grad : grad * scale;
            if (options.weight_decay() != 0)
                p.mul_(1 - options.lr() * options.weight_decay());
            m.mul_(beta1).add_(g, 1 - beta1);
            v.mul_(beta2).addcmul_(g, g, 1 - beta2);
            torch::Tensor denom;
            if (options.amsgrad()) {
                torch::Tensor& maxV = state.max_exp_avg_sq();
                torch::max_out(maxV, v, maxV);
                denom = (maxV.sqrt() / std::sqrt(biasCorrection2)).add_(options.eps());
            } else {
                denom = (v.sqrt() / std::sqrt(biasCorrection2)).add_(options.eps());
            }
            p.addcdiv_(m, denom, -stepSize);
        }
    }
    return loss;
}

double fusedGradientNorm(const std::vector<torch::Tensor>& parameters)
{
    double sum = 0.0;
    for (const torch::Tensor& p : parameters) {
        const torch::Tensor& g = p.grad();
        if (!g.defined())
            continue;
        if (g.scalar_type() != torch::kFloat32 || !g.is_contiguous() || !g.device().is_cpu()) {
            sum += g.to(torch::kFloat64).pow(2).sum().item<double>();
            continue;
        }
        const float* data = g.data_ptr<float>();
        sum += at::parallel_reduce(
            int64_t{0}, g.numel(), kGrain, 0.0,
            [data](int64_t begin, int64_t end, double partial) {
                // Four sums side by side: one would wait on each addition before the next.
                double s[4] = {0.0, 0.0, 0.0, 0.0};
                int64_t i = begin;
                for (; i + 4 <= end; i += 4)
                    for (int k = 0; k < 4; ++k)
                        s[k] += static_cast<double>(data[i + k]) * static_cast<double>(data[i + k]);
                for (; i < end; ++i)
                    s[0] += static_cast<double>(data[i]) * static_cast<double>(data[i]);
                return partial + ((s[0] + s[1]) + (s[2] + s[3]));
            },
            [](double a, double b) { return a + b; });
    }
    return std::sqrt(sum);
}

} // namespace ft
