// The bf16 LoRA adapter's first half, t = dropout(x) Aᵀ (lora_down_function.h), against the autograd
// formula it replaces (x.to(float32), fastDropout, linear) under the same generator state: the same
// t, the same masks, the same gradients of x and A; without dropout, or outside training, no mask.
#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/fast_dropout.h"
#include "engine/lora_down_function.h"

using namespace ft;

namespace {

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected)
{
    return (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>() /
           std::max(1e-30, expected.to(torch::kFloat64).abs().max().item<double>());
}

struct Outcome {
    torch::Tensor t, gradX, gradA;
};

// x (2, 37, 96) in bf16, A (8, 96): a batch of rows with a token count that fills no vector evenly.
Outcome run(bool fused, double dropout, bool training)
{
    torch::manual_seed(11);
    torch::Tensor x = torch::randn({2, 37, 96}).to(torch::kBFloat16).requires_grad_(true);
    torch::Tensor a = (torch::randn({8, 96}) * 0.1).requires_grad_(true);
    const torch::Tensor gradT = torch::randn({2, 37, 8});
    torch::manual_seed(12); // the dropout seed comes from here in both
    torch::Tensor t;
    if (fused) {
        t = loraDown(x, a, dropout, training);
    } else {
        torch::Tensor h = x.to(torch::kFloat32);
        if (dropout > 0)
            h = fastDropout(h, dropout, training);
        t = torch::linear(h, a);
    }
    const auto grads = torch::autograd::grad({t}, {x, a}, {gradT});
    return {t.detach(), grads[0], grads[1]};
}

} // namespace

class TestLoraDownFunction : public QObject {
    Q_OBJECT
private slots:
    void matchesTheAutogradFormula_data()
    {
        QTest::addColumn<double>("dropout");
        QTest::addColumn<bool>("training");
        QTest::newRow("dropout 0.05, training") << 0.05 << true;
        QTest::newRow("dropout 0.5, training") << 0.5 << true;
        QTest::newRow("dropout 0.05, evaluating") << 0.05 << false;
        QTest::newRow("no dropout") << 0.0 << true;
    }
    void matchesTheAutogradFormula()
    {
        QFETCH(double, dropout);
        QFETCH(bool, training);
        const Outcome fused = run(true, dropout, training);
        const Outcome composite = run(false, dropout, training);
        QCOMPARE(fused.t.scalar_type(), torch::kFloat32);
        QCOMPARE(fused.gradX.scalar_type(), torch::kBFloat16);
        QCOMPARE(fused.t.sizes(), composite.t.sizes());
        QVERIFY2(relativeError(fused.t, composite.t) < 1e-6,
                 qPrintable(QString::number(relativeError(fused.t, composite.t))));
        QVERIFY2(relativeError(fused.gradA, composite.gradA) < 1e-5,
                 qPrintable(QString::number(relativeError(fused.gradA, composite.gradA))));
        // Each element of x's gradient is the same float32 value rounded to bf16, up to the order of
        // the product's sums: within one bf16 step.
        QVERIFY2(relativeError(fused.gradX, composite.gradX) < 1e-2,
                 qPrintable(QString::number(relativeError(fused.gradX, composite.gradX))));
        // Dropped inputs get no gradient, in both.
        QCOMPARE(fused.gradX.eq(0).sum().item<int64_t>(), composite.gradX.eq(0).sum().item<int64_t>());
        if (dropout >= 0.5 && training)
            QVERIFY(fused.gradX.eq(0).to(torch::kFloat64).mean().item<double>() > 0.3);
    }

    // The node keeps x and A and hangs straight under them: no float32 copy or mask on the graph.
    void oneNodeOverXAndA()
    {
        torch::Tensor x = torch::randn({4, 16}).to(torch::kBFloat16).requires_grad_(true);
        torch::Tensor a = torch::randn({2, 16}).requires_grad_(true);
        const torch::Tensor t = loraDown(x, a, 0.1, true);
        QVERIFY(t.grad_fn());
        QVERIFY2(QString::fromStdString(t.grad_fn()->name()).contains(QLatin1String("LoraDown")),
                 t.grad_fn()->name().c_str());
        QCOMPARE(t.grad_fn()->next_edges().size(), size_t(2));
        for (const auto& edge : t.grad_fn()->next_edges())
            QCOMPARE(QString::fromStdString(edge.function->name()), QStringLiteral("torch::autograd::AccumulateGrad"));
    }
};

QTEST_APPLESS_MAIN(TestLoraDownFunction)
#include "tst_lora_down_function.moc"
