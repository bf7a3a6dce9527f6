// The fused RMSNorm against the composite formula in double: output and the gradients of the input
// and the weight, with rows spanning several blocks of the weight gradient, and with only one of the
// two requiring a gradient (a frozen norm under LoRA, a frozen input).
#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/fused_rms_norm.h"

using namespace ft;

namespace {

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected)
{
    return (actual.to(torch::kFloat64) - expected).abs().max().item<double>() /
           std::max(1.0, expected.abs().max().item<double>());
}

} // namespace

class TestFusedRmsNorm : public QObject {
    Q_OBJECT
private slots:
    void matchesTheFormula_data()
    {
        QTest::addColumn<QList<int>>("shape");
        QTest::addColumn<bool>("inputGrad");
        QTest::addColumn<bool>("weightGrad");
        QTest::newRow("3 x 5 x 37, both") << QList<int>{3, 5, 37} << true << true;
        QTest::newRow("2 x 150 x 64 (5 blocks), both") << QList<int>{2, 150, 64} << true << true;
        QTest::newRow("frozen weight") << QList<int>{4, 33, 48} << true << false;
        QTest::newRow("frozen input") << QList<int>{4, 33, 48} << false << true;
    }
    void matchesTheFormula()
    {
        QFETCH(QList<int>, shape);
        QFETCH(bool, inputGrad);
        QFETCH(bool, weightGrad);
        const std::vector<int64_t> sizes(shape.begin(), shape.end());
        const int64_t C = sizes.back();
        const double eps = 1e-5;
        torch::manual_seed(3);
        const torch::Tensor xValues = torch::randn(sizes) * 3.0;
        const torch::Tensor wValues = torch::randn({C});
        const torch::Tensor gradY = torch::randn(sizes);

        torch::Tensor x = xValues.clone().requires_grad_(inputGrad), w = wValues.clone().requires_grad_(weightGrad);
        QVERIFY(fusedRmsNormApplies(x, w));
        const torch::Tensor y = fusedRmsNorm(x, w, eps);

        torch::Tensor x64 = xValues.to(torch::kFloat64).requires_grad_(true),
                      w64 = wValues.to(torch::kFloat64).requires_grad_(true);
        const torch::Tensor expected = w64 * (x64 * torch::rsqrt(x64.pow(2).mean(-1, true) + eps));
        const auto expectedGrads = torch::autograd::grad({expected}, {x64, w64}, {gradY.to(torch::kFloat64)});
        QVERIFY2(relativeError(y, expected) < 1e-5, "output");

        std::vector<torch::Tensor> wanted;
        if (inputGrad)
            wanted.push_back(x);
        if (weightGrad)
            wanted.push_back(w);
        const auto grads = torch::autograd::grad({y}, wanted, {gradY});
        size_t next = 0;
        if (inputGrad)
            QVERIFY2(relativeError(grads[next++], expectedGrads[0]) < 1e-5, "gradient of the input");
        if (weightGrad)
            QVERIFY2(relativeError(grads[next++], expectedGrads[1]) < 1e-5, "gradient of the weight");
    }

    // The weight gradient sums fixed blocks of rows in order: the same bits at any thread count.
    void weightGradientDoesNotDependOnThreads()
    {
        torch::manual_seed(4);
        const torch::Tensor xValues = torch::randn({600, 96}), gradY = torch::randn({600, 96});
        std::vector<torch::Tensor> results;
        const int before = torch::get_num_threads();
        for (int threads : {1, 2}) {
            torch::set_num_threads(threads);
            torch::Tensor w = torch::ones({96}).requires_grad_(true);
            results.push_back(torch::autograd::grad({fusedRmsNorm(xValues, w, 1e-6)}, {w}, {gradY})[0]);
        }
        torch::set_num_threads(before);
        QVERIFY(torch::equal(results[0], results[1]));
    }

    void otherTypesTakeTheCompositePath()
    {
        QVERIFY(!fusedRmsNormApplies(torch::randn({2, 8}).to(torch::kBFloat16), torch::ones({8}, torch::kBFloat16)));
        QVERIFY(!fusedRmsNormApplies(torch::randn({2, 8}), torch::ones({7})));
    }
};

QTEST_APPLESS_MAIN(TestFusedRmsNorm)
#include "tst_fused_rms_norm.moc"
