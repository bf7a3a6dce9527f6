// ggml's number formats and block quantizations: fp16/bf16 rounding, Q8_0/Q4_0/Q4_K/Q6_K round trips within
// their error bounds on random and adversarial rows, and hand-computed blocks byte for byte.

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <QTest>

#include "gguf/gguf_quant.h"

using namespace ft;

namespace {

std::vector<float> gaussianRow(int64_t n, uint32_t seed, float sigma = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> row(static_cast<size_t>(n));
    for (float& v : row)
        v = normal(rng);
    return row;
}

std::vector<float> roundTrip(GgmlType type, const std::vector<float>& row)
{
    const int64_t n = static_cast<int64_t>(row.size());
    std::vector<uint8_t> bytes(static_cast<size_t>(ggmlRowBytes(type, n)));
    convertRows(type, row.data(), 1, n, bytes.data());
    std::vector<float> back(row.size());
    dequantizeRows(type, bytes.data(), 1, n, back.data());
    return back;
}

double rmsError(const std::vector<float>& a, const std::vector<float>& b)
{
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
    return std::sqrt(sum / double(a.size()));
}

double rms(const std::vector<float>& a) { return rmsError(a, std::vector<float>(a.size(), 0.0f)); }

// The error bound of a block with fp32 scale d (the codes are computed with d, decoded with fp16(d)).
double blockBound(double d, double steps, double maxCode)
{
    const double dHalf = fp16ToFp32(fp32ToFp16(static_cast<float>(d)));
    return steps * std::fabs(d) + maxCode * std::fabs(d - dHalf) + 1e-30;
}

std::vector<std::vector<float>> adversarialRows(int64_t n)
{
    std::vector<std::vector<float>> rows;
    rows.push_back(std::vector<float>(static_cast<size_t>(n), 0.0f)); // all zeros
    std::vector<float> spike = gaussianRow(n, 7, 0.01f);
    spike[5] = 1000.0f; // one huge value
    rows.push_back(spike);
    std::vector<float> negative = gaussianRow(n, 8);
    for (float& v : negative)
        v = -std::fabs(v) - 0.5f; // all negative
    rows.push_back(negative);
    std::vector<float> positive = gaussianRow(n, 9);
    for (float& v : positive)
        v = std::fabs(v) + 2.0f; // all positive, away from zero
    rows.push_back(positive);
    std::vector<float> subnormal(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        subnormal[static_cast<size_t>(i)] = (i % 3 - 1) * 1e-40f; // fp32 subnormals
    rows.push_back(subnormal);
    std::vector<float> constant(static_cast<size_t>(n), 0.25f);
    rows.push_back(constant);
    std::vector<float> tiny = gaussianRow(n, 10, 1e-6f); // below fp16's normal range
    rows.push_back(tiny);
    return rows;
}

} // namespace

class TestGgufQuant : public QObject {
    Q_OBJECT
private slots:
    void fp16RoundsToNearestEven()
    {
        // Every finite half survives a round trip; the midpoint between neighbours goes to the even one.
        for (uint32_t h = 0; h < 0x10000; ++h) {
            const uint16_t bits = static_cast<uint16_t>(h);
            if ((bits & 0x7c00) == 0x7c00)
                continue;
            const float f = fp16ToFp32(bits);
            QCOMPARE(fp32ToFp16(f), bits);
            if ((bits & 0x7fff) == 0x7bff)
                continue;
            const uint16_t next = static_cast<uint16_t>(bits + 1);
            const double mid = (double(f) + double(fp16ToFp32(next))) / 2;
            const float midF = static_cast<float>(mid);
            if (double(midF) != mid)
                continue; // not exactly representable in fp32 (never happens for halves)
            QCOMPARE(fp32ToFp16(midF), (bits & 1) ? next : bits);
            QCOMPARE(fp32ToFp16(std::nextafter(midF, 0.0f) * 1.0f), (std::fabs(midF) > std::fabs(f)) ? bits : next);
        }
        QCOMPARE(fp32ToFp16(65504.0f), uint16_t(0x7bff));
        QCOMPARE(fp32ToFp16(65519.99f), uint16_t(0x7bff));
        QCOMPARE(fp32ToFp16(65520.0f), uint16_t(0x7c00));
        QCOMPARE(fp32ToFp16(-1e30f), uint16_t(0xfc00));
        QCOMPARE(fp32ToFp16(std::numeric_limits<float>::infinity()), uint16_t(0x7c00));
        QVERIFY(std::isnan(fp16ToFp32(fp32ToFp16(std::numeric_limits<float>::quiet_NaN()))));
        QCOMPARE(fp32ToFp16(0x1p-25f), uint16_t(0));           // a tie between 0 and the smallest subnormal
        QCOMPARE(fp32ToFp16(0x1.000002p-25f), uint16_t(1));    // just above it
        QCOMPARE(fp32ToFp16(-0x1p-24f), uint16_t(0x8001));     // the smallest subnormal, negative
        QCOMPARE(fp32ToFp16(1e-40f), uint16_t(0));             // an fp32 subnormal
        QCOMPARE(fp32ToFp16(0x1.ff8p-15f), uint16_t(0x03ff)); // the largest subnormal
        QCOMPARE(fp32ToFp16(0x1.ffap-15f), uint16_t(0x03ff)); // below the midpoint to the smallest normal
        QCOMPARE(fp32ToFp16(0x1.ffcp-15f), uint16_t(0x0400)); // the midpoint: to the even code, a normal
        // Random floats go to the nearer neighbour.
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> uniform(-70000.0f, 70000.0f);
        for (int i = 0; i < 100000; ++i) {
            const float f = uniform(rng) * (i % 2 ? 1.0f : 1e-4f);
            const uint16_t h = fp32ToFp16(f);
            const double err = std::fabs(double(fp16ToFp32(h)) - double(f));
            if (std::isinf(fp16ToFp32(h))) {
                QVERIFY(std::fabs(f) >= 65520.0f);
                continue;
            }
            const double errUp = std::fabs(double(fp16ToFp32(static_cast<uint16_t>(h + 1))) - double(f));
            const double errDown = (h & 0x7fff) ? std::fabs(double(fp16ToFp32(static_cast<uint16_t>(h - 1))) - double(f)) : err;
            QVERIFY(err <= errUp && err <= errDown);
        }
    }

