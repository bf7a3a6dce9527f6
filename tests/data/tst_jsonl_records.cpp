#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/jsonl_records.h"

using namespace ft;

namespace {
QString write(const QTemporaryDir& dir, const QByteArray& bytes)
{
    const QString path = dir.filePath(QStringLiteral("data.jsonl"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(bytes);
    return path;
}
} // namespace

class TestJsonlRecords : public QObject {
    Q_OBJECT
private slots:
    void readsWithBomCrlfAndBlankLines()
    {
        QTemporaryDir dir;
        const QString path = write(
            dir,
            "\xEF\xBB\xBF{\"instruction\":\"a\",\"response\":\"b\"}\r\n\r\n{\"instruction\":\"c\",\"response\":\"d\"}");
        const auto records = readJsonlRecords(path);
        QCOMPARE(records.size(), size_t(2));
        QCOMPARE(records[0].record.response, QStringLiteral("b"));
        QCOMPARE(records[1].line, 3);
    }
    void malformedLineIsNamed()
    {
        QTemporaryDir dir;
        const QString path = write(dir, "{\"instruction\":\"a\",\"response\":\"b\"}\n{\"instruction\": \"oops\n");
        try {
            readJsonlRecords(path);
            QFAIL("malformed JSONL accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(path + QStringLiteral(":2")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QLatin1String("malformed JSON")), qPrintable(error.message()));
        }
    }
    void writeIsAtomicAndHashed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.jsonl"));
        ExampleRecord record;
        record.instruction = QStringLiteral("Ünïcödé ✓");
        record.response = QStringLiteral("line one\nline two");
        const QString sha = writeJsonlRecords(path, {record, record});
        QCOMPARE(sha, fileSha256(path));
        QCOMPARE(sha.size(), 64);
        const auto back = readJsonlRecords(path);
        QCOMPARE(back.size(), size_t(2));
        QCOMPARE(back[1].record.instruction, record.instruction);
        QCOMPARE(back[1].record.response, record.response);
    }
    void missingFileIsNamed()
    {
        try {
            readJsonlRecords(QStringLiteral("/nonexistent/train.jsonl"));
            QFAIL("missing file accepted");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QLatin1String("/nonexistent/train.jsonl")));
        }
    }
};

QTEST_APPLESS_MAIN(TestJsonlRecords)
#include "tst_jsonl_records.moc"
