#include <ATen/CPUGeneratorImpl.h>
#include <QTest>

#include "engine/kernels/fast_dropout.h"

using namespace ft;

class TestFastDropout : public QObject {
    Q_OBJECT
private slots:
    void dropsTheRightShareAndScales()
    {
        torch::manual_seed(1);
        const torch::Tensor x = torch::ones({1000, 1000});
        const torch::Tensor y = fastDropout(x, 0.25, true);
        const double dropped = (y == 0).to(torch::kFloat64).mean().item<double>();
        QVERIFY2(std::abs(dropped - 0.25) < 0.005, qPrintable(QString::number(dropped)));
        // Kept values are scaled so the expectation is unchanged.
        QVERIFY(torch::allclose(y.masked_select(y != 0), torch::full({}, 1.0f / 0.75f)));
        QVERIFY(std::abs(y.mean().item<double>() - 1.0) < 0.01);
    }
    void evalModeIsIdentity()
    {
        const torch::Tensor x = torch::randn({10, 10});
        QVERIFY(torch::equal(fastDropout(x, 0.5, false), x));
    }
    void restoringTheGeneratorRepeatsTheMask()
    {
        torch::manual_seed(7);
        const torch::Tensor x = torch::randn({64, 64});
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor state = generator.get_state();
        const torch::Tensor first = fastDropout(x, 0.1, true);
        const torch::Tensor second = fastDropout(x, 0.1, true);
        QVERIFY(!torch::equal(first, second)); // a new mask each call
        generator.set_state(state);
        QVERIFY(torch::equal(fastDropout(x, 0.1, true), first));
    }
    void gradientsFollowTheMask()
    {
        const torch::Tensor x = torch::randn({32, 16}, torch::requires_grad());
        const torch::Tensor y = fastDropout(x, 0.3, true);
        y.sum().backward();
        // d y / d x is the mask itself: zero where dropped, 1 / (1 - p) where kept.
        QVERIFY(torch::equal(x.grad() == 0, y == 0));
        QVERIFY(torch::allclose(x.grad().masked_select(y != 0), torch::full({}, 1.0f / 0.7f)));
    }
};

QTEST_APPLESS_MAIN(TestFastDropout)
#include "tst_fast_dropout.moc"
