// SparseDropout: the dropped elements are an independent Bernoulli(p) draw per element, repeatable
// from the seed row by row, and the dense mask says the same.
#include <QTest>

#include <cmath>
#include <set>

#include "engine/kernels/sparse_dropout.h"
#include "engine/kernels/sparse_dropout_gaps.h"
#include "engine/kernels/splitmix64.h"

using namespace ft;

namespace {

std::vector<int64_t> droppedColumns(const SparseDropout& drop, int64_t row, int64_t cols)
{
    std::vector<int64_t> columns;
    drop.forEachDropped(row, cols, [&](int64_t j) { columns.push_back(j); });
    return columns;
}

} // namespace

class TestSparseDropout : public QObject {
    Q_OBJECT
private slots:
    void dropsTheRightShare_data()
    {
        QTest::addColumn<double>("p");
        QTest::newRow("0.05") << 0.05;
        QTest::newRow("0.1") << 0.1;
        QTest::newRow("0.25") << 0.25;
        QTest::newRow("0.6") << 0.6;
    }
    // Over 2 million elements the dropped share is p within 5 standard deviations, and so is it in
    // each column (no position in a row is favoured) and in the first column of every row.
    void dropsTheRightShare()
    {
        QFETCH(double, p);
        const int64_t rows = 8192, cols = 256;
        const torch::Tensor dropped = (SparseDropout(12345, p).denseMask(rows, cols) == 0).to(torch::kFloat64);
        const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(rows * cols));
        const double share = dropped.mean().item<double>();
        QVERIFY2(std::abs(share - p) < 5 * sigma, qPrintable(QStringLiteral("dropped %1").arg(share)));
        const double columnSigma = std::sqrt(p * (1 - p) / static_cast<double>(rows));
        const torch::Tensor perColumn = dropped.mean(0);
        const double worst = (perColumn - p).abs().max().item<double>();
        QVERIFY2(worst < 5 * columnSigma, qPrintable(QStringLiteral("a column is %1 off").arg(worst)));
        // Neighbours are independent: both of a pair dropped about p² of the time.
        const double pairs = (dropped.narrow(1, 0, cols - 1) * dropped.narrow(1, 1, cols - 1)).mean().item<double>();
        QVERIFY2(std::abs(pairs - p * p) < 5 * std::sqrt(p * p / static_cast<double>(rows * (cols - 1))),
                 qPrintable(QStringLiteral("pairs %1").arg(pairs)));
    }
    void keptElementsAreScaled()
    {
        const torch::Tensor mask = SparseDropout(3, 0.2).denseMask(64, 64);
        QVERIFY(torch::allclose(mask.masked_select(mask != 0), torch::full({}, 1.0f / 0.8f)));
        QCOMPARE(SparseDropout(3, 0.2).keep(), 1.0f / 0.8f);
    }
    // Any row can be drawn again, alone, in any order; columns come in increasing order.
    void rowsRepeatFromTheSeed()
    {
        const SparseDropout drop(99, 0.1);
        const torch::Tensor mask = drop.denseMask(50, 300);
        for (int64_t row : {49, 0, 17, 17}) {
            const std::vector<int64_t> columns = droppedColumns(drop, row, 300);
            QVERIFY(std::is_sorted(columns.begin(), columns.end()));
            QVERIFY(std::set<int64_t>(columns.begin(), columns.end()).size() == columns.size());
            const torch::Tensor zeros = (mask[row] == 0).nonzero().flatten();
            QCOMPARE(static_cast<int64_t>(columns.size()), zeros.numel());
            for (size_t k = 0; k < columns.size(); ++k)
                QCOMPARE(columns[k], zeros[static_cast<int64_t>(k)].item<int64_t>());
        }
    }
    void seedsAndRowsGiveDifferentMasks()
    {
        const torch::Tensor a = SparseDropout(1, 0.3).denseMask(16, 128);
        QVERIFY(!torch::equal(a, SparseDropout(2, 0.3).denseMask(16, 128)));
        QVERIFY(!torch::equal(a[0], a[1]));
        QVERIFY(torch::equal(a, SparseDropout(1, 0.3).denseMask(16, 128)));
    }
    // The AVX-512 draw and the portable one drop the same elements, bit for bit: forward and backward
    // must agree, and a run resumed on another processor draws the same masks.
    void instructionSetsDropTheSameElements_data() { dropsTheRightShare_data(); }
    void instructionSetsDropTheSameElements()
    {
        QFETCH(double, p);
        if (!dropoutGapsHaveAvx512())
            QSKIP("this processor has no AVX-512: only the portable draw runs here");
        const torch::Tensor best = SparseDropout(2024, p, SparseDropoutIsa::Best).denseMask(512, 700);
        const torch::Tensor portable = SparseDropout(2024, p, SparseDropoutIsa::Portable).denseMask(512, 700);
        QVERIFY(torch::equal(best, portable));
    }
    // Each gap is floor(log(u) / log(1 - p)) for the stream's u, as computed in double, but for the
    // rare u whose quotient lies within single precision's rounding of an integer; and gaps are capped.
    void gapsAreTheGeometricQuantile()
    {
        for (bool avx512 : {false, true}) {
            if (avx512 && !dropoutGapsHaveAvx512())
                continue;
            for (double p : {0.05, 0.25, 0.6}) {
                const float gapScale = static_cast<float>(1.0 / std::log1p(-p));
                int64_t differing = 0, total = 0;
                int32_t gaps[kDropoutGapBatch];
                for (uint64_t batch = 0; batch < 20000; ++batch) {
                    const uint64_t rowSeed = splitmix64(batch);
                    drawDropoutGaps(rowSeed, batch * kDropoutGapBatch, gapScale, avx512, gaps);
                    for (int k = 0; k < kDropoutGapBatch; ++k, ++total) {
                        const uint64_t hash = splitmix64(rowSeed + batch * kDropoutGapBatch + static_cast<uint64_t>(k));
                        const double u = static_cast<double>((hash >> 32) + 1) * 0x1.0p-32;
                        const double expected = std::floor(std::log(u) / std::log1p(-p));
                        QVERIFY2(std::abs(gaps[k] - expected) <= 1.0,
                                 qPrintable(QStringLiteral("gap %1 against %2").arg(gaps[k]).arg(expected)));
                        differing += gaps[k] != static_cast<int32_t>(expected);
                    }
                }
                QVERIFY2(differing * 10000 < total,
                         qPrintable(QStringLiteral("%1 of %2 gaps off by one").arg(differing).arg(total)));
            }
            // With a tiny p every gap is beyond the cap (u = 1, a gap of 0, has a chance of 2^-25).
            int32_t gaps[kDropoutGapBatch];
            drawDropoutGaps(0, 0, static_cast<float>(1.0 / std::log1p(-1e-30)), avx512, gaps);
            for (int32_t gap : gaps)
                QCOMPARE(gap, kMaxDropoutGap);
        }
    }
};

QTEST_APPLESS_MAIN(TestSparseDropout)
#include "tst_sparse_dropout.moc"
