// The fused LoRA projection (LoraLinearFunction) against the same formula left to autograd:
// base(x) + scale · dropout(x) Aᵀ Bᵀ with fastDropout, for outputs and every gradient, over dense,
// NF4 and int8 bases.
#include <ATen/CPUGeneratorImpl.h>
#include <QTest>

#include "engine/kernels/fast_dropout.h"
#include "engine/int8_quant.h"
#include "engine/lora_linear_function.h"
#include "engine/nf4.h"
#include "engine/kernels/sparse_dropout.h"

using namespace ft;

namespace {

struct Inputs {
    torch::Tensor x, weight, bias, loraA, loraB, gradY;
};

// x (2, tokens / 2, in), W (out, in), A (r, in), B (out, r) non-zero so that every term matters.
Inputs makeInputs(bool withBias, int64_t in = 12, int64_t out = 20, int64_t rank = 4, int64_t tokens = 10)
{
    torch::manual_seed(3);
    Inputs i;
    i.x = torch::randn({2, tokens / 2, in}).requires_grad_(true);
    i.weight = torch::randn({out, in});
    if (withBias)
        i.bias = torch::randn({out});
    i.loraA = torch::randn({rank, in}).requires_grad_(true);
    i.loraB = torch::randn({out, rank}).requires_grad_(true);
    i.gradY = torch::randn({2, tokens / 2, out});
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

// The base as stored, and the dense weight it stands for.
std::pair<FrozenWeight, torch::Tensor> frozenBase(const QString& kind, const torch::Tensor& weight)
{
    if (kind == QLatin1String("nf4")) {
        const Nf4Tensor q = nf4Quantize(weight, true);
        return {FrozenWeight::nf4(q), nf4Dequantize(q)};
    }
    if (kind == QLatin1String("int8")) {
        const Int8Tensor q = int8Quantize(weight);
        return {FrozenWeight::int8(q), int8Dequantize(q)};
    }
    return {FrozenWeight::dense(weight), weight};
}

// The mask loraLinear draws next: sparse up to kLoraSparseDropoutMax, fastDropout's above.
torch::Tensor dropped(const torch::Tensor& x, double dropout)
{
    if (dropout <= 0.0 || dropout > kLoraSparseDropoutMax)
        return fastDropout(x, dropout, dropout > 0);
    const SparseDropout drop(dropoutSeed(), dropout);
    const int64_t in = x.size(-1);
    return x * drop.denseMask(x.numel() / in, in).view(x.sizes());
}

torch::Tensor reference(const Inputs& i, const torch::Tensor& weight, double scale, double dropout)
{
    const torch::Tensor h = dropped(i.x, dropout);
    return torch::linear(i.x, weight, i.bias) + scale * torch::linear(torch::linear(h, i.loraA), i.loraB);
}

void verifyClose(const torch::Tensor& actual, const torch::Tensor& expected, const char* what)
{
    const double error = (actual - expected).abs().max().item<double>();
    const double size = expected.abs().max().item<double>();
    QVERIFY2(actual.sizes() == expected.sizes(), what);
    QVERIFY2(error <= 1e-5 * std::max(1.0, size),
             qPrintable(
                 QStringLiteral("%1: max error %2 for values up to %3").arg(QLatin1String(what)).arg(error).arg(size)));
}

} // namespace

class TestLoraLinearFunction : public QObject {
    Q_OBJECT
private slots:
    void matchesAutograd_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<double>("dropout");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("features");
        QTest::addColumn<int>("tokens");
        for (const char* base : {"dense", "nf4", "int8"}) {
            const QString b = QString::fromLatin1(base);
            QTest::addRow("%s, no dropout, no bias", base) << b << 0.0 << false << 4 << 64 << 10;
            QTest::addRow("%s, no dropout, bias", base) << b << 0.0 << true << 4 << 64 << 10;
            QTest::addRow("%s, dropout 0.3, no bias", base) << b << 0.3 << false << 4 << 64 << 10;
            QTest::addRow("%s, dropout 0.3, bias", base) << b << 0.3 << true << 4 << 64 << 10;
            // Fewer tokens than weight rows (20 outputs) add the adapter's term to the product; more
            // merge it into the weight first: both, without dropout and with a sparse mask.
            QTest::addRow("%s, no dropout, 256 tokens", base) << b << 0.0 << true << 8 << 128 << 256;
            QTest::addRow("%s, dropout 0.1, 10 tokens", base) << b << 0.1 << true << 4 << 64 << 10;
            // A sparse mask (dropout 0.1), over enough tokens for several chunks of rows.
            QTest::addRow("%s, dropout 0.1, rank 8, 256 tokens", base) << b << 0.1 << false << 8 << 128 << 256;
        }
        // Sparse masks (dropout up to kLoraSparseDropoutMax): ranks and feature counts of any size,
        // the highest sparse dropout, and enough tokens for several chunks of rows (threads).
        QTest::addRow("dense, dropout 0.1, rank 6, 70 features")
            << QStringLiteral("dense") << 0.1 << true << 6 << 70 << 48;
        QTest::addRow("dense, dropout 0.25, rank 16, 33 features")
            << QStringLiteral("dense") << 0.25 << false << 16 << 33 << 40;
        QTest::addRow("dense, dropout 0.05, rank 1, 300 tokens")
            << QStringLiteral("dense") << 0.05 << false << 1 << 80 << 300;
    }
    // Same output, same input and adapter gradients; with dropout, the same mask as the reference
    // draws from the same generator state.
    void matchesAutograd()
    {
        QFETCH(QString, base);
        QFETCH(double, dropout);
        QFETCH(bool, withBias);
        QFETCH(int, rank);
        QFETCH(int, features);
        QFETCH(int, tokens);
        const Inputs i = makeInputs(withBias, features, 20, rank, tokens); // NF4: blocks of 64
        const auto [frozen, weight] = frozenBase(base, i.weight);
        const double scale = 0.75;
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor state = generator.get_state();
        const Result expected = backwardOf(reference(i, weight, scale, dropout), i);
        generator.set_state(state);
        const Result actual = backwardOf(loraLinear(i.x, frozen, i.bias, i.loraA, i.loraB, scale, dropout), i);
        verifyClose(actual.y, expected.y, "output");
        verifyClose(actual.gradX, expected.gradX, "gradient of x");
        verifyClose(actual.gradA, expected.gradA, "gradient of A");
        verifyClose(actual.gradB, expected.gradB, "gradient of B");
    }
    // The first layer's input needs no gradient (frozen embeddings): the adapters still get theirs.
    void adaptersLearnWhenTheInputNeedsNoGradient()
    {
        Inputs i = makeInputs(false, 40, 24, 8, 64);
        i.x = i.x.detach();
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor state = generator.get_state();
        const torch::Tensor expected = reference(i, i.weight, 0.5, 0.25);
        expected.backward(i.gradY);
        const torch::Tensor expectedA = i.loraA.grad().clone(), expectedB = i.loraB.grad().clone();
        i.loraA.mutable_grad().reset();
        i.loraB.mutable_grad().reset();
        generator.set_state(state);
        loraLinear(i.x, FrozenWeight::dense(i.weight), torch::Tensor(), i.loraA, i.loraB, 0.5, 0.25).backward(i.gradY);
        verifyClose(i.loraA.grad(), expectedA, "gradient of A");
        verifyClose(i.loraB.grad(), expectedB, "gradient of B");
    }
    void dropoutDropsAndDrawsANewMaskEachCall()
    {
        const Inputs i = makeInputs(false, 64, 8, 2);
        torch::NoGradGuard noGrad;
        // With W = 0 and B = I-like, the output shows how much of x reached the adapter.
        const FrozenWeight zeroWeight = FrozenWeight::dense(torch::zeros_like(i.weight));
        const torch::Tensor first = loraLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.5);
        const torch::Tensor second = loraLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.5);
        const torch::Tensor undropped = loraLinear(i.x, zeroWeight, torch::Tensor(), i.loraA, i.loraB, 1.0, 0.0);
        QVERIFY(!torch::allclose(first, second));
        QVERIFY(!torch::allclose(first, undropped));
    }
    void zeroBLeavesTheBaseExactly()
    {
        Inputs i = makeInputs(true);
        torch::NoGradGuard noGrad;
        const torch::Tensor zeroB = torch::zeros_like(i.loraB);
        QVERIFY(torch::equal(loraLinear(i.x, FrozenWeight::dense(i.weight), i.bias, i.loraA, zeroB, 2.0, 0.0),
                             torch::linear(i.x, i.weight, i.bias)));
    }
    void frozenAdaptersGetNoGradient()
    {
        Inputs i = makeInputs(false);
        const torch::Tensor a = i.loraA.detach();
        const torch::Tensor b = i.loraB.detach();
        const torch::Tensor y = loraLinear(i.x, FrozenWeight::dense(i.weight), torch::Tensor(), a, b, 1.0, 0.1);
        y.backward(i.gradY);
        QVERIFY(i.x.grad().defined());
        QVERIFY(!a.grad().defined() && !b.grad().defined());
    }
    // Backward keeps the quantized codes, never a dequantized weight.
    void savesTheQuantizedBaseOnly()
    {
        const Inputs i = makeInputs(false, 64, 20);
        const Nf4Tensor q = nf4Quantize(i.weight, true);
        for (double dropout : {0.0, 0.2}) {
            const torch::Tensor y =
                loraLinear(i.x, FrozenWeight::nf4(q), torch::Tensor(), i.loraA, i.loraB, 1.0, dropout);
            auto* node = dynamic_cast<torch::autograd::CppNode<LoraLinearFunction>*>(y.grad_fn().get());
            QVERIFY(node);
            for (const torch::Tensor& t : node->ctx_.get_saved_variables())
                QVERIFY2(!t.defined() || t.sizes() != i.weight.sizes(), "a dense (out, in) tensor was saved");
        }
    }
    void appliesOnlyToFp32OnTheCpu()
    {
        const torch::Tensor x = torch::randn({2, 4});
        const FrozenWeight w = FrozenWeight::dense(torch::randn({3, 4}));
        const torch::Tensor a = torch::randn({2, 4});
        QVERIFY(loraLinearApplies(x, w, a));
        QVERIFY(!loraLinearApplies(x.to(torch::kBFloat16), w, a));
        QVERIFY(!loraLinearApplies(x, w, a.to(torch::kBFloat16)));
    }
};

QTEST_APPLESS_MAIN(TestLoraLinearFunction)
#include "tst_lora_linear_function.moc"
