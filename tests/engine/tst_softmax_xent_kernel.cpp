#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/softmax_xent_kernel.h"

using namespace ft;

class TestSoftmaxXentKernel : public QObject {
    Q_OBJECT
private slots:
    void matchesLibTorch_data()
    {
        QTest::addColumn<int>("vocab");
        QTest::addColumn<double>("spread");
        QTest::newRow("vocab 32000") << 32000 << 4.0;
        QTest::newRow("vocab not a multiple of 16") << 517 << 4.0;
        QTest::newRow("large logits") << 1000 << 60.0;
        QTest::newRow("tiny vocabulary") << 7 << 1.0;
    }
    void matchesLibTorch()
    {
        QFETCH(int, vocab);
        QFETCH(double, spread);
        torch::manual_seed(4);
        const int64_t rows = 37;
        const torch::Tensor logits = torch::randn({rows, vocab}) * spread;
        const torch::Tensor targets = torch::randint(0, vocab, {rows}, torch::kInt64);
        // Reference: LibTorch's log-softmax in double precision.
        const torch::Tensor logProbs = torch::log_softmax(logits.to(torch::kFloat64), 1);
        const double expectedLoss = -logProbs.gather(1, targets.unsqueeze(1)).sum().item<double>();
        torch::Tensor expectedGrad = logProbs.exp();
        expectedGrad.scatter_add_(1, targets.unsqueeze(1), torch::full({rows, 1}, -1.0, torch::kFloat64));

        torch::Tensor work = logits.clone();
        const double loss =
            softmaxCrossEntropyInPlace(work.data_ptr<float>(), targets.data_ptr<int64_t>(), rows, vocab, true);
        QVERIFY2(std::abs(loss - expectedLoss) < 1e-5 * std::abs(expectedLoss),
                 qPrintable(QStringLiteral("%1 vs %2").arg(loss).arg(expectedLoss)));
        const double gradError = (work.to(torch::kFloat64) - expectedGrad).abs().max().item<double>();
        QVERIFY2(gradError < 1e-6, qPrintable(QString::number(gradError)));
        // Without the gradient the logits stay as they were.
        torch::Tensor untouched = logits.clone();
        QCOMPARE(
            softmaxCrossEntropyInPlace(untouched.data_ptr<float>(), targets.data_ptr<int64_t>(), rows, vocab, false),
            loss);
        QVERIFY(torch::equal(untouched, logits));
    }
};

QTEST_APPLESS_MAIN(TestSoftmaxXentKernel)
#include "tst_softmax_xent_kernel.moc"
