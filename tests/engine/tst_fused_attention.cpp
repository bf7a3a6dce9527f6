// The fused attention kernel and its autograd function against the composite formula (in double):
// output and the gradients of q, k and v, for causal, packed, sliding-window and holed masks, grouped
// key heads, head sizes and lengths that are not multiples of the vector width, with the AVX-512 and
// the portable inner loops.
#include <QTest>

#include <torch/torch.h>

#include "engine/kernels/attention_kernel.h"
#include "engine/kernels/fused_attention.h"

using namespace ft;

namespace {

struct Case {
    int64_t batch, queries, heads, kvHeads, headDim;
    torch::Tensor allowed; // bool (B or 1, T, T)
};

torch::Tensor causal(int64_t T) { return torch::ones({T, T}, torch::kBool).tril().unsqueeze(0); }

// Two examples packed per row: a query sees earlier keys of its own example only.
torch::Tensor packed(int64_t B, int64_t T)
{
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < B; ++b) {
        const int64_t split = 5 + 7 * b;
        const torch::Tensor segment = (torch::arange(T) >= split).to(torch::kInt64);
        rows.push_back(causal(T)[0].logical_and(segment.unsqueeze(1) == segment.unsqueeze(0)));
    }
    return torch::stack(rows);
}

torch::Tensor slidingWindow(int64_t T, int64_t window)
{
    const torch::Tensor i = torch::arange(T).unsqueeze(1), j = torch::arange(T).unsqueeze(0);
    return (j <= i).logical_and(j > i - window).unsqueeze(0);
}

// Causal with random holes; the diagonal stays, so every query has a key.
torch::Tensor holed(int64_t B, int64_t T)
{
    torch::manual_seed(7);
    const torch::Tensor keep = torch::rand({B, T, T}) > 0.3;
    return causal(T).logical_and(keep).logical_or(torch::eye(T, torch::kBool).unsqueeze(0));
}

struct Inputs {
    torch::Tensor q, k, v, gradOut;
};

Inputs randomInputs(const Case& c, int64_t seed)
{
    torch::manual_seed(seed);
    return {torch::randn({c.batch, c.queries, c.heads, c.headDim}),
            torch::randn({c.batch, c.queries, c.kvHeads, c.headDim}),
            torch::randn({c.batch, c.queries, c.kvHeads, c.headDim}),
            torch::randn({c.batch, c.queries, c.heads, c.headDim})};
}

// The composite formula in double: (out, gradQ, gradK, gradV).
std::vector<torch::Tensor> reference(const Case& c, const Inputs& in, double scale)
{
    const int64_t group = c.heads / c.kvHeads;
    torch::Tensor q = in.q.to(torch::kFloat64).requires_grad_(true);
    torch::Tensor k = in.k.to(torch::kFloat64).requires_grad_(true);
    torch::Tensor v = in.v.to(torch::kFloat64).requires_grad_(true);
    const torch::Tensor qh = q.permute({0, 2, 1, 3});                             // (B, H, T, D)
    const torch::Tensor kh = k.permute({0, 2, 1, 3}).repeat_interleave(group, 1); // (B, H, S, D)
    const torch::Tensor vh = v.permute({0, 2, 1, 3}).repeat_interleave(group, 1);
    const torch::Tensor scores = torch::matmul(qh, kh.transpose(-2, -1)) * scale;
    const torch::Tensor probs = torch::softmax(scores.masked_fill(c.allowed.logical_not().unsqueeze(1), -INFINITY), -1);
    const torch::Tensor out = torch::matmul(probs, vh).permute({0, 2, 1, 3}); // (B, T, H, D)
    const auto grads = torch::autograd::grad({out}, {q, k, v}, {in.gradOut.to(torch::kFloat64)});
    return {out.detach(), grads[0], grads[1], grads[2]};
}

AttentionDims dimsOf(const Case& c)
{
    AttentionDims dims;
    dims.batch = c.batch;
    dims.queries = c.queries;
    dims.keys = c.queries;
    dims.heads = c.heads;
    dims.kvHeads = c.kvHeads;
    dims.headDim = c.headDim;
    dims.maskBatch = c.allowed.size(0);
    return dims;
}

void expectClose(const torch::Tensor& actual, const torch::Tensor& expected, const char* what)
{
    const double error = (actual.to(torch::kFloat64) - expected).abs().max().item<double>();
    const double size = expected.abs().max().item<double>();
    if (!(error <= 2e-5 * std::max(1.0, size)))
        QFAIL(
            qPrintable(QStringLiteral("%1: largest error %2 against values up to %3").arg(what).arg(error).arg(size)));
}

void addCases()
{
    QTest::addColumn<int>("which");
    QTest::newRow("causal, 2 key heads for 4, depth 20, 37 tokens") << 0;
    QTest::newRow("packed per row, depth 48") << 1;
    QTest::newRow("sliding window 9, depth 8") << 2;
    QTest::newRow("holed mask per row, depth 33") << 3;
    QTest::newRow("causal, 2 key heads for 8, depth 64, 70 tokens") << 4;
}

Case caseNumber(int which)
{
    switch (which) {
    case 0:
        return {2, 37, 4, 2, 20, causal(37)};
    case 1:
        return {3, 40, 6, 6, 48, packed(3, 40)};
    case 2:
        return {1, 50, 2, 1, 8, slidingWindow(50, 9)};
    case 3:
        return {2, 45, 3, 3, 33, holed(2, 45)};
    default:
        return {2, 70, 8, 2, 64, causal(70)};
    }
}

} // namespace

