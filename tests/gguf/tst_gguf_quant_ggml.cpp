// Our quantizers against ggml's own: the reference quantizers (quantize_row_*_ref), the dequantizers and the
// fp16/bf16 row conversions are loaded from the llama.cpp build the oracles ship (@fugood/node-llama-linux-x64's
// index.node exports ggml's C symbols), and must give the same bytes as ours for the same fp32 rows, and the same
// values when dequantizing our bytes. Skips where the oracles are missing (fails under FT_REQUIRE_ORACLES=1).

#include <QDir>
#include <QLibrary>
#include <QTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gguf/gguf_format.h"
#include "gguf/gguf_quant.h"
#include "gguf_oracle.h"

using namespace ft;

namespace {

// ggml's signatures (ggml-quants.h, ggml.h); blocks are passed as the raw bytes they are.
using QuantizeRow = void (*)(const float* x, void* y, int64_t k);
using DequantizeRow = void (*)(const void* x, float* y, int64_t k);

struct GgmlRows {
    QuantizeRow quantize = nullptr;
    DequantizeRow dequantize = nullptr;
};

QLibrary& ggmlLibrary(const QString& oracleDir)
{
    static QLibrary library;
    if (!library.isLoaded()) {
        library.setFileName(
            QDir(oracleDir).filePath(QStringLiteral("node_modules/@fugood/node-llama-linux-x64/index.node")));
        // Loaded lazily (QLibrary's default): the module's N-API functions, which only node provides, are never
        // called and so never resolved.
        library.load();
    }
    return library;
}

GgmlRows ggmlRowsFor(QLibrary& library, GgmlType type)
{
    const char* quantize = nullptr;
    const char* dequantize = nullptr;
    switch (type) {
    case GgmlType::F16:
        quantize = "ggml_fp32_to_fp16_row";
        dequantize = "ggml_fp16_to_fp32_row";
        break;
    case GgmlType::BF16:
        quantize = "ggml_fp32_to_bf16_row_ref";
        break;
    case GgmlType::Q8_0:
        quantize = "quantize_row_q8_0_ref";
        dequantize = "dequantize_row_q8_0";
        break;
    case GgmlType::Q4_0:
        quantize = "quantize_row_q4_0_ref";
        dequantize = "dequantize_row_q4_0";
        break;
    case GgmlType::Q4_K:
        quantize = "quantize_row_q4_K_ref";
        dequantize = "dequantize_row_q4_K";
        break;
    case GgmlType::Q6_K:
        quantize = "quantize_row_q6_K_ref";
        dequantize = "dequantize_row_q6_K";
        break;
    default:
        break;
    }
    GgmlRows rows;
    rows.quantize = reinterpret_cast<QuantizeRow>(library.resolve(quantize));
    if (dequantize)
        rows.dequantize = reinterpret_cast<DequantizeRow>(library.resolve(dequantize));
    return rows;
}

// Rows of 512 values in the shapes weights take: gaussian of several scales, uniform, heavy outliers, all
// positive, all negative, constant, zeros with one spike, subnormal-small and near fp16's limit.
std::vector<std::vector<float>> sampleRows()
{
    constexpr int n = 512;
    std::mt19937 rng(1234);
    std::vector<std::vector<float>> rows;
    for (float sigma : {0.02f, 1.0f, 30.0f}) {
        std::normal_distribution<float> normal(0.0f, sigma);
        for (int r = 0; r < 8; ++r) {
            std::vector<float> row(n);
            for (float& v : row)
                v = normal(rng);
            rows.push_back(row);
        }
    }
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> row(n);
    for (float& v : row)
        v = uniform(rng);
    rows.push_back(row);
    for (size_t i = 0; i < row.size(); i += 37)
        row[i] *= 50.0f; // outliers
    rows.push_back(row);
    for (float& v : row)
        v = std::fabs(v) + 0.5f;
    rows.push_back(row);
    for (float& v : row)
        v = -v;
    rows.push_back(row);
    rows.push_back(std::vector<float>(n, 0.75f));
    rows.push_back(std::vector<float>(n, -3.0f));
    std::vector<float> spike(n, 0.0f);
    spike[100] = 1.0f;
    spike[300] = -2.0f;
    rows.push_back(spike);
    rows.push_back(std::vector<float>(n, 0.0f));
    for (float& v : row)
        v = uniform(rng) * 1e-6f;
    rows.push_back(row);
    for (float& v : row)
        v = uniform(rng) * 60000.0f;
    rows.push_back(row);
    return rows;
}

} // namespace

class TestGgufQuantGgml : public QObject {
    Q_OBJECT

private slots:
    void sameBytesAsGgml_data()
    {
        QTest::addColumn<int>("type");
        for (GgmlType type :
             {GgmlType::F16, GgmlType::BF16, GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K})
            QTest::newRow(qPrintable(ggmlTypeName(type))) << static_cast<int>(type);
    }

    void sameBytesAsGgml()
    {
        QFETCH(int, type);
        FT_REQUIRE_GGUF_ORACLE(oracle);
        QLibrary& library = ggmlLibrary(oracle);
        if (!library.isLoaded()) {
            if (test::oraclesRequired())
                QFAIL(qPrintable(library.errorString()));
            QSKIP(qPrintable(QStringLiteral("llama.cpp's native module did not load: ") + library.errorString()));
        }
        const GgmlType ggmlType = static_cast<GgmlType>(type);
        const GgmlRows ggml = ggmlRowsFor(library, ggmlType);
        QVERIFY2(ggml.quantize, "a ggml quantizer is not exported");

        int row = 0;
        for (const std::vector<float>& values : sampleRows()) {
            const int64_t k = static_cast<int64_t>(values.size());
            if (!checkConvertible(ggmlType, values.data(), k).isEmpty())
                continue; // beyond the type's range: refused by the exporter
            const size_t bytes = static_cast<size_t>(ggmlRowBytes(ggmlType, k));
            std::vector<uint8_t> ours(bytes), theirs(bytes);
            convertRows(ggmlType, values.data(), 1, k, ours.data());
            ggml.quantize(values.data(), theirs.data(), k);
            if (ours != theirs) {
                size_t at = 0;
                while (ours[at] == theirs[at])
                    ++at;
                QFAIL(qPrintable(QStringLiteral("row %1: byte %2 differs (ours %3, ggml %4)")
                                     .arg(row)
                                     .arg(at)
                                     .arg(ours[at])
                                     .arg(theirs[at])));
            }
            if (ggml.dequantize) {
                std::vector<float> ourValues(values.size()), theirValues(values.size());
                dequantizeRows(ggmlType, ours.data(), 1, k, ourValues.data());
                ggml.dequantize(ours.data(), theirValues.data(), k);
                QVERIFY2(std::memcmp(ourValues.data(), theirValues.data(), values.size() * sizeof(float)) == 0,
                         qPrintable(QStringLiteral("row %1: dequantized values differ").arg(row)));
            }
            ++row;
        }
        QVERIFY(row > 10);
    }
};

QTEST_GUILESS_MAIN(TestGgufQuantGgml)
#include "tst_gguf_quant_ggml.moc"
