#include <cmath>

#include <QTest>

#include "common/error.h"
#include "engine/nf4.h"

using namespace ft;

namespace {

// The reference: the index of the nearest level by exact (double) distance, the lower level on a tie.
uint8_t nearestLevel(float v)
{
    const auto levels = nf4Levels().accessor<float, 1>();
    int best = 0;
    for (int i = 1; i < 16; ++i)
        if (std::abs(static_cast<double>(v) - levels[i]) < std::abs(static_cast<double>(v) - levels[best]))
            best = i;
    return static_cast<uint8_t>(best);
}

// Every code of `q` against the brute-force reference on value / absmax (fp32 division, as quantized).
int64_t countWrongCodes(const torch::Tensor& values, const Nf4Tensor& q)
{
    const torch::Tensor flat = values.reshape({-1}).to(torch::kFloat32).contiguous();
    const torch::Tensor codes = nf4Unpack(q.codes);
    const torch::Tensor absmax = q.absmax;
    const auto v = flat.accessor<float, 1>();
    const auto c = codes.accessor<uint8_t, 1>();
    const auto a = absmax.accessor<float, 1>();
    int64_t wrong = 0;
    for (int64_t i = 0; i < flat.numel(); ++i) {
        const float scale = a[i / kNf4BlockSize];
        const float normalised = scale > 0 ? v[i] / scale : 0.0f;
        wrong += c[i] != nearestLevel(normalised);
    }
    return wrong;
}

// Half the widest gap between adjacent levels: the worst rounding error of a normalised value.
double halfLargestGap()
{
    const torch::Tensor levels = nf4Levels().to(torch::kFloat64);
    return (levels.slice(0, 1) - levels.slice(0, 0, 15)).max().item<double>() / 2.0;
}

} // namespace

