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
    float decay; // 1 - lr * weight_decay
    float beta1, beta2;
    float oneMinusBeta1, oneMinusBeta2;
    float sqrtBiasCorrection2;
    float eps;
    float stepSize; // lr / bias_correction1
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

// The same update on a float32 master, from a bfloat16 gradient, rounding the result into the
// bfloat16 parameter (mixed precision).
void updateMaster(float* master, at::BFloat16* p, const at::BFloat16* g, float* m, float* v, int64_t begin, int64_t end,
                  const Update& u)
{
    for (int64_t i = begin; i < end; ++i) {
        const float grad = static_cast<float>(g[i]) * u.gradScale;
        const float mi = m[i] * u.beta1 + grad * u.oneMinusBeta1;
        const float vi = v[i] * u.beta2 + u.oneMinusBeta2 * (grad * grad);
        const float denom = std::sqrt(vi) / u.sqrtBiasCorrection2 + u.eps;
        m[i] = mi;
        v[i] = vi;
        const float updated = master[i] * u.decay - u.stepSize * (mi / denom);
        master[i] = updated;
        p[i] = at::BFloat16(updated);
    }
}

bool contiguousCpu(const torch::Tensor& t, torch::ScalarType dtype)
{
    return t.scalar_type() == dtype && t.is_contiguous() && t.device().is_cpu() && !t.is_sparse();
}

} // namespace

void FusedAdamW::keepMasterWeights()
{
    torch::NoGradGuard noGrad;
    for (auto& group : param_groups_)
        for (auto& p : group.params())
            if (contiguousCpu(p, torch::kBFloat16) && m_masters.count(p.unsafeGetTensorImpl()) == 0)
                m_masters[p.unsafeGetTensorImpl()] = p.detach().to(torch::kFloat32, false, true);
}

torch::Tensor FusedAdamW::masterOf(const torch::Tensor& parameter) const
{
    const auto it = m_masters.find(parameter.unsafeGetTensorImpl());
    return it == m_masters.end() ? parameter : it->second;
}

void FusedAdamW::copyMastersToParameters()
{
    torch::NoGradGuard noGrad;
    for (auto& group : param_groups_)
        for (auto& p : group.params()) {
            const auto it = m_masters.find(p.unsafeGetTensorImpl());
            if (it != m_masters.end())
                p.copy_(it->second);
        }
}

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
            const auto masterIt = m_masters.find(p.unsafeGetTensorImpl());
            torch::Tensor* master = masterIt == m_masters.end() ? nullptr : &masterIt->second;
            // What the update changes: the master where there is one (its moments share its dtype).
            torch::Tensor& target = master ? *master : p;
            const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
            if (state_.find(key) == state_.end()) {
                auto state = std::make_unique<torch::optim::AdamWParamState>();
                state->step(0);
                state->exp_avg(torch::zeros_like(target, torch::MemoryFormat::Preserve));
                state->exp_avg_sq(torch::zeros_like(target, torch::MemoryFormat::Preserve));
                if (options.amsgrad())
                    state->max_exp_avg_sq(torch::zeros_like(target, torch::MemoryFormat::Preserve));
                state_[key] = std::move(state);
            }
            auto& state = static_cast<torch::optim::AdamWParamState&>(*state_[key]);
            state.step(state.step() + 1);
            const auto [beta1, beta2] = options.betas();
            const double biasCorrection1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
            const double biasCorrection2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
            const double stepSize = options.lr() / biasCorrection1;
            if (master && state.exp_avg().scalar_type() != torch::kFloat32) {
                // Moments saved by a run without masters (bfloat16 throughout): widened once.
                state.exp_avg(state.exp_avg().to(torch::kFloat32));
                state.exp_avg_sq(state.exp_avg_sq().to(torch::kFloat32));
                if (options.amsgrad())
                    state.max_exp_avg_sq(state.max_exp_avg_sq().to(torch::kFloat32));
            }
            torch::Tensor& m = state.exp_avg();
            torch::Tensor& v = state.exp_avg_sq();

            const bool fusedPlain = !master && fastPath(p, grad);
            const bool fusedMaster = master && contiguousCpu(grad, torch::kBFloat16) && master->is_contiguous();
            if (!options.amsgrad() && (fusedPlain || fusedMaster) && m.is_contiguous() && v.is_contiguous()) {
                const Update u{static_cast<float>(1.0 - options.lr() * options.weight_decay()),
                               static_cast<float>(beta1),
                               static_cast<float>(beta2),
                               static_cast<float>(1.0 - beta1),
                               static_cast<float>(1.0 - beta2),
                               static_cast<float>(std::sqrt(biasCorrection2)),
                               static_cast<float>(options.eps()),
                               static_cast<float>(stepSize),
                               static_cast<float>(scale)};
                float* md = m.data_ptr<float>();
                float* vd = v.data_ptr<float>();
                if (master) {
                    float* masterData = master->data_ptr<float>();
                    auto* pd = p.data_ptr<at::BFloat16>();
                    const auto* gd = grad.data_ptr<at::BFloat16>();
                    at::parallel_for(0, p.numel(), kGrain, [&](int64_t begin, int64_t end) {
                        updateMaster(masterData, pd, gd, md, vd, begin, end, u);
                    });
                } else {
                    float* pd = p.data_ptr<float>();
                    const float* gd = grad.data_ptr<float>();
                    at::parallel_for(0, p.numel(), kGrain,
                                     [&](int64_t begin, int64_t end) { update(pd, gd, md, vd, begin, end, u); });
                }
                continue;
            }
            // Anything else: LibTorch's own element-wise steps (the order of AdamW::step), on the master
            // where there is one, rounded into the parameter at the end.
            const torch::Tensor widened = grad.to(target.scalar_type());
            const torch::Tensor g = scale == 1.0 ? widened : widened * scale;
            if (options.weight_decay() != 0)
                target.mul_(1 - options.lr() * options.weight_decay());
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
            target.addcdiv_(m, denom, -stepSize);
            if (master)
                p.copy_(*master);
        }
    }
    return loss;
}

namespace {

// The sum of squares of n values, in double, on the intra-op threads.
template <typename Value> double sumOfSquares(const Value* data, int64_t n)
{
    return at::parallel_reduce(
        int64_t{0}, n, kGrain, 0.0,
        [data](int64_t begin, int64_t end, double partial) {
            // Four sums side by side: one would wait on each addition before the next.
            double s[4] = {0.0, 0.0, 0.0, 0.0};
            int64_t i = begin;
            for (; i + 4 <= end; i += 4)
                for (int k = 0; k < 4; ++k) {
                    const double x = static_cast<float>(data[i + k]);
                    s[k] += x * x;
                }
            for (; i < end; ++i) {
                const double x = static_cast<float>(data[i]);
                s[0] += x * x;
            }
            return partial + ((s[0] + s[1]) + (s[2] + s[3]));
        },
        [](double a, double b) { return a + b; });
}

} // namespace

double fusedGradientNorm(const std::vector<torch::Tensor>& parameters)
{
    double sum = 0.0;
    for (const torch::Tensor& p : parameters) {
        const torch::Tensor& g = p.grad();
        if (!g.defined())
            continue;
        if (contiguousCpu(g, torch::kFloat32))
            sum += sumOfSquares(g.data_ptr<float>(), g.numel());
        else if (contiguousCpu(g, torch::kBFloat16))
            sum += sumOfSquares(g.data_ptr<at::BFloat16>(), g.numel());
        else
            sum += g.to(torch::kFloat64).pow(2).sum().item<double>();
    }
    return std::sqrt(sum);
}

} // namespace ft
