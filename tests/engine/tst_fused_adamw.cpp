// FusedAdamW against LibTorch's AdamW: the same parameters, moments and step counts after several
// steps (both weight-decay groups, sizes that split across threads and leave a remainder), the gradient
// scale equal to scaling the gradients first, other dtypes through LibTorch's own path exactly, and a
// saved state that either optimizer loads (the checkpoints stay the same files). The one-pass gradient
// norm equals the sum of squares in float64. With master weights (mixed precision), bfloat16 parameters
// follow float32 AdamW on their float32 masters, and keep updates bfloat16 alone would round away.

#include <sstream>

#include <QTest>

#include "engine/fused_adamw.h"

using namespace ft;

namespace {

struct Setup {
    std::vector<torch::Tensor> decayed, undecayed;
};

// Parameters of a small model's shapes: a matrix larger than one thread's share, an odd-sized one, a norm.
Setup makeParameters(torch::ScalarType dtype = torch::kFloat32)
{
    torch::manual_seed(7);
    Setup s;
    for (auto shape : {std::vector<int64_t>{300, 257}, std::vector<int64_t>{17, 5}})
        s.decayed.push_back(torch::randn(shape).to(dtype).set_requires_grad(true));
    s.undecayed.push_back(torch::randn({257}).to(dtype).set_requires_grad(true));
    return s;
}

template <typename Optimizer> std::unique_ptr<Optimizer> makeOptimizer(const Setup& s)
{
    auto options = torch::optim::AdamWOptions(3e-3).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.1);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(s.decayed, std::make_unique<torch::optim::AdamWOptions>(options));
    auto none = options;
    none.weight_decay(0.0);
    groups.emplace_back(s.undecayed, std::make_unique<torch::optim::AdamWOptions>(none));
    return std::make_unique<Optimizer>(std::move(groups), options);
}

std::vector<torch::Tensor> all(const Setup& s)
{
    std::vector<torch::Tensor> v = s.decayed;
    v.insert(v.end(), s.undecayed.begin(), s.undecayed.end());
    return v;
}

// The same gradients for both, step by step (a fixed function of the step and the shape).
void setGradients(const Setup& s, int step)
{
    torch::manual_seed(100 + step);
    for (const torch::Tensor& p : all(s))
        p.mutable_grad() = torch::randn(p.sizes()).to(p.scalar_type());
}

// The largest difference, relative to the tensor's largest value (float rounding differs element by
// element: an element near zero has no meaningful relative error of its own).
double maxRelativeDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    const torch::Tensor x = a.to(torch::kFloat64), y = b.to(torch::kFloat64);
    return (x - y).abs().max().item<double>() / std::max(1e-12, y.abs().max().item<double>());
}

} // namespace

class TestFusedAdamW : public QObject {
    Q_OBJECT
private slots:
    void matchesLibTorchsAdamW()
    {
        const Setup fused = makeParameters(), reference = makeParameters();
        auto a = makeOptimizer<FusedAdamW>(fused);
        auto b = makeOptimizer<torch::optim::AdamW>(reference);
        for (int step = 0; step < 6; ++step) {
            setGradients(fused, step);
            setGradients(reference, step);
            // Clipping: the fused optimizer scales in its pass, the reference scales the gradients first.
            const double scale = step % 2 ? 0.25 : 1.0;
            a->setGradientScale(scale);
            {
                torch::NoGradGuard noGrad;
                for (const torch::Tensor& p : all(reference))
                    p.mutable_grad().mul_(scale);
            }
            a->step();
            b->step();
        }
        const auto x = all(fused), y = all(reference);
        for (size_t i = 0; i < x.size(); ++i) {
            const double diff = maxRelativeDifference(x[i], y[i]);
            QVERIFY2(diff < 1e-6, qPrintable(QStringLiteral("parameter %1: relative difference %2").arg(i).arg(diff)));
        }
        // The weights moved (a test that cannot pass with a no-op).
        QVERIFY(maxRelativeDifference(x[0], makeParameters().decayed[0]) > 1e-3);
    }

    void otherDtypesTakeLibTorchsPathExactly()
    {
        const Setup fused = makeParameters(torch::kBFloat16), reference = makeParameters(torch::kBFloat16);
        auto a = makeOptimizer<FusedAdamW>(fused);
        auto b = makeOptimizer<torch::optim::AdamW>(reference);
        for (int step = 0; step < 3; ++step) {
            setGradients(fused, step);
            setGradients(reference, step);
            a->step();
            b->step();
        }
        const auto x = all(fused), y = all(reference);
        for (size_t i = 0; i < x.size(); ++i)
            QVERIFY(torch::equal(x[i], y[i]));
    }

