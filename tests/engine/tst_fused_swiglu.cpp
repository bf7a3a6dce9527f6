// The fused silu(gate) * up against the composite formula in double: output and both gradients,
// over values from -100 to 100 (both sides of the sigmoid's split, and its saturation), a length
// that is not a multiple of the vector width, and several parallel chunks.
#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/fused_swiglu.h"

using namespace ft;

namespace {

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected)
{
    return (actual.to(torch::kFloat64) - expected).abs().max().item<double>() /
           std::max(1.0, expected.abs().max().item<double>());
}

} // namespace

class TestFusedSwiglu : public QObject {
    Q_OBJECT
private slots:
    void matchesTheFormula()
    {
        torch::manual_seed(5);
        const torch::Tensor gateValues =
            torch::cat({torch::randn({3, 40001}) * 4.0, torch::linspace(-100, 100, 3 * 40001).view({3, 40001})});
        const torch::Tensor upValues = torch::randn({6, 40001});
        const torch::Tensor gradY = torch::randn({6, 40001});
        torch::Tensor gate = gateValues.clone().requires_grad_(true), up = upValues.clone().requires_grad_(true);
        QVERIFY(fusedSwigluApplies(gate, up));
        const torch::Tensor y = fusedSwiglu(gate, up);

        torch::Tensor gate64 = gateValues.to(torch::kFloat64).requires_grad_(true),
                      up64 = upValues.to(torch::kFloat64).requires_grad_(true);
        const torch::Tensor expected = torch::silu(gate64) * up64;
        const auto expectedGrads = torch::autograd::grad({expected}, {gate64, up64}, {gradY.to(torch::kFloat64)});
        QVERIFY2(relativeError(y, expected) < 1e-6, qPrintable(QString::number(relativeError(y, expected))));
        const auto grads = torch::autograd::grad({y}, {gate, up}, {gradY});
        QVERIFY2(relativeError(grads[0], expectedGrads[0]) < 1e-6,
                 qPrintable(QString::number(relativeError(grads[0], expectedGrads[0]))));
        QVERIFY2(relativeError(grads[1], expectedGrads[1]) < 1e-6,
                 qPrintable(QString::number(relativeError(grads[1], expectedGrads[1]))));
    }

    void otherTypesTakeTheCompositePath()
    {
        QVERIFY(!fusedSwigluApplies(torch::randn({4}).to(torch::kBFloat16), torch::randn({4}).to(torch::kBFloat16)));
        QVERIFY(!fusedSwigluApplies(torch::randn({4}), torch::randn({5})));
    }
};

QTEST_APPLESS_MAIN(TestFusedSwiglu)
#include "tst_fused_swiglu.moc"