    void bf16MatchesGgml()
    {
        QCOMPARE(fp32ToBf16(1.0f), uint16_t(0x3f80));
        QCOMPARE(fp32ToBf16(bf16ToFp32(0x3f81)), uint16_t(0x3f81));
        // 1 + 2^-8 is halfway between 0x3f80 and 0x3f81: ties to even (0x3f80); a bit more rounds up.
        QCOMPARE(fp32ToBf16(1.00390625f), uint16_t(0x3f80));
        QCOMPARE(fp32ToBf16(std::nextafter(1.00390625f, 2.0f)), uint16_t(0x3f81));
        QCOMPARE(fp32ToBf16(1.01171875f), uint16_t(0x3f82)); // halfway between 0x3f81 and 0x3f82: to even
        QCOMPARE(fp32ToBf16(-2.5f), uint16_t(0xc020));
        QCOMPARE(fp32ToBf16(1e-40f), uint16_t(0x0001)); // subnormals kept, as today's ggml does
        uint32_t nanBits = 0x7f800001;                 // a signalling NaN becomes quiet
        float nan = 0;
        std::memcpy(&nan, &nanBits, 4);
        QCOMPARE(fp32ToBf16(nan), uint16_t(0x7fc0));
    }

    void q8_0HandComputedBlock()
    {
        // amax = 127 * 0.5 = 63.5, so d = 0.5 exactly; x/d rounds halves away from zero.
        float x[32];
        for (int j = 0; j < 32; ++j)
            x[j] = static_cast<float>(j) * 0.25f - 4.0f; // -4 .. 3.75
        x[31] = 63.5f;
        x[30] = -0.75f; // -1.5 steps: rounds to -2
        uint8_t out[34];
        quantizeRowQ8_0(x, out, 32);
        QCOMPARE(out[0] | (out[1] << 8), 0x3800); // fp16 0.5
        QCOMPARE(static_cast<int8_t>(out[2 + 0]), int8_t(-8));
        QCOMPARE(static_cast<int8_t>(out[2 + 1]), int8_t(-8)); // -3.75/0.5 = -7.5 -> -8
        QCOMPARE(static_cast<int8_t>(out[2 + 3]), int8_t(-7)); // -3.25/0.5 = -6.5 -> -7
        QCOMPARE(static_cast<int8_t>(out[2 + 16]), int8_t(0));
        QCOMPARE(static_cast<int8_t>(out[2 + 18]), int8_t(1)); // 0.5/0.5
        QCOMPARE(static_cast<int8_t>(out[2 + 30]), int8_t(-2));
        QCOMPARE(static_cast<int8_t>(out[2 + 31]), int8_t(127));
    }

