// The bf16 attention softmax (kernels/narrow_softmax.h): its output is exactly the float32 softmax
// rounded to bf16, its gradient follows the double-precision formula within bf16's rounding, masked
// keys (-inf) get neither probability nor gradient, and it keeps one bf16 tensor for the backward.
#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/narrow_softmax.h"

using namespace ft;

namespace {

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected)
{
    return (actual.to(torch::kFloat64) - expected).abs().max().item<double>() /
           std::max(1e-30, expected.abs().max().item<double>());
}

// Attention-like scores (batch, heads, queries, keys) with a causal mask of -inf above the diagonal.
torch::Tensor causalScores(int64_t heads, int64_t length, double spread)
{
    torch::Tensor scores = torch::randn({1, heads, length, length}, torch::kFloat64) * spread;
    const torch::Tensor future = torch::ones({length, length}, torch::kBool).triu(1);
    return scores.masked_fill(future, -INFINITY);
}

} // namespace

class TestNarrowSoftmax : public QObject {
    Q_OBJECT
private slots:
    // Against LibTorch's float32 softmax rounded to bf16: every probability within one bf16 step and
    // nearly all identical (the exponentials differ in their last float bits); masked keys exactly 0.
    // 512 keys fill whole AVX-512 vectors (where the processor has them); 67 ends in a tail.
    void theOutputIsTheFloat32SoftmaxRounded()
    {
        torch::manual_seed(3);
        for (const int64_t length : {int64_t(67), int64_t(512)}) {
            const torch::Tensor scores = causalScores(4, length, 3.0).to(torch::kBFloat16);
            const torch::Tensor probs = narrowSoftmax(scores);
            QCOMPARE(probs.scalar_type(), torch::kBFloat16);
            const torch::Tensor expected = torch::softmax(scores.to(torch::kFloat32), -1).to(torch::kBFloat16);
            const double identical = probs.eq(expected).to(torch::kFloat64).mean().item<double>();
            const torch::Tensor step = expected.to(torch::kFloat32).abs() * std::ldexp(1.0, -7) + 1e-30;
            const torch::Tensor apart = (probs.to(torch::kFloat32) - expected.to(torch::kFloat32)).abs();
            QVERIFY2(identical > 0.99, qPrintable(QStringLiteral("%1 keys: %2").arg(length).arg(identical)));
            QVERIFY(apart.le(step).all().item<bool>());
            QVERIFY(probs.triu(1).eq(0).all().item<bool>()); // masked keys: probability 0
        }
        // A row with no allowed key is NaN, as torch::softmax makes it; so is a row with a NaN or an
        // infinite score anywhere (in a full vector or in the tail), whatever the instruction set.
        const torch::Tensor none = torch::full({2, 32}, -INFINITY).to(torch::kBFloat16);
        QVERIFY(torch::isnan(narrowSoftmax(none)).all().item<bool>());
        for (const int64_t at : {int64_t(3), int64_t(20), int64_t(33)})
            for (const float bad : {NAN, INFINITY}) {
                torch::Tensor row = torch::randn({1, 35});
                row[0][at] = bad;
                const torch::Tensor probs = narrowSoftmax(row.to(torch::kBFloat16));
                QVERIFY2(torch::isnan(probs).all().item<bool>(),
                         qPrintable(QStringLiteral("%1 at %2").arg(bad).arg(at)));
            }
    }

