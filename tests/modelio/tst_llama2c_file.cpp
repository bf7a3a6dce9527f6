#include <limits>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "modelio/llama2c_file.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QString writeHeader(const QTemporaryDir& dir, std::vector<int32_t> header, qint64 floats)
{
    const QString path = dir.filePath(QStringLiteral("m.bin"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(reinterpret_cast<const char*>(header.data()), static_cast<qint64>(header.size() * 4));
    file.write(QByteArray(floats * 4, '\0'));
    return path;
}

QString headerError(const QString& path)
{
    try {
        readLlama2cHeader(path);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

} // namespace

class TestLlama2cFile : public QObject {
    Q_OBJECT
private slots:
    void readsTheFixtureHeader()
    {
        FT_REQUIRE_SHARED();
        const Llama2cHeader header =
            readLlama2cHeader(test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin")));
        QCOMPARE(header.dim, 64);
        QCOMPARE(header.hiddenDim, 172);
        QCOMPARE(header.numLayers, 5);
        QCOMPARE(header.numHeads, 8);
        QCOMPARE(header.numKvHeads, 4);
        QCOMPARE(header.vocabSize, 512);
        QVERIFY(header.sharedClassifier);
        const ModelConfig config = llama2cModelConfig(header);
        QCOMPARE(config.kvDim(), 32);
    }
    void exactSizeIsAccepted()
    {
        QTemporaryDir dir;
        Llama2cHeader h;
        h.dim = 8;
        h.hiddenDim = 16;
        h.numLayers = 2;
        h.numHeads = 2;
        h.numKvHeads = 1;
        h.vocabSize = 10;
        h.seqLen = 4;
        const QString path = writeHeader(dir, {8, 16, 2, 2, 1, 10, 4}, llama2cExpectedFloats(h));
        QVERIFY2(headerError(path).isEmpty(), qPrintable(headerError(path)));
        // A negative vocabulary size means a separate classifier follows.
        const QString unshared = writeHeader(dir, {8, 16, 2, 2, 1, -10, 4}, llama2cExpectedFloats(h) + 80);
        QVERIFY2(headerError(unshared).isEmpty(), qPrintable(headerError(unshared)));
        QVERIFY(!readLlama2cHeader(unshared).sharedClassifier);
    }
    void hostileHeaders_data()
    {
        QTest::addColumn<QVector<int>>("header");
        QTest::addColumn<qint64>("floats");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated weights") << QVector<int>{8, 16, 2, 2, 1, 10, 4} << qint64(10) << "truncated";
        QTest::newRow("trailing data") << QVector<int>{8, 16, 2, 2, 1, 10, 4} << qint64(100000) << "trailing data";
        QTest::newRow("zero dim") << QVector<int>{0, 16, 2, 2, 1, 10, 4} << qint64(0) << "dim";
        QTest::newRow("absurd layers") << QVector<int>{8, 16, 1000000, 2, 1, 10, 4} << qint64(0) << "n_layers";
        QTest::newRow("heads not dividing") << QVector<int>{8, 16, 2, 3, 1, 10, 4} << qint64(0) << "inconsistent";
        // Found by fuzz_llama2c_header: -INT32_MIN overflowed (undefined, under UBSan).
        QTest::newRow("vocab of INT32_MIN") << QVector<int>{8, 16, 2, 2, 1, std::numeric_limits<int32_t>::min(), 4}
                                            << qint64(0) << "vocab_size = -2147483648 is not a vocabulary size";
        QTest::newRow("short header") << QVector<int>{8, 16} << qint64(0) << "truncated";
    }
    void hostileHeaders()
    {
        QFETCH(QVector<int>, header);
        QFETCH(qint64, floats);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeHeader(dir, std::vector<int32_t>(header.begin(), header.end()), floats);
        const QString message = headerError(path);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(path), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestLlama2cFile)
#include "tst_llama2c_file.moc"
