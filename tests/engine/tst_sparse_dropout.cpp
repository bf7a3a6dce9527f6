// SparseDropout: the dropped elements are an independent Bernoulli(p) draw per element, repeatable
// from the seed row by row, and the dense mask says the same.
#include <QTest>

#include <set>

#include "engine/sparse_dropout.h"

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
};

QTEST_APPLESS_MAIN(TestSparseDropout)
#include "tst_sparse_dropout.moc"