class TestFusedAttention : public QObject {
    Q_OBJECT
private slots:
    void kernelMatchesTheFormula_data() { addCases(); }
    // Both instruction sets: output, log-sum-exp and gradients.
    void kernelMatchesTheFormula()
    {
        QFETCH(int, which);
        const Case c = caseNumber(which);
        const Inputs in = randomInputs(c, 100 + which);
        const double scale = 1.0 / std::sqrt(static_cast<double>(c.headDim));
        const std::vector<torch::Tensor> expected = reference(c, in, scale);
        const AttentionDims dims = dimsOf(c);
        const torch::Tensor allowed = c.allowed.contiguous();
        for (AttentionIsa isa : {AttentionIsa::Best, AttentionIsa::Portable}) {
            torch::Tensor out = torch::empty_like(in.q), lse = torch::empty({c.batch, c.heads, c.queries});
            attentionForward(dims, in.q.data_ptr<float>(), in.k.data_ptr<float>(), in.v.data_ptr<float>(),
                             allowed.data_ptr<bool>(), static_cast<float>(scale), out.data_ptr<float>(),
                             lse.data_ptr<float>(), isa);
            expectClose(out, expected[0], isa == AttentionIsa::Best ? "out (best)" : "out (portable)");

            const torch::Tensor scores =
                torch::matmul(
                    in.q.to(torch::kFloat64).permute({0, 2, 1, 3}),
                    in.k.to(torch::kFloat64).permute({0, 2, 3, 1}).repeat_interleave(c.heads / c.kvHeads, 1)) *
                scale;
            expectClose(lse, torch::logsumexp(scores.masked_fill(allowed.logical_not().unsqueeze(1), -INFINITY), -1),
                        "lse");

            torch::Tensor gradQ = torch::full_like(in.q, 99.0f), gradK = torch::full_like(in.k, 99.0f),
                          gradV = torch::full_like(in.v, 99.0f);
            attentionBackward(dims, in.q.data_ptr<float>(), in.k.data_ptr<float>(), in.v.data_ptr<float>(),
                              allowed.data_ptr<bool>(), static_cast<float>(scale), out.data_ptr<float>(),
                              lse.data_ptr<float>(), in.gradOut.data_ptr<float>(), gradQ.data_ptr<float>(),
                              gradK.data_ptr<float>(), gradV.data_ptr<float>(), isa);
            expectClose(gradQ, expected[1], "grad q");
            expectClose(gradK, expected[2], "grad k");
            expectClose(gradV, expected[3], "grad v");
        }
    }

    void autogradFunctionMatchesTheFormula_data() { addCases(); }
    // Through autograd, with a mask shaped like the model's (B or 1, T, S).
    void autogradFunctionMatchesTheFormula()
    {
        QFETCH(int, which);
        const Case c = caseNumber(which);
        const Inputs in = randomInputs(c, 200 + which);
        const double scale = 1.0 / std::sqrt(static_cast<double>(c.headDim));
        const std::vector<torch::Tensor> expected = reference(c, in, scale);
        torch::Tensor q = in.q.clone().requires_grad_(true), k = in.k.clone().requires_grad_(true),
                      v = in.v.clone().requires_grad_(true);
        QVERIFY(fusedAttentionApplies(q, k, v));
        const torch::Tensor out = fusedAttention(q, k, v, c.allowed, scale);
        expectClose(out, expected[0], "out");
        const auto grads = torch::autograd::grad({out}, {q, k, v}, {in.gradOut});
        expectClose(grads[0], expected[1], "grad q");
        expectClose(grads[1], expected[2], "grad k");
        expectClose(grads[2], expected[3], "grad v");
    }

    // A query with no allowed key (a fully masked row) gets zeros and passes no gradient, never NaN.
    void queryWithoutKeysGivesZeros()
    {
        const int64_t T = 20;
        torch::Tensor allowed = causal(T).clone();
        allowed.index_put_({0, 6}, false); // query 6 sees nothing
        allowed.index_put_({0, 6, torch::indexing::Slice(0, 6)}, false);
        Case c{1, T, 2, 1, 16, allowed};
        const Inputs in = randomInputs(c, 5);
        torch::Tensor q = in.q.clone().requires_grad_(true), k = in.k.clone().requires_grad_(true),
                      v = in.v.clone().requires_grad_(true);
        const torch::Tensor out = fusedAttention(q, k, v, allowed, 0.25);
        QCOMPARE(out.select(1, 6).abs().max().item<float>(), 0.0f);
        const auto grads = torch::autograd::grad({out}, {q, k, v}, {in.gradOut});
        QCOMPARE(grads[0].select(1, 6).abs().max().item<float>(), 0.0f);
        for (const torch::Tensor& g : grads)
            QVERIFY(torch::isfinite(g).all().item<bool>());
        QVERIFY(torch::isfinite(out).all().item<bool>());
    }

    // Other dtypes take the composite path; misshapen inputs are refused with their shapes.
    void refusesWhatItDoesNotTake()
    {
        const torch::Tensor q = torch::randn({1, 4, 2, 8}), k = torch::randn({1, 4, 1, 8});
        QVERIFY(!fusedAttentionApplies(q.to(torch::kBFloat16), k.to(torch::kBFloat16), k.to(torch::kBFloat16)));
        QVERIFY(!fusedAttentionApplies(q.to(torch::kFloat64), k, k));
        bool refused = false;
        try {
            fusedAttention(q, torch::randn({1, 4, 3, 8}), torch::randn({1, 4, 3, 8}), causal(4), 1.0);
        } catch (const std::exception& error) {
            refused = QString::fromUtf8(error.what()).contains(QStringLiteral("[1, 4, 3, 8]"));
        }
        QVERIFY(refused);
    }
};

QTEST_APPLESS_MAIN(TestFusedAttention)
#include "tst_fused_attention.moc"