class TestNf4 : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(1234); }

    void levelsAreBitsandbytesNf4()
    {
        const torch::Tensor levels = nf4Levels();
        QCOMPARE(levels.numel(), int64_t(16));
        QCOMPARE(levels[0].item<float>(), -1.0f);
        QCOMPARE(levels[7].item<float>(), 0.0f);
        QCOMPARE(levels[15].item<float>(), 1.0f);
        QCOMPARE(levels[8].item<float>(), 0.07958029955625534f);
        QCOMPARE(levels[1].item<float>(), -0.6961928009986877f);
        QVERIFY(torch::all(levels.slice(0, 1) > levels.slice(0, 0, 15)).item<bool>());
    }

    void codesAreNearestLevelOnRandomData()
    {
        // Normal, heavy-tailed and uniform values, an all-zero block, and a length that is not a
        // multiple of 64 (the padding must not disturb the last block).
        const torch::Tensor normal = torch::randn({37, 64});
        const torch::Tensor heavy = torch::randn({20, 64}).pow(3) * 5;
        const torch::Tensor uniform = torch::rand({1000}) * 2 - 1;
        const torch::Tensor zeros = torch::zeros({64});
        const torch::Tensor values = torch::cat({normal.flatten(), heavy.flatten(), uniform, zeros}); // 5416 values
        QVERIFY(values.numel() % kNf4BlockSize != 0);
        const Nf4Tensor q = nf4Quantize(values, /*doubleQuant=*/false);
        QCOMPARE(countWrongCodes(values, q), int64_t(0));
    }

    void tableLookupMatchesTheExactRule()
    {
        // nf4Quantize looks codes up in a grid and bucketizes only near thresholds; on a million values
        // (normal, uniform, values crowded around every threshold) it must agree with nf4Encode.
        // Blocks whose first value is 1 (so absmax is 1) and whose others sit on or within ~1e-4 of a
        // threshold.
        const torch::Tensor pick = torch::randint(0, 15, {4096, 63}, torch::kInt64);
        const torch::Tensor offsets = torch::randn({4096, 63}) * 1e-4 * (torch::rand({4096, 63}) > 0.2);
        const torch::Tensor near = nf4Thresholds().index_select(0, pick.view({-1})).view({4096, 63}) + offsets;
        const torch::Tensor nearBlocks = torch::cat({torch::ones({4096, 1}), near}, 1).view({-1});
        const torch::Tensor values = torch::cat(
            {nearBlocks, torch::randn({1 << 19}), torch::rand({1 << 18}) * 2 - 1, torch::tensor({-1.0f, 1.0f})});
        const torch::Tensor padded = torch::constant_pad_nd(values, {0, (64 - values.numel() % 64) % 64}, 0);
        const torch::Tensor blocks = padded.view({-1, kNf4BlockSize});
        torch::Tensor absmax = blocks.abs().amax(1);
        absmax = torch::where(absmax > 0, absmax, torch::ones_like(absmax));
        const torch::Tensor expected = nf4Encode(blocks / absmax.unsqueeze(1)).view({-1});
        const Nf4Tensor q = nf4Quantize(values, false);
        QVERIFY(torch::equal(nf4Unpack(q.codes), expected));
    }

    void exactLevelsAndTies()
    {
        // One block with absmax 1: every level exactly, every decision threshold (a tie when the midpoint
        // is representable, else just below it) and the next float above each threshold.
        const torch::Tensor levels = nf4Levels();
        const torch::Tensor thresholds = nf4Thresholds();
        std::vector<float> block(levels.data_ptr<float>(), levels.data_ptr<float>() + 16);
        for (int i = 0; i < 15; ++i) {
            const float t = thresholds[i].item<float>();
            block.push_back(t);
            block.push_back(std::nextafter(t, 2.0f));
        }
        block.push_back(0.0f);
        block.push_back(-0.0f);
        block.push_back(0.5f * (0.0f + 0.07958029955625534f)); // exactly halfway in fp32: a true tie -> level 7
        const torch::Tensor values = torch::tensor(block);     // 49 values, absmax 1
        const Nf4Tensor q = nf4Quantize(values, false);
        QCOMPARE(countWrongCodes(values, q), int64_t(0));
        const torch::Tensor codes = nf4Unpack(q.codes).slice(0, 0, values.numel());
        for (int i = 0; i < 16; ++i)
            QCOMPARE(int(codes[i].item<uint8_t>()), i); // exact levels keep their code
        for (int i = 0; i < 15; ++i) {
            QCOMPARE(int(codes[16 + 2 * i].item<uint8_t>()), i);         // on/below a threshold: lower level
            QCOMPARE(int(codes[16 + 2 * i + 1].item<uint8_t>()), i + 1); // just above: upper level
        }
        QCOMPARE(int(codes[48].item<uint8_t>()), 7);
        // The thresholds are the midpoints rounded down: at most one ulp below, never above.
        for (int i = 0; i < 15; ++i) {
            const double mid = (double(levels[i].item<float>()) + double(levels[i + 1].item<float>())) / 2;
            const float t = thresholds[i].item<float>();
            QVERIFY(double(t) <= mid && double(std::nextafter(t, 2.0f)) > mid);
        }
    }

    void packingOrderIsHighNibbleFirst()
    {
        // Codes 0 (-1.0), 15 (1.0), 7 (0.0), 8 and then level 3, 12: bytes 0x0F, 0x78, 0x3C.
        std::vector<float> v(64, 0.0f);
        v[0] = -1.0f;
        v[1] = 1.0f;
        v[2] = 0.0f;
        v[3] = 0.07958029955625534f;
        v[4] = -0.39491748809814453f;
        v[5] = 0.44070982933044434f;
        const Nf4Tensor q = nf4Quantize(torch::tensor(v), false);
        QCOMPARE(q.codes.numel(), int64_t(32));
        QCOMPARE(int(q.codes[0].item<uint8_t>()), 0x0F);
        QCOMPARE(int(q.codes[1].item<uint8_t>()), 0x78);
        QCOMPARE(int(q.codes[2].item<uint8_t>()), 0x3C);
        QCOMPARE(int(q.codes[3].item<uint8_t>()), 0x77); // two zeros
        // Pack and unpack are inverse.
        const torch::Tensor codes = torch::randint(0, 16, {128}, torch::kUInt8);
        QVERIFY(torch::equal(nf4Unpack(nf4Pack(codes)), codes));
    }

    void roundTripWithinHalfGapTimesAbsmax()
    {
        // |w - dequant(w)| <= (largest gap between adjacent levels) / 2 * absmax of the block.
        const torch::Tensor w = torch::randn({256, 512});
        for (bool dq : {false, true}) {
            const Nf4Tensor q = nf4Quantize(w, dq);
            const torch::Tensor back = nf4Dequantize(q);
            QCOMPARE(back.sizes(), w.sizes());
            const torch::Tensor error = (back - w).abs().view({-1, kNf4BlockSize}).amax(1); // (blocks)
            const torch::Tensor absmax = w.abs().view({-1, kNf4BlockSize}).amax(1);
            // With double quantization the block scale itself is off by up to 1% (tested below), which
            // moves a value of level |l| <= 1 by at most 1% of absmax more.
            const double bound = halfLargestGap() + (dq ? 0.01 : 1e-6);
            const double worst = (error / (absmax * bound)).max().item<double>();
            QVERIFY2(worst <= 1.0,
                     qPrintable(QStringLiteral("error / bound = %1 (double quant %2)").arg(worst).arg(dq)));
            const double meanError = (back - w).abs().mean().item<double>();
            qInfo("NF4 round trip of normal(0,1) 256x512, double quant %d: max abs error %.4f, mean abs error %.4f, "
                  "bound factor %.4f",
                  int(dq), (back - w).abs().max().item<double>(), meanError, halfLargestGap());
            QVERIFY(meanError < 0.1); // ~0.07 for NF4 on normal data; a broken code table gives far more
        }
    }

    void shapesDtypesAndPadding()
    {
        const torch::Tensor w = torch::randn({3, 50}).to(torch::kBFloat16); // 150 values: 3 blocks, last padded
        const Nf4Tensor q = nf4Quantize(w, true);
        QCOMPARE(q.codes.numel(), int64_t(3 * 32));
        QCOMPARE(q.scales.codes.numel(), int64_t(3));
        const torch::Tensor back = nf4Dequantize(q, torch::kBFloat16);
        QCOMPARE(back.scalar_type(), torch::kBFloat16);
        QCOMPARE(back.sizes(), w.sizes());
        QVERIFY(torch::allclose(back.to(torch::kFloat32), w.to(torch::kFloat32), 0, 0.5));
        // An all-zero tensor survives without NaN.
        const torch::Tensor zero = nf4Dequantize(nf4Quantize(torch::zeros({2, 64}), true));
        QVERIFY(torch::equal(zero, torch::zeros({2, 64})));
    }

    void nonFiniteInputIsRefused()
    {
        torch::Tensor w = torch::randn({4, 64});
        w[2][5] = NAN;
        QVERIFY_THROWS_EXCEPTION(Error, nf4Quantize(w, true));
        w[2][5] = INFINITY;
        QVERIFY_THROWS_EXCEPTION(Error, nf4Quantize(w, false));
        QVERIFY_THROWS_EXCEPTION(Error, nf4Quantize(torch::ones({4, 64}, torch::kInt32), false));
    }

    void doubleQuantizedScalesWithinOnePercent()
    {
        const torch::Tensor w = torch::randn({1024, 1024}); // 16384 blocks, 64 scale blocks
        const Nf4Tensor plain = nf4Quantize(w, false);
        const Nf4Tensor dq = nf4Quantize(w, true);
        const torch::Tensor original = plain.absmax;
        const torch::Tensor restored = nf4BlockScales(dq);
        const double relative = ((restored - original).abs() / original).max().item<double>();
        qInfo("double-quantized block scales: max relative error %.5f", relative);
        QVERIFY2(relative < 0.01, qPrintable(QString::number(relative)));
        // Codes are identical: double quantization changes only the scales.
        QVERIFY(torch::equal(plain.codes, dq.codes));
        // The scheme itself: step per 256 scales, int8 codes within [-127, 127], offset the mean.
        QCOMPARE(dq.scales.steps.numel(), int64_t(64));
        QVERIFY(dq.scales.codes.abs().max().item<int>() <= 127);
        QVERIFY(std::abs(dq.scales.offset.item<float>() - original.mean().item<float>()) < 1e-5);
    }

    void storageBitsPerParameter()
    {
        const torch::Tensor w = torch::randn({1024, 1024});
        const double n = static_cast<double>(w.numel());
        const Nf4Tensor plain = nf4Quantize(w, false);
        const Nf4Tensor dq = nf4Quantize(w, true);
        QCOMPARE(plain.storageBytes(), nf4StorageBytes(w.numel(), false));
        QCOMPARE(dq.storageBytes(), nf4StorageBytes(w.numel(), true));
        const double plainBits = plain.storageBytes() * 8 / n;
        const double dqBits = dq.storageBytes() * 8 / n;
        qInfo("NF4 storage: %.4f bits/param with fp32 scales, %.4f with double quantization", plainBits, dqBits);
        QCOMPARE(plainBits, 4.5);
        QVERIFY(std::abs(dqBits - (4.0 + 8.0 / 64 + 32.0 / (64 * 256))) < 1e-4); // 4.127
        // A 7B-sized projection (4096 x 11008) as the formula gives it.
        QVERIFY(std::abs(nf4StorageBytes(4096LL * 11008, true) * 8.0 / (4096.0 * 11008) - 4.127) < 1e-3);
    }

    void quantizeIntoEmptyBuffersHasSameSizes()
    {
        const Nf4Tensor empty = nf4Empty({96, 64}, true);
        const Nf4Tensor q = nf4Quantize(torch::randn({96, 64}), true);
        QCOMPARE(empty.codes.sizes(), q.codes.sizes());
        QCOMPARE(empty.scales.codes.sizes(), q.scales.codes.sizes());
        QCOMPARE(empty.scales.steps.sizes(), q.scales.steps.sizes());
        QCOMPARE(empty.scales.offset.sizes(), q.scales.offset.sizes());
        QCOMPARE(empty.scales.codes.scalar_type(), q.scales.codes.scalar_type());
    }
};

QTEST_APPLESS_MAIN(TestNf4)
#include "tst_nf4.moc"
