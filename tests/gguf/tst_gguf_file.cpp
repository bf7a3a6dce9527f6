// The GGUF writer and reader: a file with every metadata type and tensors of every type the writer produces is
// read back by our reader and by @huggingface/gguf (gguf-info.mjs) with the metadata and tensor list as written;
// a failed or cancelled write leaves nothing under the final name.

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_format.h"
#include "gguf/gguf_quant.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "gguf_oracle.h"

using namespace ft;

namespace {

GgufMetadata sampleMetadata()
{
    GgufMetadata m;
    m.set(QByteArrayLiteral("general.architecture"), GgufValue::string(QByteArrayLiteral("llama")));
    m.set(QByteArrayLiteral("general.name"), GgufValue::string(QStringLiteral("tést ✓")));
    m.set(QByteArrayLiteral("test.u8"), GgufValue::uint8(200));
    m.set(QByteArrayLiteral("test.i8"), GgufValue::int8(-100));
    m.set(QByteArrayLiteral("test.u16"), GgufValue::uint16(60000));
    m.set(QByteArrayLiteral("test.i16"), GgufValue::int16(-30000));
    m.set(QByteArrayLiteral("test.u32"), GgufValue::uint32(4000000000u));
    m.set(QByteArrayLiteral("test.i32"), GgufValue::int32(-2000000000));
    m.set(QByteArrayLiteral("test.u64"), GgufValue::uint64(1ull << 40));
    m.set(QByteArrayLiteral("test.i64"), GgufValue::int64(-(1ll << 40)));
    m.set(QByteArrayLiteral("test.f32"), GgufValue::float32(0.1f));
    m.set(QByteArrayLiteral("test.f64"), GgufValue::float64(0.1));
    m.set(QByteArrayLiteral("test.bool"), GgufValue::boolean(true));
    m.set(QByteArrayLiteral("test.strings"),
          GgufValue::stringArray({QByteArrayLiteral("a"), QByteArray(), QByteArrayLiteral("<0x0A>")}));
    m.set(QByteArrayLiteral("test.floats"), GgufValue::float32Array({0.5f, -1.25f, 3.0f}));
    m.set(QByteArrayLiteral("test.ints"), GgufValue::int32Array({1, -2, 3}));
    return m;
}

// Values i * 0.01 - 1 (a deterministic ramp) converted to `type`.
GgufTensorSource sampleTensor(const QString& name, std::vector<int64_t> shape, GgmlType type)
{
    GgufTensorSource tensor{name, shape, type, {}};
    tensor.produce = [shape, type](const GgufByteSink& write) {
        const int64_t rowLength = shape.back();
        const int64_t rows = shape.size() == 2 ? shape[0] : 1;
        std::vector<float> values(static_cast<size_t>(rows * rowLength));
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
        std::vector<uint8_t> bytes(static_cast<size_t>(rows * ggmlRowBytes(type, rowLength)));
        convertRows(type, values.data(), rows, rowLength, bytes.data());
        // In two pieces, as a streaming producer would.
        const int64_t half = static_cast<int64_t>(bytes.size() / 2);
        write(reinterpret_cast<const char*>(bytes.data()), half);
        write(reinterpret_cast<const char*>(bytes.data()) + half, static_cast<int64_t>(bytes.size()) - half);
    };
    return tensor;
}

std::vector<GgufTensorSource> sampleTensors()
{
    return {sampleTensor(QStringLiteral("token_embd.weight"), {3, 64}, GgmlType::F32),
            sampleTensor(QStringLiteral("blk.0.attn_norm.weight"), {7}, GgmlType::F32),
            sampleTensor(QStringLiteral("blk.0.attn_q.weight"), {5, 64}, GgmlType::F16),
            sampleTensor(QStringLiteral("blk.0.attn_k.weight"), {2, 64}, GgmlType::BF16),
            sampleTensor(QStringLiteral("blk.0.attn_v.weight"), {4, 64}, GgmlType::Q8_0),
            sampleTensor(QStringLiteral("blk.0.ffn_up.weight"), {3, 96}, GgmlType::Q4_0)};
}

} // namespace

class TestGgufFile : public QObject {
    Q_OBJECT

private slots:
    void readerReadsWhatWasWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sample.gguf"));
        const GgufMetadata metadata = sampleMetadata();
        const std::vector<GgufTensorSource> tensors = sampleTensors();
        QVERIFY(writeGguf(path, metadata, tensors));
        const GgufLayout layout = planGguf(metadata, tensors);
        QCOMPARE(static_cast<uint64_t>(QFileInfo(path).size()), layout.fileBytes);