    void q4_0HandComputedBlock()
    {
        // The value of largest magnitude is -16, so d = -16 / -8 = 2 and codes are min(15, trunc(x/2 + 8.5)).
        float x[32] = {};
        x[0] = -16.0f; // -8 + 8.5 = 0.5 -> 0
        x[1] = 14.0f;  // 7 + 8.5 -> 15
        x[2] = 3.0f;   // 1.5 + 8.5 = 10 -> 10
        x[3] = 2.9f;   // 1.45 + 8.5 = 9.95 -> 9
        x[16] = 15.9f; // 7.95 + 8.5 = 16.45 -> 16 -> clamped to 15
        x[17] = -1.0f; // -0.5 + 8.5 = 8
        x[31] = -3.0f; // -1.5 + 8.5 = 7
        uint8_t out[18];
        quantizeRowQ4_0(x, out, 32);
        QCOMPARE(out[0] | (out[1] << 8), 0x4000); // fp16 2.0
        QCOMPARE(int(out[2 + 0]), 0 | (15 << 4));  // x[0] low, x[16] high
        QCOMPARE(int(out[2 + 1]), 15 | (8 << 4));  // x[1] low, x[17] high
        QCOMPARE(int(out[2 + 2]), 10 | (8 << 4));  // x[18] = 0 -> 8
        QCOMPARE(int(out[2 + 3]), 9 | (8 << 4));
        QCOMPARE(int(out[2 + 15]), 8 | (7 << 4)); // x[15] = 0, x[31] = -3
        // A positive maximum gives a negative d: the sign of the scale follows the extreme value.
        float y[32] = {};
        y[7] = 8.0f;
        quantizeRowQ4_0(y, out, 32);
        QCOMPARE(out[0] | (out[1] << 8), 0xbc00); // fp16 -1.0
        QCOMPARE(int(out[2 + 7] & 0x0f), 0);      // 8 / -1 + 8.5 = 0.5 -> 0, decoded (0 - 8) * -1 = 8
        std::vector<float> back(32);
        dequantizeRowQ4_0(out, back.data(), 32);
        QCOMPARE(back[7], 8.0f);
    }

    void q4_KHandComputedBlock()
    {
        // Sub-block j holds the values 0, 1, ..., 15 (twice) times (j + 1): min 0, an exact scale of j + 1 per
        // sub-block, so the fit is exact, max_scale = 8, d = 8/63 and the 6-bit scales are round(63 (j+1) / 8).
        std::vector<float> x(256);
        for (int j = 0; j < 8; ++j)
            for (int i = 0; i < 32; ++i)
                x[static_cast<size_t>(32 * j + i)] = static_cast<float>((i % 16) * (j + 1));
        std::vector<uint8_t> out(144);
        quantizeRowQ4_K(x.data(), out.data(), 256);
        QCOMPARE(out[0] | (out[1] << 8), int(fp32ToFp16(8.0f / 63.0f)));
        QCOMPARE(out[2] | (out[3] << 8), 0); // dmin = 0
        int expectedScale[8];
        for (int j = 0; j < 8; ++j)
            expectedScale[j] = static_cast<int>(std::nearbyint(63.0f * float(j + 1) / 8.0f));
        // Scale bytes: sub-blocks 0..3 in bytes 0..3 (plus the top bits of 4..7's scales), mins (all 0) in 4..7,
        // sub-blocks 4..7's low nibbles in bytes 8..11.
        for (int j = 0; j < 4; ++j) {
            QCOMPARE(int(out[4 + j] & 63), expectedScale[j]);
            QCOMPARE(int(out[4 + j] >> 6), expectedScale[j + 4] >> 4);
            QCOMPARE(int(out[4 + 4 + j]), 0);
            QCOMPARE(int(out[4 + 8 + j]), expectedScale[j + 4] & 0x0f);
        }
        // Sub-block 0 (values 0..15): codes = round(x / (d * scale)); byte l of the first 32 holds value l (low)
        // and value 32 + l (high, from sub-block 1).
        const float d0 = fp16ToFp32(fp32ToFp16(8.0f / 63.0f)) * float(expectedScale[0]);
        const float d1 = fp16ToFp32(fp32ToFp16(8.0f / 63.0f)) * float(expectedScale[1]);
        for (int l = 0; l < 32; ++l) {
            const int low = std::min(15, static_cast<int>(std::nearbyint(x[size_t(l)] / d0)));
            const int high = std::min(15, static_cast<int>(std::nearbyint(x[size_t(32 + l)] / d1)));
            QCOMPARE(int(out[16 + l]), low | (high << 4));
        }
        std::vector<float> back(256);
        dequantizeRowQ4_K(out.data(), back.data(), 256);
        QVERIFY(rmsError(x, back) < 0.05 * rms(x));
    }