    void theGradientFollowsTheFormula()
    {
        torch::manual_seed(4);
        for (const double spread : {0.5, 3.0, 12.0}) { // flat, typical and nearly one-hot rows
            const torch::Tensor scores64 = causalScores(4, 67, spread);
            const torch::Tensor gradProbs64 = torch::randn(scores64.sizes(), torch::kFloat64);
            torch::Tensor scores = scores64.to(torch::kBFloat16).requires_grad_(true);
            const torch::Tensor probs = narrowSoftmax(scores);
            const torch::Tensor grad = torch::autograd::grad({probs}, {scores}, {gradProbs64.to(torch::kBFloat16)})[0];
            QCOMPARE(grad.scalar_type(), torch::kBFloat16);

            // The reference: double precision from the same bf16 inputs.
            torch::Tensor reference = scores.detach().to(torch::kFloat64).requires_grad_(true);
            const torch::Tensor referenceGrad =
                torch::autograd::grad({torch::softmax(reference, -1)}, {reference},
                                      {gradProbs64.to(torch::kBFloat16).to(torch::kFloat64)})[0];
            const double error = relativeError(grad, referenceGrad);
            // bf16 keeps 8 significant bits: the saved probabilities and the result are each rounded once
            // (measured 3.6e-3 to 5.5e-3; LibTorch's own bf16 softmax backward reaches 1.3e-2 here).
            qInfo("spread %g: largest error %.2e of the largest gradient", spread, error);
            QVERIFY2(error < 1e-2, qPrintable(QStringLiteral("spread %1: %2").arg(spread).arg(error)));
            QVERIFY(grad.triu(1).eq(0).all().item<bool>()); // no gradient reaches a masked key
            QVERIFY(torch::isfinite(grad).all().item<bool>());
        }
    }

    // Rounded to the nearest bf16 like LibTorch's conversion: against the float32 formula rounded by
    // LibTorch, every element within one bf16 step and nearly all identical (the row sums may differ
    // in their last float bit, having been added in another order). Long rows, with a tail.
    void roundsLikeLibTorch()
    {
        torch::manual_seed(6);
        const torch::Tensor scores = (torch::randn({3, 8, 4101}) * 2.0).to(torch::kBFloat16).requires_grad_(true);
        const torch::Tensor gradProbs = torch::randn({3, 8, 4101}).to(torch::kBFloat16);
        const torch::Tensor probs = narrowSoftmax(scores);
        const torch::Tensor grad = torch::autograd::grad({probs}, {scores}, {gradProbs})[0];
        const torch::Tensor p = probs.detach().to(torch::kFloat32), g = gradProbs.to(torch::kFloat32);
        const torch::Tensor expected = (p * (g - (g * p).sum(-1, true))).to(torch::kBFloat16);
        const torch::Tensor same = grad.eq(expected);
        const double identical = same.to(torch::kFloat64).mean().item<double>();
        const torch::Tensor step = expected.to(torch::kFloat32).abs() * std::ldexp(1.0, -7) + 1e-30;
        const torch::Tensor apart = (grad.to(torch::kFloat32) - expected.to(torch::kFloat32)).abs();
        QVERIFY2(identical > 0.99, qPrintable(QString::number(identical)));
        QVERIFY(apart.le(step).all().item<bool>());
    }

    // The autograd node keeps the output only (its storage is the probabilities the product with V
    // keeps), not a float32 copy.
    void keepsOnlyTheNarrowProbabilities()
    {
        torch::Tensor scores = causalScores(2, 16, 1.0).to(torch::kBFloat16).requires_grad_(true);
        const torch::Tensor probs = narrowSoftmax(scores);
        const auto node = probs.grad_fn();
        QVERIFY(node);
        // The composite would hang ToCopyBackward over SoftmaxBackward (which keeps float32); here one node.
        QVERIFY2(QString::fromStdString(node->name()).contains(QLatin1String("NarrowSoftmax")), node->name().c_str());
        QCOMPARE(node->next_edges().size(), size_t(1)); // straight to the scores' accumulator
        QCOMPARE(QString::fromStdString(node->next_edges()[0].function->name()),
                 QStringLiteral("torch::autograd::AccumulateGrad"));
    }

    void float32TakesTheUsualSoftmax()
    {
        const torch::Tensor scores = torch::randn({3, 9});
        QVERIFY(torch::equal(narrowSoftmax(scores), torch::softmax(scores, -1)));
    }
};

QTEST_APPLESS_MAIN(TestNarrowSoftmax)
#include "tst_narrow_softmax.moc"
