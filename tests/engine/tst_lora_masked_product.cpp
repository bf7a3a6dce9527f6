// maskedLowRankProduct: the rank-r product of a sparsely dropped-out input equals the formula
// (x ⊙ mask) Aᵀ, in every instruction set, at the ranks with a vector kernel and at others.
#include <QTest>

#include "engine/kernels/lora_masked_product.h"

using namespace ft;

class TestLoraMaskedProduct : public QObject {
    Q_OBJECT
private slots:
    void equalsTheMaskedFormula_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("rank");
        QTest::addColumn<double>("p");
        QTest::newRow("rank 8") << 300 << 288 << 8 << 0.05;
        QTest::newRow("rank 8, odd width") << 97 << 37 << 8 << 0.1;
        QTest::newRow("rank 16") << 130 << 100 << 16 << 0.25;
        QTest::newRow("rank 32") << 64 << 77 << 32 << 0.05;
        QTest::newRow("rank 64") << 40 << 64 << 64 << 0.1;
        QTest::newRow("rank 4 (no vector kernel)") << 120 << 50 << 4 << 0.1;
        QTest::newRow("rank 12 (no vector kernel)") << 70 << 33 << 12 << 0.25;
    }
    void equalsTheMaskedFormula()
    {
        QFETCH(int, rows);
        QFETCH(int, in);
        QFETCH(int, rank);
        QFETCH(double, p);
        torch::manual_seed(rows + in + rank);
        const torch::Tensor x = torch::randn({rows, in});
        const torch::Tensor aT = torch::randn({in, rank});
        const SparseDropout drop(77, p);
        const torch::Tensor mask = drop.denseMask(rows, in).to(torch::kFloat64);
        QVERIFY((mask == 0).any().item<bool>()); // the case drops something
        const torch::Tensor expected = torch::mm(x.to(torch::kFloat64) * mask, aT.to(torch::kFloat64));
        for (MaskedProductIsa isa : {MaskedProductIsa::Best, MaskedProductIsa::Portable}) {
            const torch::Tensor t = maskedLowRankProduct(x, aT, drop, isa);
            QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{rows, rank}));
            const double error = (t.to(torch::kFloat64) - expected).abs().max().item<double>();
            QVERIFY2(error < 1e-4 * (1.0 + expected.abs().max().item<double>()),
                     qPrintable(QStringLiteral("isa %1: error %2").arg(static_cast<int>(isa)).arg(error)));
        }
    }
    // The same masked product at 1 and at 2 threads: each row is its own.
    void rowsDoNotDependOnThreads()
    {
        torch::manual_seed(5);
        const torch::Tensor x = torch::randn({257, 96});
        const torch::Tensor aT = torch::randn({96, 8});
        const SparseDropout drop(3, 0.05);
        const int threads = at::get_num_threads();
        at::set_num_threads(1);
        const torch::Tensor one = maskedLowRankProduct(x, aT, drop);
        at::set_num_threads(2);
        const torch::Tensor two = maskedLowRankProduct(x, aT, drop);
        at::set_num_threads(threads);
        QVERIFY(torch::equal(one, two));
    }
};

QTEST_APPLESS_MAIN(TestLoraMaskedProduct)
#include "tst_lora_masked_product.moc"