    void q6_KHandComputedBlock()
    {
        // Every sub-block of 16 is -32 .. 31 steps of 1/4 (wrapping), all sub-blocks alike: the symmetric fit is
        // exact with scale -1/4 * ... ; check the packing of codes against the documented layout instead of
        // the scale search: decode the block by hand and compare with dequantizeRowQ6_K.
        std::vector<float> x = gaussianRow(256, 3);
        std::vector<uint8_t> out(210);
        quantizeRowQ6_K(x.data(), out.data(), 256);
        const float d = fp16ToFp32(static_cast<uint16_t>(out[208] | (out[209] << 8)));
        std::vector<float> byHand(256);
        for (int i = 0; i < 256; ++i) {
            const int half = i / 128, r = i % 128, quarter = r / 32, l = r % 32;
            const uint8_t qlByte = out[size_t(64 * half + l + (quarter % 2) * 32)];
            const int low = quarter < 2 ? (qlByte & 0x0f) : (qlByte >> 4);
            const int high = (out[size_t(128 + 32 * half + l)] >> (2 * quarter)) & 3;
            const int q = (low | (high << 4)) - 32;
            const int8_t scale = static_cast<int8_t>(out[size_t(192 + i / 16)]);
            byHand[size_t(i)] = d * float(scale) * float(q);
        }
        std::vector<float> back(256);
        dequantizeRowQ6_K(out.data(), back.data(), 256);
        for (int i = 0; i < 256; ++i)
            QCOMPARE(back[size_t(i)], byHand[size_t(i)]);
        QVERIFY(rmsError(x, back) < 0.02 * rms(x));
    }

    void blockTypesRoundTripWithinBounds_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("Q8_0") << int(GgmlType::Q8_0);
        QTest::newRow("Q4_0") << int(GgmlType::Q4_0);
        QTest::newRow("Q4_K") << int(GgmlType::Q4_K);
        QTest::newRow("Q6_K") << int(GgmlType::Q6_K);
        QTest::newRow("F16") << int(GgmlType::F16);
        QTest::newRow("BF16") << int(GgmlType::BF16);
    }
    void blockTypesRoundTripWithinBounds()
    {
        QFETCH(int, type);
        const GgmlType t = static_cast<GgmlType>(type);
        const int64_t n = 1024;
        std::vector<std::vector<float>> rows = adversarialRows(n);
        for (uint32_t seed = 0; seed < 20; ++seed)
            rows.push_back(gaussianRow(n, 100 + seed, seed % 2 ? 0.02f : 3.0f));
        // Relative RMS errors that ggml's reference quantizers stay under on Gaussian rows.
        const double relative = t == GgmlType::Q8_0   ? 0.01
                                : t == GgmlType::Q4_0 ? 0.15
                                : t == GgmlType::Q4_K ? 0.12
                                : t == GgmlType::Q6_K ? 0.03
                                : t == GgmlType::F16  ? 0.001
                                                      : 0.005;
        for (size_t r = 0; r < rows.size(); ++r) {
            const std::vector<float>& row = rows[r];
            QVERIFY(checkConvertible(t, row.data(), n).isEmpty());
            const std::vector<float> back = roundTrip(t, row);
            for (float v : back)
                QVERIFY(std::isfinite(v));
            if (r == 0) { // all zeros stay exactly zero
                for (float v : back)
                    QCOMPARE(v, 0.0f);
                continue;
            }
            if (t == GgmlType::Q8_0 || t == GgmlType::Q4_0) {
                // Per block: |x - x'| <= half a step (Q8_0) or one step (Q4_0, whose top code is clamped), plus
                // the error of storing d as fp16.
                for (int64_t b = 0; b < n / 32; ++b) {
                    float amax = 0, max = 0;
                    for (int j = 0; j < 32; ++j) {
                        const float v = row[size_t(b * 32 + j)];
                        if (std::fabs(v) > amax) {
                            amax = std::fabs(v);
                            max = v;
                        }
                    }
                    const double bound = t == GgmlType::Q8_0 ? blockBound(amax / 127.0f, 0.5, 127) : blockBound(max / -8.0f, 1.0, 8);
                    for (int j = 0; j < 32; ++j) {
                        const size_t i = size_t(b * 32 + j);
                        if (std::fabs(double(row[i]) - double(back[i])) > bound * 1.0001)
                            QFAIL(qPrintable(QStringLiteral("row %1 element %2: %3 came back as %4 (bound %5)")
                                                 .arg(r).arg(i).arg(double(row[i])).arg(double(back[i])).arg(bound)));
                    }
                }
            } else if (r >= adversarialRows(n).size()) {
                QVERIFY2(rmsError(row, back) <= relative * rms(row),
                         qPrintable(QStringLiteral("row %1: rms error %2 of rms %3").arg(r).arg(rmsError(row, back)).arg(rms(row))));
            } else {
                // Adversarial rows: the error stays within a few percent of the row's largest magnitude, plus
                // what fp16 block scales can resolve: below 2^-24 (the smallest fp16 subnormal) a scale
                // underflows, in ggml as here, so rows of magnitudes near 1e-6 keep only their order of size.
                float amax = 0;
                for (float v : row)
                    amax = std::max(amax, std::fabs(v));
                const double scaleQuantum = 0x1p-24 * (t == GgmlType::Q4_K ? 63.0 * 15.0 * 2.0 : 127.0 * 32.0);
                const double tolerance = (t == GgmlType::Q4_K ? 0.1 : 0.03) * amax +
                                         (t == GgmlType::Q4_K || t == GgmlType::Q6_K ? scaleQuantum : 0.0) + 1e-30;
                for (size_t i = 0; i < row.size(); ++i)
                    if (std::fabs(double(row[i]) - double(back[i])) > tolerance)
                        QFAIL(qPrintable(QStringLiteral("row %1 element %2: %3 came back as %4")
                                             .arg(r).arg(i).arg(double(row[i])).arg(double(back[i]))));
            }
        }
    }

