// The fused LoRA projection (LoraDenseFunction) against the same formula left to autograd:
// base(x) + scale · dropout(x) Aᵀ Bᵀ with fastDropout, for outputs and every gradient.
#include <ATen/CPUGeneratorImpl.h>
#include <QTest>

#include "engine/fast_dropout.h"
#include "engine/lora_dense_function.h"

using namespace ft;

namespace {

struct Inputs {
    torch::Tensor x, weight, bias, loraA, loraB, gradY;
};

// x (2, 5, in), W (out, in), A (r, in), B (out, r) non-zero so that every term matters.
Inputs makeInputs(bool withBias, int64_t in = 12, int64_t out = 20, int64_t rank = 4)
{
    torch::manual_seed(3);
    Inputs i;
    i.x = torch::randn({2, 5, in}).requires_grad_(true);
    i.weight = torch::randn({out, in});
    if (withBias)
        i.bias = torch::randn({out});
    i.loraA = torch::randn({rank, in}).requires_grad_(true);
    i.loraB = torch::randn({out, rank}).requires_grad_(true);
    i.gradY = torch::randn({2, 5, out});
    return i;
}

struct Result {
    torch::Tensor y, gradX, gradA, gradB;
};

Result backwardOf(const torch::Tensor& y, const Inputs& i)
{
    y.backward(i.gradY);
    Result r{y.detach(), i.x.grad().clone(), i.loraA.grad().clone(), i.loraB.grad().clone()};
    i.x.mutable_grad().reset();
    i.loraA.mutable_grad().reset();
    i.loraB.mutable_grad().reset();
    return r;
}

torch::Tensor reference(const Inputs& i, double scale, double dropout)
{
    const torch::Tensor h = fastDropout(i.x, dropout, dropout > 0);
    return torch::linear(i.x, i.weight, i.bias) + scale * torch::linear(torch::linear(h, i.loraA), i.loraB);
}

void verifyClose(const torch::Tensor& actual, const torch::Tensor& expected, const char* what)
{
    const double error = (actual - expected).abs().max().item<double>();
    const double size = expected.abs().max().item<double>();
    QVERIFY2(actual.sizes() == expected.sizes(), what);
    QVERIFY2(error <= 1e-5 * std::max(1.0, size), qPrintable(QStringLiteral("%1: max error %2 for values up to %3")
                                                                  .arg(QLatin1String(what)).arg(error).arg(size)));
}

} // namespace

class TestLoraDenseFunction : public QObject {
    Q_OBJECT
private slots:
    void matchesAutograd_data()
    {
        QTest::addColumn<double>("dropout");
        QTest::addColumn<bool>("withBias");
        QTest::newRow("merged, no bias") << 0.0 << false;
        QTest::newRow("merged, bias") << 0.0 << true;
        QTest::newRow("dropout 0.3, no bias") << 0.3 << false;
        QTest::newRow("dropout 0.3, bias") << 0.3 << true;
    }
    // Same output, same input and adapter gradients; with dropout, the same mask as fastDropout draws
    // from the same generator state.
    void matchesAutograd()
    {
        QFETCH(double, dropout);
        QFETCH(bool, withBias);
        const Inputs i = makeInputs(withBias);
        const double scale = 0.75;
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor state = generator.get_state();
        const Result expected = backwardOf(reference(i, scale, dropout), i);
        generator.set_state(state);
        const Result actual = backwardOf(loraDenseLinear(i.x, i.weight, i.bias, i.loraA, i.loraB, scale, dropout), i);
        verifyClose(actual.y, expected.y, "output");
        verifyClose(actual.gradX, expected.gradX, "gradient of x");
        verifyClose(actual.gradA, expected.gradA, "gradient of A");
        verifyClose(actual.gradB, expected.gradB, "gradient of B");
    }
    void dropoutDropsAndDrawsANewMaskEachCall()
    {
        const Inputs i = makeInputs(false, 64, 8, 2);
        torch::NoGradGuard noGrad;
        // With W = 0 and B = I-like, the output shows how much of x reached the adapter.
        const torch::Tensor zeroWeight = torch::zeros_like(i.weight);
        const torch::Tensor first = loraDenseLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.5);
        const torch::Tensor second = loraDenseLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.5);
        const torch::Tensor undropped = loraDenseLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.0);
        QVERIFY(!torch::allclose(first, second));
        QVERIFY(!torch::allclose(first, undropped));
    }
    void zeroBLeavesTheBaseExactly()
    {
        Inputs i = makeInputs(true);
        torch::NoGradGuard noGrad;
        const torch::Tensor zeroB = torch::zeros_like(i.loraB);
        QVERIFY(torch::equal(loraDenseLinear(i.x, i.weight, i.bias, i.loraA, zeroB, 2.0, 0.0),
                             torch::linear(i.x, i.weight, i.bias)));
    }
    void frozenAdaptersGetNoGradient()
    {
        Inputs i = makeInputs(false);
        const torch::Tensor a = i.loraA.detach();
        const torch::Tensor b = i.loraB.detach();
        const torch::Tensor y = loraDenseLinear(i.x, i.weight, torch::Tensor(), a, b, 1.0, 0.1);
        y.backward(i.gradY);
        QVERIFY(i.x.grad().defined());
        QVERIFY(!a.grad().defined() && !b.grad().defined());
    }
    void appliesOnlyToFp32OnTheCpu()
    {
        const torch::Tensor x = torch::randn({2, 4});
        const torch::Tensor w = torch::randn({3, 4});
        const torch::Tensor a = torch::randn({2, 4});
        QVERIFY(loraDenseApplies(x, w, a));
        QVERIFY(!loraDenseApplies(x.to(torch::kBFloat16), w, a));
        QVERIFY(!loraDenseApplies(x, w.to(torch::kBFloat16), a));
    }
};

QTEST_APPLESS_MAIN(TestLoraDenseFunction)
#include "tst_lora_dense_function.moc"
