// Hostile dataset files: each gives a clear error naming the place (or is skipped and listed), and
// none crashes, hangs or takes unbounded memory.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/dataset_format.h"
#include "dataset_test_util.h"

using namespace ft;
using test::readDataset;
using test::writeBytes;

namespace {
const QByteArray kGood = R"({"instruction": "a", "input": "", "output": "b"})";
}

class TestDatasetHostile : public QObject {
    Q_OBJECT
private slots:
    void invalidUtf8NamesTheLine_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("where");
        QTest::newRow("jsonl") << int(DatasetFormat::Alpaca)
                               << kGood + "\n" + kGood + "\n{\"instruction\": \"caf\xE9\", \"output\": \"x\"}\n"
                               << QStringLiteral(":3: invalid UTF-8 at column 21 (byte 0xe9)");
        QTest::newRow("array") << int(DatasetFormat::Alpaca)
                               << "[\n" + kGood + ",\n{\"instruction\":\n \"\xC0\xAF\", \"output\": \"x\"}]"
                               << QStringLiteral("#1: line 4: invalid UTF-8");
        QTest::newRow("csv") << int(DatasetFormat::Csv) << QByteArray("instruction,output\na,b\n\"x\xFF\",y\n")
                             << QStringLiteral(":3: line 3: invalid UTF-8 at column 3");
        QTest::newRow("text") << int(DatasetFormat::PlainText) << QByteArray("ok\n\nsurrogate \xED\xA0\x80 here\n")
                              << QStringLiteral(":3: line 3: invalid UTF-8 at column 11");
    }
    void invalidUtf8NamesTheLine()
    {
        QFETCH(int, format);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, where);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("bad"), bytes);
        ImportOptions options;
        options.format = DatasetFormat(format);
        options.mapping.instruction = QStringLiteral("instruction");
        options.mapping.response = QStringLiteral("output");
        FT_EXPECT_ERROR(readDataset(path, options), path + where, QStringLiteral("save the file as UTF-8"));
    }
    void truncatedArray()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("t.json"),
                                        "[\n" + kGood + ",\n" + kGood + ",\n{\"instruction\": \"a\", \"outp");
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Alpaca), path, QStringLiteral("truncated"),
                        QStringLiteral("element #2 starting at line 4"));
        const test::ReadResult r = readDataset(path, DatasetFormat::Alpaca, /*skipBad=*/true);
        QCOMPARE(r.examples.size(), size_t(2)); // what came before is kept
        QCOMPARE(r.issues.size(), size_t(1));
        QCOMPARE(r.issues[0].location, path);
        QVERIFY(r.issues[0].reason.startsWith(QLatin1String("truncated")));
        const QString unclosed = writeBytes(dir, QStringLiteral("u.json"), "[\n" + kGood + "\n");
        FT_EXPECT_ERROR(readDataset(unclosed, DatasetFormat::Alpaca),
                        QStringLiteral("truncated: the array is not closed"));
    }
    void brokenArrayStructure_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing comma") << "[" + kGood + "\n " + kGood + "]"
                                       << QStringLiteral("expected ',' or ']' after element #0 at line 2, found '{'");
        QTest::newRow("trailing comma") << "[" + kGood + ",\n]" << QStringLiteral("trailing comma");
        QTest::newRow("data after") << "[" + kGood + "]\n[]"
                                    << QStringLiteral("unexpected data after the closing ']' at line 2");
        QTest::newRow("not an array") << QByteArray("\"just a string\"")
                                      << QStringLiteral("expected a JSON array ('[') or JSON Lines");
        QTest::newRow("empty") << QByteArray("") << QStringLiteral("the file is empty");
        QTest::newRow("only spaces") << QByteArray(" \n\r\n\t") << QStringLiteral("the file is empty");
        QTest::newRow("only a bom") << QByteArray("\xEF\xBB\xBF") << QStringLiteral("the file is empty");
    }
    void brokenArrayStructure()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("b.json"), bytes);
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Alpaca), path, expected);
    }
    void emptyFilesInEveryFormat_data()
    {
        QTest::addColumn<int>("format");
        for (const QString& name : datasetFormatNames())
            QTest::newRow(qPrintable(name)) << int(*datasetFormatFromName(name));
    }
    void emptyFilesInEveryFormat()
    {
        QFETCH(int, format);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("empty"), QByteArray());
        ImportOptions options;
        options.format = DatasetFormat(format);
        options.mapping.response = QStringLiteral("output");
        FT_EXPECT_ERROR(readDataset(path, options), path, QStringLiteral("empty"));
        FT_EXPECT_ERROR(detectDatasetFormat(path), path, QStringLiteral("empty"));
    }
    void arrayElementsThatAreNotRecords()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("m.json"),
            "[" + kGood + ", 42, \"text\", [1, 2], null, {\"instruction\": [], \"output\": \"x\"}, {bad json}, " +
                kGood + "]");
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Alpaca),
                        path + QStringLiteral("#1: line 1: expected a JSON object {...}, found a number"));
        const test::ReadResult r = readDataset(path, DatasetFormat::Alpaca, true);
        QCOMPARE(r.examples.size(), size_t(2));
        QCOMPARE(r.examples[1].source, path + QStringLiteral("#7"));
        QCOMPARE(r.issues.size(), size_t(6)); // every skipped record is listed, in order
        QCOMPARE(r.counts.skipped, 6);
        for (size_t i = 0; i < r.issues.size(); ++i)
            QCOMPARE(r.issues[i].location, path + QStringLiteral("#%1").arg(i + 1));
        QVERIFY2(r.issues[1].reason.contains(QLatin1String("found a string")), qPrintable(r.issues[1].reason));
        QVERIFY2(r.issues[2].reason.contains(QLatin1String("found an array")), qPrintable(r.issues[2].reason));
        QVERIFY2(r.issues[3].reason.contains(QLatin1String("found null")), qPrintable(r.issues[3].reason));
        QVERIFY2(r.issues[4].reason.contains(QLatin1String("field \"instruction\" must be a string, found an array")),
                 qPrintable(r.issues[4].reason));
        QVERIFY2(r.issues[5].reason.contains(QLatin1String("malformed JSON")), qPrintable(r.issues[5].reason));
    }
    // Qt's parser accepts both and would store '?' or a NUL: the record is refused and named.
    void loneSurrogatesAndRawNulAreRefused_data()
    {
        QTest::addColumn<QByteArray>("record");
        QTest::addColumn<QString>("expected");
        QTest::newRow("high alone") << QByteArray(R"({"instruction": "a\ud800b", "output": "x"})")
                                    << QStringLiteral("unpaired UTF-16 surrogate \\ud800");
        QTest::newRow("high at the end") << QByteArray(R"({"instruction": "a", "output": "x\uD83D"})")
                                         << QStringLiteral("unpaired UTF-16 surrogate \\ud83d");
        QTest::newRow("low alone") << QByteArray(R"({"instruction": "a\udc00", "output": "x"})")
                                   << QStringLiteral("unpaired UTF-16 surrogate \\udc00");
        QTest::newRow("high then high") << QByteArray(R"({"instruction": "\ud800\ud800\udc00", "output": "x"})")
                                        << QStringLiteral("unpaired UTF-16 surrogate \\ud800");
        QTest::newRow("raw nul") << QByteArray("{\"instruction\": \"a\0b\", \"output\": \"x\"}", 37)
                                 << QStringLiteral("a raw NUL byte inside a string");
    }
    void loneSurrogatesAndRawNulAreRefused()
    {
        QFETCH(QByteArray, record);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString lines = writeBytes(dir, QStringLiteral("s.jsonl"), kGood + "\n" + record + "\n");
        FT_EXPECT_ERROR(readDataset(lines, DatasetFormat::Alpaca), lines + QStringLiteral(":2: "), expected);
        const QString array = writeBytes(dir, QStringLiteral("s.json"), "[" + kGood + ",\n" + record + "]");
        FT_EXPECT_ERROR(readDataset(array, DatasetFormat::Alpaca), array + QStringLiteral("#1: line 2: "), expected);
        QCOMPARE(readDataset(array, DatasetFormat::Alpaca, true).examples.size(), size_t(1));
    }
    void pairedSurrogatesAndEscapedControlsAreKept()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("p.jsonl"),
                                        R"({"instruction": "smile \ud83d\ude00 \\ud800", "output": "a\u0001b"})");
        const test::ReadResult r = readDataset(path, DatasetFormat::Alpaca);
        QCOMPARE(r.examples.size(), size_t(1));
        QCOMPARE(r.examples[0].record.instruction, QStringLiteral("smile \U0001F600 \\ud800"));
        QCOMPARE(r.examples[0].record.response, QStringLiteral("a") + QChar(1) + QStringLiteral("b"));
    }
    void deeplyNestedJson()
    {
        QTemporaryDir dir;
        // 200,000 levels: a recursive parser would overflow the stack.
        const QByteArray deep = QByteArray(200000, '[') + QByteArray(200000, ']');
        const QString lines = writeBytes(dir, QStringLiteral("deep.jsonl"),
                                         "{\"instruction\": " + deep + ", \"output\": \"x\"}\n" + kGood + "\n");
        FT_EXPECT_ERROR(readDataset(lines, DatasetFormat::Alpaca), lines + QStringLiteral(":1: malformed JSON"));
        QCOMPARE(readDataset(lines, DatasetFormat::Alpaca, true).examples.size(), size_t(1));
        const QString array =
            writeBytes(dir, QStringLiteral("deep.json"),
                       "[" + kGood + ", {\"instruction\": " + deep + ", \"output\": \"x\"}, " + kGood + "]");
        FT_EXPECT_ERROR(readDataset(array, DatasetFormat::Alpaca),
                        array + QStringLiteral("#1: line 1: malformed JSON"));
        QCOMPARE(readDataset(array, DatasetFormat::Alpaca, true).examples.size(), size_t(2));
        const QString unbalanced =
            writeBytes(dir, QStringLiteral("unbalanced.json"), "[" + kGood + ", " + QByteArray(100000, '{'));
        FT_EXPECT_ERROR(readDataset(unbalanced, DatasetFormat::Alpaca), QStringLiteral("truncated"));
    }
    void bomAndCrlf()
    {
        QTemporaryDir dir;
        const QString lines =
            writeBytes(dir, QStringLiteral("b.jsonl"), "\xEF\xBB\xBF" + kGood + "\r\n\r\n" + kGood + "\r\n");
        const test::ReadResult l = readDataset(lines, DatasetFormat::Alpaca);
        QCOMPARE(l.examples.size(), size_t(2));
        QCOMPARE(l.examples[1].source, lines + QStringLiteral(":3"));
        const QString array =
            writeBytes(dir, QStringLiteral("b.json"), "\xEF\xBB\xBF[\r\n" + kGood + ",\r\n" + kGood + "\r\n]\r\n");
        QCOMPARE(readDataset(array, DatasetFormat::Alpaca).examples.size(), size_t(2));
        QCOMPARE(detectDatasetFormat(array).format, DatasetFormat::Alpaca);
    }
    void hugeSingleLine()
    {
        // A 50 MB line: over the record limit it is refused with the line named (and skipped when
        // asked), without being held in memory; under a raised limit it is read.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("huge.jsonl"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(kGood + "\n{\"instruction\": \"long\", \"output\": \"");
            const QByteArray block(1 << 20, 'x');
            for (int i = 0; i < 50; ++i)
                file.write(block);
            file.write("\"}\n" + kGood + "\n");
        }
        QElapsedTimer timer;
        timer.start();
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Alpaca),
                        path + QStringLiteral(":2: the line is longer than the limit"));
        const test::ReadResult skipped = readDataset(path, DatasetFormat::Alpaca, true);
        QCOMPARE(skipped.examples.size(), size_t(2));
        QCOMPARE(skipped.examples[1].source, path + QStringLiteral(":3"));
        QCOMPARE(skipped.issues.size(), size_t(1));
        QCOMPARE(skipped.issues[0].location, path + QStringLiteral(":2"));
        ImportOptions raised;
        raised.format = DatasetFormat::Alpaca;
        raised.maxRecordBytes = 64 * 1024 * 1024;
        const test::ReadResult read = readDataset(path, raised);
        QCOMPARE(read.examples.size(), size_t(3));
        QCOMPARE(read.examples[1].record.response.size(), 50 * (1 << 20));
        // The same as one element of a JSON array, and as plain text.
        const QString arrayPath = dir.filePath(QStringLiteral("huge.json"));
        {
            QFile file(arrayPath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("[" + kGood + ",\n{\"instruction\": \"long\", \"output\": \"");
            const QByteArray block(1 << 20, 'y');
            for (int i = 0; i < 50; ++i)
                file.write(block);
            file.write("\"},\n" + kGood + "]\n");
        }
        const test::ReadResult arraySkipped = readDataset(arrayPath, DatasetFormat::Alpaca, true);
        QCOMPARE(arraySkipped.examples.size(), size_t(2));
        QCOMPARE(arraySkipped.issues.size(), size_t(1));
        QCOMPARE(arraySkipped.issues[0].location, arrayPath + QStringLiteral("#1"));
        QVERIFY(arraySkipped.issues[0].reason.contains(QLatin1String("longer than the limit")));
        ImportOptions text;
        text.format = DatasetFormat::PlainText;
        text.textUnit = PlainTextUnit::Line;
        FT_EXPECT_ERROR(readDataset(path, text), path + QStringLiteral(":2: line 2 is longer than the limit"));
        qInfo("three passes over 50 MB lines took %lld ms", static_cast<long long>(timer.elapsed()));
    }
    void noNewlineAtAll()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("n.jsonl"), kGood);
        QCOMPARE(readDataset(path, DatasetFormat::Alpaca).examples.size(), size_t(1));
        const QString nul = writeBytes(dir, QStringLiteral("nul.jsonl"),
                                       QByteArray("{\"instruction\": \"a\0b\", \"output\": \"c\"}\n",
                                                  sizeof("{\"instruction\": \"a\0b\", \"output\": \"c\"}\n") - 1));
        // Qt's JSON parser lets a raw NUL through inside a string; the reader refuses it by line and column.
        FT_EXPECT_ERROR(readDataset(nul, DatasetFormat::Alpaca), nul + QStringLiteral(":1: a raw NUL byte"),
                        QStringLiteral("at column 19"));
    }
    void progressAdvancesToTheEnd()
    {
        QTemporaryDir dir;
        QByteArray bytes = "[\n";
        for (int i = 0; i < 20000; ++i)
            bytes += (i ? ",\n" : "") + kGood;
        bytes += "\n]\n";
        const QString path = writeBytes(dir, QStringLiteral("p.json"), bytes);
        ImportOptions options;
        options.format = DatasetFormat::Alpaca;
        const std::unique_ptr<DatasetReader> reader = openDatasetReader(path, options);
        QCOMPARE(reader->totalBytes(), qint64(bytes.size()));
        qint64 last = 0;
        int steps = 0;
        ImportedExample example;
        while (reader->next(&example)) {
            QVERIFY(reader->bytesRead() >= last);
            QVERIFY(reader->bytesRead() <= reader->totalBytes());
            steps += reader->bytesRead() > last ? 1 : 0;
            last = reader->bytesRead();
        }
        QVERIFY(steps > 1); // progress moves during the file, not only at the end
        QCOMPARE(reader->bytesRead(), reader->totalBytes());
        QCOMPARE(reader->counts().records, 20000);
    }
    void missingFileIsNamed()
    {
        ImportOptions options;
        for (const QString& name : datasetFormatNames()) {
            options.format = *datasetFormatFromName(name);
            options.mapping.response = QStringLiteral("x");
            FT_EXPECT_ERROR(openDatasetReader(QStringLiteral("/nonexistent/data.file"), options),
                            QStringLiteral("/nonexistent/data.file"));
        }
    }
};

QTEST_APPLESS_MAIN(TestDatasetHostile)
#include "tst_dataset_hostile.moc"