    void constantRowsAreExactForKQuants()
    {
        // A constant positive row: Q4_K stores it as min 0 and 15 steps of d; the error is below a step.
        std::vector<float> row(256, 0.25f);
        const std::vector<float> q4 = roundTrip(GgmlType::Q4_K, row);
        for (float v : q4)
            QVERIFY(std::fabs(v - 0.25f) < 0.01f);
        const std::vector<float> q6 = roundTrip(GgmlType::Q6_K, row);
        for (float v : q6)
            QVERIFY(std::fabs(v - 0.25f) < 0.005f);
    }

    void nonFiniteAndHugeValuesAreRefused()
    {
        std::vector<float> row(64, 1.0f);
        row[3] = std::numeric_limits<float>::quiet_NaN();
        for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K,
                           GgmlType::Q6_K})
            QVERIFY(checkConvertible(t, row.data(), 64).contains(QStringLiteral("NaN")));
        row[3] = -std::numeric_limits<float>::infinity();
        QVERIFY(checkConvertible(GgmlType::F32, row.data(), 64).contains(QStringLiteral("infinite")));
        row[3] = 70000.0f; // fine for F32, BF16, Q8_0 and Q4_0; beyond fp16
        QVERIFY(checkConvertible(GgmlType::F32, row.data(), 64).isEmpty());
        QVERIFY(checkConvertible(GgmlType::BF16, row.data(), 64).isEmpty());
        QVERIFY(checkConvertible(GgmlType::Q8_0, row.data(), 64).isEmpty());
        QVERIFY(!checkConvertible(GgmlType::F16, row.data(), 64).isEmpty());
        row[3] = 1e30f; // every block scale would overflow fp16
        for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K})
            QVERIFY(!checkConvertible(t, row.data(), 64).isEmpty());
    }

    void rowsAreIndependent()
    {
        // convertRows over several rows equals converting each row on its own.
        const std::vector<float> data = gaussianRow(3 * 512, 42);
        for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
            const int64_t rowBytes = ggmlRowBytes(t, 512);
            std::vector<uint8_t> all(size_t(3 * rowBytes));
            convertRows(t, data.data(), 3, 512, all.data());
            for (int r = 0; r < 3; ++r) {
                std::vector<uint8_t> one(static_cast<size_t>(rowBytes));
                convertRows(t, data.data() + r * 512, 1, 512, one.data());
                QVERIFY(std::memcmp(one.data(), all.data() + r * rowBytes, size_t(rowBytes)) == 0);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestGgufQuant)
#include "tst_gguf_quant.moc"