    // Mixed precision: bf16 parameters and gradients, float32 masters and moments. The masters follow
    // float32 AdamW given the same (bf16-valued) gradients; each parameter is its master rounded.
    void masterWeightsFollowFloat32AdamW()
    {
        const Setup mixed = makeParameters(torch::kBFloat16);
        Setup reference = makeParameters(torch::kBFloat16);
        for (auto* group : {&reference.decayed, &reference.undecayed})
            for (torch::Tensor& p : *group)
                p = p.detach().to(torch::kFloat32).set_requires_grad(true);
        auto a = makeOptimizer<FusedAdamW>(mixed);
        a->keepMasterWeights();
        auto b = makeOptimizer<torch::optim::AdamW>(reference);
        for (int step = 0; step < 6; ++step) {
            setGradients(mixed, step);
            const double scale = step % 2 ? 0.25 : 1.0;
            a->setGradientScale(scale);
            const auto x = all(mixed), y = all(reference);
            for (size_t i = 0; i < x.size(); ++i)
                y[i].mutable_grad() = x[i].grad().to(torch::kFloat32) * scale;
            a->step();
            b->step();
        }
        const auto x = all(mixed), y = all(reference);
        for (size_t i = 0; i < x.size(); ++i) {
            const torch::Tensor master = a->masterOf(x[i]);
            QCOMPARE(master.scalar_type(), torch::kFloat32);
            const double diff = maxRelativeDifference(master, y[i]);
            QVERIFY2(diff < 1e-6, qPrintable(QStringLiteral("parameter %1: relative difference %2").arg(i).arg(diff)));
            QCOMPARE(x[i].scalar_type(), torch::kBFloat16);
            QVERIFY(torch::equal(x[i], master.to(torch::kBFloat16)));
            const auto& state = static_cast<const torch::optim::AdamWParamState&>(
                *a->state().at(c10::guts::to_string(x[i].unsafeGetTensorImpl())));
            QCOMPARE(state.exp_avg().scalar_type(), torch::kFloat32);
        }
        QVERIFY(maxRelativeDifference(a->masterOf(x[0]), makeParameters().decayed[0]) > 1e-3);
        // The gradient norm reads bf16 gradients in one pass too.
        double expected = 0.0;
        for (const torch::Tensor& p : x)
            expected += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
        QVERIFY(std::abs(fusedGradientNorm(x) - std::sqrt(expected)) < 1e-12 * std::sqrt(expected));
    }

    // Why masters: just below 1.0 bfloat16's step is 2^-8, so AdamW's 1e-4 updates vanish in bf16 alone; the
    // master accumulates them until the rounded parameter moves.
    void masterWeightsKeepUpdatesBfloat16WouldLose()
    {
        auto run = [](bool masters) {
            Setup s;
            s.decayed.push_back(torch::ones({64}, torch::kBFloat16).set_requires_grad(true));
            s.undecayed.push_back(torch::ones({1}, torch::kBFloat16).set_requires_grad(true));
            auto options = torch::optim::AdamWOptions(1e-4).weight_decay(0.0);
            std::vector<torch::optim::OptimizerParamGroup> groups;
            groups.emplace_back(s.decayed, std::make_unique<torch::optim::AdamWOptions>(options));
            groups.emplace_back(s.undecayed, std::make_unique<torch::optim::AdamWOptions>(options));
            FusedAdamW optimizer(std::move(groups), options);
            if (masters)
                optimizer.keepMasterWeights();
            for (int step = 0; step < 100; ++step) {
                for (const torch::Tensor& p : all(s))
                    p.mutable_grad() = torch::ones_like(p);
                optimizer.step();
            }
            return s.decayed[0][0].item<float>();
        };
        QCOMPARE(run(false), 1.0f);
        const float withMasters = run(true);
        QVERIFY2(withMasters < 0.995f && withMasters > 0.985f, qPrintable(QString::number(withMasters)));
    }

    void savedStateLoadsIntoEither()
    {
        const Setup s = makeParameters();
        auto a = makeOptimizer<FusedAdamW>(s);
        setGradients(s, 0);
        a->step();
        std::ostringstream bytes;
        torch::serialize::OutputArchive out;
        a->save(out);
        out.save_to(bytes);
        auto b = makeOptimizer<torch::optim::AdamW>(s);
        std::istringstream in(bytes.str());
        torch::serialize::InputArchive archive;
        archive.load_from(in);
        b->load(archive);
        const auto& state = static_cast<const torch::optim::AdamWParamState&>(
            *b->state().at(c10::guts::to_string(s.decayed[0].unsafeGetTensorImpl())));
        QCOMPARE(state.step(), int64_t(1));
        const auto& mine = static_cast<const torch::optim::AdamWParamState&>(
            *a->state().at(c10::guts::to_string(s.decayed[0].unsafeGetTensorImpl())));
        QVERIFY(torch::equal(state.exp_avg(), mine.exp_avg()));
        QVERIFY(torch::equal(state.exp_avg_sq(), mine.exp_avg_sq()));
    }

    void gradientNormInOnePass()
    {
        const Setup s = makeParameters();
        setGradients(s, 3);
        double reference = 0.0;
        for (const torch::Tensor& p : all(s))
            reference += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
        reference = std::sqrt(reference);
        QVERIFY(std::abs(fusedGradientNorm(all(s)) - reference) < 1e-12 * reference);
        s.undecayed[0].mutable_grad() = torch::Tensor(); // a parameter without a gradient is left out
        QVERIFY(fusedGradientNorm(all(s)) < reference);
    }
};

QTEST_GUILESS_MAIN(TestFusedAdamW)
#include "tst_fused_adamw.moc"
