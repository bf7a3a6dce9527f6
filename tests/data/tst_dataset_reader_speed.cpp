// The readers over 100,000 generated records (JSONL and one JSON array) and over gsm8k_alpaca.json:
// every record read, the last one whole and named by its index. Their throughput is printed for the
// record; bench_store measures reading and importing (bench/README.md). Machines here are too noisy
// for a timed test.
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include "data/dataset_format.h"
#include "dataset_test_util.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QByteArray record(int i)
{
    return QStringLiteral(
               "{\"instruction\": \"Question number %1: what is %1 plus %2?\", \"input\": \"Some context for record "
               "%1, "
               "with a little more text so that the record is of a realistic size.\", \"output\": \"The answer is %3. "
               "Adding %1 and %2 gives %3, as one can check by counting.\"}")
        .arg(i)
        .arg(i % 97)
        .arg(i + i % 97)
        .toUtf8();
}

void timeRead(const QString& path, DatasetFormat format, int expected, const char* what)
{
    QElapsedTimer timer;
    timer.start();
    const std::unique_ptr<DatasetReader> reader = openDatasetReader(path, [&] {
        ImportOptions o;
        o.format = format;
        return o;
    }());
    ImportedExample example;
    int count = 0;
    while (reader->next(&example))
        ++count;
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (count != expected)
        qFatal("%s: read %d records, expected %d", what, count, expected);
    qInfo("%s: %d records, %.1f MB in %.3f s = %.0f records/s, %.1f MB/s", what, count, reader->totalBytes() / 1e6,
          seconds, count / seconds, reader->totalBytes() / 1e6 / seconds);
}

} // namespace

class TestDatasetReaderSpeed : public QObject {
    Q_OBJECT
private slots:
    void hundredThousandRecords()
    {
        QTemporaryDir dir;
        const int n = 100000;
        QByteArray lines;
        QByteArray array = "[\n";
        for (int i = 0; i < n; ++i) {
            const QByteArray r = record(i);
            lines += r + '\n';
            array += (i ? ",\n  " : "  ") + r;
        }
        array += "\n]\n";
        const QString jsonl = test::writeBytes(dir, QStringLiteral("big.jsonl"), lines);
        const QString json = test::writeBytes(dir, QStringLiteral("big.json"), array);
        timeRead(jsonl, DatasetFormat::Alpaca, n, "100k JSONL");
        timeRead(json, DatasetFormat::Alpaca, n, "100k JSON array");
        ImportedExample last;
        {
            ImportOptions o;
            const auto reader = openDatasetReader(json, o);
            ImportedExample e;
            while (reader->next(&e))
                last = e;
        }
        QCOMPARE(last.source, json + QStringLiteral("#99999"));
        QVERIFY(last.record.instruction.startsWith(QStringLiteral("Question number 99999:")));
    }
    void gsm8k()
    {
        FT_REQUIRE_SHARED();
        timeRead(test::sharedPath(QStringLiteral("datasets/gsm8k_alpaca.json")), DatasetFormat::Alpaca, 7473,
                 "gsm8k_alpaca.json");
    }
};

QTEST_APPLESS_MAIN(TestDatasetReaderSpeed)
#include "tst_dataset_reader_speed.moc"
