#include <cstring>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "modelio/safetensors_file.h"
#include "modelio/safetensors_writer.h"

using namespace ft;

namespace {

// A file of: u64 header length (or `claimedLength`), the header JSON, then `dataBytes` bytes.
QString writeRaw(const QTemporaryDir& dir, const QByteArray& header, qint64 dataBytes, qint64 claimedLength = -1)
{
    const QString path = dir.filePath(QStringLiteral("t.safetensors"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    const uint64_t length =
        claimedLength >= 0 ? static_cast<uint64_t>(claimedLength) : static_cast<uint64_t>(header.size());
    char bytes[8];
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<char>(length >> (8 * i));
    file.write(bytes, 8);
    file.write(header);
    file.write(QByteArray(dataBytes, '\0'));
    return path;
}

QString openError(const QString& path)
{
    try {
        SafetensorsFile file(path);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

QByteArray floats(std::initializer_list<float> values)
{
    QByteArray bytes(static_cast<qsizetype>(values.size() * 4), Qt::Uninitialized);
    std::memcpy(bytes.data(), values.begin(), static_cast<size_t>(bytes.size()));
    return bytes;
}

} // namespace

class TestSafetensorsFile : public QObject {
    Q_OBJECT
private slots:
    void writesAndReadsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.safetensors"));
        writeSafetensors(path,
                         {{QStringLiteral("b"),
                           TensorDtype::F32,
                           {2, 2},
                           [] {
                               return floats({1, 2, 3, 4});
                           }},
                          {QStringLiteral("a"), TensorDtype::F32, {1}, [] { return floats({5}); }}},
                         {{QStringLiteral("format"), QStringLiteral("pt")}});
        SafetensorsFile file(path);
        QCOMPARE(file.entries().size(), size_t(2));
        QCOMPARE(file.metadata().at(QStringLiteral("format")), QStringLiteral("pt"));
        const SafetensorsEntry& b = file.require(QStringLiteral("b"));
        QCOMPARE(b.shape, (std::vector<int64_t>{2, 2}));
        const float* values = static_cast<const float*>(file.data(b));
        QCOMPARE(values[3], 4.0f);
        QCOMPARE(*static_cast<const float*>(file.data(file.require(QStringLiteral("a")))), 5.0f);
        // The header is padded so that the data starts 8-byte aligned.
        QFile raw(path);
        raw.open(QIODevice::ReadOnly);
        uint64_t headerLength = 0;
        raw.read(reinterpret_cast<char*>(&headerLength), 8);
        QCOMPARE(headerLength % 8, uint64_t(0));
    }
    void missingTensorIsNamed()
    {
        QTemporaryDir dir;
        const QString path = writeRaw(dir, R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
        SafetensorsFile file(path);
        try {
            file.require(QStringLiteral("model.norm.weight"));
            QFAIL("a missing tensor was found");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QLatin1String("model.norm.weight")));
            QVERIFY(error.message().contains(path));
        }
    }
    void hostileFiles_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("dataBytes");
        QTest::addColumn<qint64>("claimedLength");
        QTest::addColumn<QString>("expected");
        const QByteArray good = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
        QTest::newRow("header past end of file") << good << qint64(16) << qint64(good.size() + 100) << "truncated";
        QTest::newRow("header over 100 MB") << good << qint64(16) << qint64(200) * 1024 * 1024 << "100 MB";
        QTest::newRow("huge header length") << good << qint64(16) << qint64(0x7fffffffffffffff) << "100 MB";
        QTest::newRow("malformed json") << QByteArray(R"({"w":{"dtype":"F32",)") << qint64(16) << qint64(-1)
                                        << "malformed JSON";
        QTest::newRow("unknown dtype") << QByteArray(R"({"w":{"dtype":"F8_E9","shape":[2,2],"data_offsets":[0,16]}})")
                                       << qint64(16) << qint64(-1) << "unknown dtype";
        QTest::newRow("offsets out of range")
            << QByteArray(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})") << qint64(8) << qint64(-1)
            << "outside";
        QTest::newRow("offsets reversed") << QByteArray(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})")
                                          << qint64(8) << qint64(-1) << "outside";
        QTest::newRow("shape disagrees with offsets")
            << QByteArray(R"({"w":{"dtype":"F32","shape":[3,2],"data_offsets":[0,16]}})") << qint64(16) << qint64(-1)
            << "needs 24 bytes";
        QTest::newRow("overlapping tensors")
            << QByteArray(
                   R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})")
            << qint64(16) << qint64(-1) << "overlap";
        QTest::newRow("negative dimension") << QByteArray(R"({"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})")
                                            << qint64(16) << qint64(-1) << "non-negative";
        QTest::newRow("giant shape")
            << QByteArray(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}})")
            << qint64(16) << qint64(-1) << "larger than the whole file";
        // Found by fuzz_safetensors_header: a dimension beyond int64 (undefined to convert, under UBSan).
        QTest::newRow("dimension beyond int64")
            << QByteArray(R"({"w":{"dtype":"F32","shape":[6.4e82],"data_offsets":[0,16]}})") << qint64(16)
            << qint64(-1) << "non-negative integers";
        QTest::newRow("offset beyond uint64")
            << QByteArray(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,7.3e39]}})") << qint64(16)
            << qint64(-1) << "data_offsets must be two non-negative integers";
        QTest::newRow("entry not an object")
            << QByteArray(R"({"w":[1,2]})") << qint64(16) << qint64(-1) << "expected an object";
        QTest::newRow("not a json object") << QByteArray("[1,2,3]") << qint64(0) << qint64(-1) << "JSON object";
    }
    void hostileFiles()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, dataBytes);
        QFETCH(qint64, claimedLength);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeRaw(dir, header, dataBytes, claimedLength);
        const QString message = openError(path);
        QVERIFY2(!message.isEmpty(), "the hostile file was accepted");
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
    }
    void truncatedBelowEightBytes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("short.safetensors"));
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write("abc");
        file.close();
        QVERIFY(openError(path).contains(QLatin1String("truncated")));
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsFile)
#include "tst_safetensors_file.moc"