        const GgufFileInfo info = readGgufFile(path);
        QCOMPARE(info.version, kGgufVersion);
        QCOMPARE(info.metadata.size(), metadata.size());
        for (const auto& [key, value] : metadata.entries()) {
            const GgufValue* read = info.metadata.find(key);
            QVERIFY2(read, key.constData());
            QVERIFY2(*read == value, key.constData());
        }
        QCOMPARE(info.tensors.size(), tensors.size());
        for (size_t i = 0; i < tensors.size(); ++i) {
            QCOMPARE(info.tensors[i].name, tensors[i].name);
            QCOMPARE(info.tensors[i].shape(), tensors[i].shape);
            QCOMPARE(info.tensors[i].type, tensors[i].type);
            QCOMPARE(info.tensors[i].offset, layout.offsets[i]);
            QCOMPARE(info.tensors[i].offset % kGgufDefaultAlignment, uint64_t(0));
            // The bytes are those the producer wrote.
            QByteArray expected;
            tensors[i].produce([&](const char* data, int64_t size) { expected.append(data, size); });
            QCOMPARE(readGgufTensorBytes(info, info.tensors[i]), expected);
        }
    }

    void ggufInfoReadsWhatWasWritten()
    {
        FT_REQUIRE_GGUF_ORACLE(oracle);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sample.gguf"));
        const GgufMetadata metadata = sampleMetadata();
        const std::vector<GgufTensorSource> tensors = sampleTensors();
        QVERIFY(writeGguf(path, metadata, tensors));
        QString error;
        const QJsonObject info = test::runGgufOracle(oracle, QStringLiteral("gguf-info.mjs"), {path}, &error);
        QVERIFY2(!info.isEmpty(), qPrintable(error));
        const QJsonObject read = info[QStringLiteral("metadata")].toObject();
        QCOMPARE(read[QStringLiteral("version")].toInt(), 3);
        QCOMPARE(read[QStringLiteral("tensor_count")].toInt(), static_cast<int>(tensors.size()));
        QCOMPARE(read[QStringLiteral("kv_count")].toInt(), static_cast<int>(metadata.size()));
        for (const auto& [key, value] : metadata.entries()) {
            const QString name = QString::fromUtf8(key);
            QVERIFY2(read.contains(name), qPrintable(name));
            QCOMPARE(read[name], value.toJson());
        }
        QCOMPARE(info[QStringLiteral("tensorDataOffset")].toDouble(),
                 static_cast<double>(planGguf(metadata, tensors).dataOffset));
        const QJsonArray list = info[QStringLiteral("tensors")].toArray();
        QCOMPARE(list.size(), static_cast<int>(tensors.size()));
        const GgufLayout layout = planGguf(metadata, tensors);
        for (int i = 0; i < list.size(); ++i) {
            const QJsonObject t = list[i].toObject();
            const GgufTensorSource& expected = tensors[static_cast<size_t>(i)];
            QCOMPARE(t[QStringLiteral("name")].toString(), expected.name);
            QCOMPARE(t[QStringLiteral("dtype")].toInt(), static_cast<int>(expected.type));
            QCOMPARE(t[QStringLiteral("offset")].toDouble(), static_cast<double>(layout.offsets[size_t(i)]));
            const QJsonArray shape = t[QStringLiteral("shape")].toArray(); // ggml order: innermost first
            QCOMPARE(shape.size(), static_cast<int>(expected.shape.size()));
            for (int d = 0; d < shape.size(); ++d)
                QCOMPARE(shape[d].toDouble(), static_cast<double>(expected.shape[expected.shape.size() - 1 - size_t(d)]));
        }
    }

    void cancelledWriteLeavesNoFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.gguf"));
        int calls = 0;
        const bool finished = writeGguf(path, sampleMetadata(), sampleTensors(), [&](int64_t, int64_t) {
            return ++calls < 3; // stop in the middle of the tensors
        });
        QVERIFY(!finished);
        QVERIFY(!QFile::exists(path));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void failingProducerLeavesNoFileAndKeepsTheOldOne()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.gguf"));
        {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("previous");
        }
        std::vector<GgufTensorSource> tensors = sampleTensors();
        tensors[2].produce = [](const GgufByteSink& write) {
            write("abcd", 4);
            throw Error(QStringLiteral("the weights went away"));
        };
        bool threw = false;
        try {
            writeGguf(path, sampleMetadata(), tensors);
        } catch (const Error& e) {
            threw = true;
            QVERIFY2(e.message().contains(QStringLiteral("went away")), qPrintable(e.message()));
        }
        QVERIFY(threw);
        QFile old(path);
        QVERIFY(old.open(QIODevice::ReadOnly));
        QCOMPARE(old.readAll(), QByteArrayLiteral("previous"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);

        // A producer writing too few bytes is an error too, naming the tensor.
        tensors = sampleTensors();
        tensors[1].produce = [](const GgufByteSink& write) { write("ab", 2); };
        try {
            writeGguf(dir.filePath(QStringLiteral("short.gguf")), sampleMetadata(), tensors);
            QFAIL("a short tensor was accepted");
        } catch (const Error& e) {
            QVERIFY2(e.message().contains(QStringLiteral("blk.0.attn_norm.weight")), qPrintable(e.message()));
        }
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("short.gguf"))));
    }

    void readerRefusesTruncatedAndForeignFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sample.gguf"));
        QVERIFY(writeGguf(path, sampleMetadata(), sampleTensors()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const QString cut = dir.filePath(QStringLiteral("cut.gguf"));
        // The last tensor (Q4_0, 162 bytes) is followed by 30 bytes of padding: cutting 31 loses one of its bytes.
        for (qsizetype size : {qsizetype(0), qsizetype(3), qsizetype(20), qsizetype(100), bytes.size() / 2,
                               bytes.size() - 31}) {
            QFile out(cut);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(bytes.left(size));
            out.close();
            try {
                readGgufFile(cut);
                QFAIL(qPrintable(QStringLiteral("a file cut to %1 bytes was accepted").arg(size)));
            } catch (const Error& e) {
                QVERIFY2(e.message().contains(cut), qPrintable(e.message()));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufFile)
#include "tst_gguf_file.moc"
