// Importing files into the workspace: the real datasets in ../shared/datasets with the right counts and
// content, all-or-nothing on a bad record, skipping (and listing) bad records when asked, progress
// and cancelling.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_import.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store_test_support.h"
#include "support/test_support.h"

using namespace ft;

namespace {

QString writeFile(const QString& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = QDir(dir).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

// Five Alpaca JSONL records; the third has a number where text belongs.
QByteArray fileWithBadRecord()
{
    return "{\"instruction\": \"one\", \"input\": \"\", \"output\": \"1\"}\n"
           "{\"instruction\": \"two\", \"input\": \"\", \"output\": \"2\"}\n"
           "{\"instruction\": 3, \"input\": \"\", \"output\": \"3\"}\n"
           "{\"instruction\": \"four\", \"input\": \"\", \"output\": \"4\"}\n"
           "{\"instruction\": \"five\", \"input\": \"\", \"output\": \"5\"}\n";
}

ImportOptions alpaca(bool skipBad = false)
{
    ImportOptions options;
    options.format = DatasetFormat::Alpaca;
    options.skipBadRecords = skipBad;
    return options;
}

DatasetImportTarget newDataset(const QString& name)
{
    DatasetImportTarget target;
    target.newName = name;
    return target;
}

} // namespace

class TestDatasetImport : public QObject {
    Q_OBJECT
private slots:
    void sharedDatasets_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("count");
        QTest::newRow("alpaca_en_demo") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Alpaca) << 999;
        QTest::newRow("gsm8k_alpaca") << QStringLiteral("gsm8k_alpaca.json") << int(DatasetFormat::Alpaca) << 7473;
        QTest::newRow("glaive_toolcall_sharegpt")
            << QStringLiteral("glaive_toolcall_sharegpt.json") << int(DatasetFormat::ShareGpt) << 300;
        QTest::newRow("chat_tiny_sharegpt")
            << QStringLiteral("chat_tiny_sharegpt.json") << int(DatasetFormat::ShareGpt) << 1;
    }
    void sharedDatasets()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(int, format);
        QFETCH(int, count);
        const QString path = test::sharedPath(QStringLiteral("datasets/") + file);
        test::TempDatabase temp;
        ImportOptions options;
        options.format = static_cast<DatasetFormat>(format);
        int64_t lastDone = -1;
        int64_t total = 0;
        const DatasetImportResult result =
            importDataset(temp.db(), path, options, newDataset(file), [&](int64_t done, int64_t all) {
                if (done < lastDone)
                    return false; // progress never goes back
                lastDone = done;
                total = all;
                return true;
            });
        QCOMPARE(result.imported, count);
        QVERIFY(result.skipped.empty());
        QCOMPARE(lastDone, QFileInfo(path).size());
        QCOMPARE(total, QFileInfo(path).size());
        ExampleStore examples(temp.db());
        QCOMPARE(examples.count(result.datasetId), count);
        const DatasetInfo info = *DatasetStore(temp.db()).find(result.datasetId);
        QCOMPARE(info.name, file);
        QCOMPARE(info.version, 2);
        const std::vector<StoredExample> stored = examples.examples(result.datasetId);
        QVERIFY2(stored.front().source.startsWith(file), qPrintable(stored.front().source));

        // The content, record by record, against the file read independently.
        QFile json(path);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray array = QJsonDocument::fromJson(json.readAll()).array();
        QCOMPARE(array.size(), count);
        for (int i = 0; i < count; ++i) {
            const QJsonObject object = array[i].toObject();
            const ExampleRecord& record = stored[size_t(i)].record;
            if (options.format == DatasetFormat::Alpaca) {
                QCOMPARE(record.instruction, object[QStringLiteral("instruction")].toString());
                QCOMPARE(record.input, object[QStringLiteral("input")].toString());
                QCOMPARE(record.response, object[QStringLiteral("output")].toString());
            } else {
                // The first human message opens the example; a longer conversation is kept whole.
                QString firstHuman;
                for (const QJsonValue& turn : object[QStringLiteral("conversations")].toArray()) {
                    if (turn[QStringLiteral("from")].toString() == QLatin1String("human")) {
                        firstHuman = turn[QStringLiteral("value")].toString();
                        break;
                    }
                }
                QCOMPARE(record.isMultiTurn() ? record.turns.front().content : record.instruction, firstHuman);
            }
        }
        if (file == QLatin1String("chat_tiny_sharegpt.json")) {
            const ExampleRecord& chat = stored.front().record;
            QCOMPARE(chat.system, QStringLiteral("You are an AI assistant."));
            QCOMPARE(chat.turns.size(), size_t(4));
            QCOMPARE(chat.turns[3].content, QStringLiteral("I agree."));
        }
        // Searchable right away.
        ExampleFilter filter;
        filter.search = file == QLatin1String("gsm8k_alpaca.json") ? QStringLiteral("Natalia clips") : QString();
        if (!filter.search.isEmpty())
            QVERIFY(examples.count(result.datasetId, filter) >= 1);
    }

    void badRecordImportsNothing()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir.path(), QStringLiteral("bad.jsonl"), fileWithBadRecord());
        test::TempDatabase temp;
        try {
            importDataset(temp.db(), path, alpaca(), newDataset(QStringLiteral("bad")));
            QFAIL("a bad record was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("bad.jsonl:3")), qPrintable(error.message()));
        }
        QVERIFY2(DatasetStore(temp.db()).list().empty(), "the new dataset was left behind");
        QCOMPARE(ExampleStore(temp.db()).count(0), 0);

        // Into an existing dataset: it stays exactly as it was.
        const qint64 existing = DatasetStore(temp.db()).create(QStringLiteral("existing"));
        StoredExample example;
        example.record = test::makeRecord(QStringLiteral("kept"), QStringLiteral("kept"));
        ExampleStore(temp.db()).add(existing, example);
        DatasetImportTarget into;
        into.datasetId = existing;
        QVERIFY_THROWS_EXCEPTION(Error, importDataset(temp.db(), path, alpaca(), into));
        QCOMPARE(ExampleStore(temp.db()).count(existing), 1);
        QCOMPARE(DatasetStore(temp.db()).find(existing)->version, 2);
    }

    void skipBadRecordsListsThem()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir.path(), QStringLiteral("bad.jsonl"), fileWithBadRecord());
        test::TempDatabase temp;
        const DatasetImportResult result =
            importDataset(temp.db(), path, alpaca(true), newDataset(QStringLiteral("skipping")));
        QCOMPARE(result.imported, 4);
        QCOMPARE(result.skipped.size(), size_t(1));
        QVERIFY2(result.skipped[0].location.contains(QLatin1String("bad.jsonl:3")),
                 qPrintable(result.skipped[0].location));
        QVERIFY(!result.skipped[0].reason.isEmpty());
        std::vector<QString> instructions;
        for (const StoredExample& e : ExampleStore(temp.db()).examples(result.datasetId))
            instructions.push_back(e.record.instruction);
        QCOMPARE(instructions, (std::vector<QString>{QStringLiteral("one"), QStringLiteral("two"),
                                                     QStringLiteral("four"), QStringLiteral("five")}));
    }

    // Skipping every record is not an import: no empty dataset, no new version, and the error says why.
    void skippingEveryRecordCreatesNothing()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir.path(), QStringLiteral("all-bad.jsonl"),
                                       "{\"instruction\": 1, \"output\": \"a\"}\n{\"output\": \"b\"}\n");
        test::TempDatabase temp;
        try {
            importDataset(temp.db(), path, alpaca(true), newDataset(QStringLiteral("nothing")));
            QFAIL("a file of bad records made a dataset");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("every record is bad (2 skipped)")) &&
                         error.message().contains(QLatin1String("all-bad.jsonl:1")),
                     qPrintable(error.message()));
        }
        QVERIFY(DatasetStore(temp.db()).list().empty());

        const qint64 existing = DatasetStore(temp.db()).create(QStringLiteral("existing"));
        DatasetImportTarget into;
        into.datasetId = existing;
        QVERIFY_THROWS_EXCEPTION(Error, importDataset(temp.db(), path, alpaca(true), into));
        QCOMPARE(DatasetStore(temp.db()).find(existing)->version, 1);
    }

    void cancellingRollsBack()
    {
        QTemporaryDir dir;
        QByteArray bytes;
        for (int i = 0; i < 5000; ++i)
            bytes += QStringLiteral("{\"instruction\": \"q%1\", \"input\": \"\", \"output\": \"a\"}\n").arg(i).toUtf8();
        const QString path = writeFile(dir.path(), QStringLiteral("many.jsonl"), bytes);
        test::TempDatabase temp;
        int calls = 0;
        const DatasetImportResult result =
            importDataset(temp.db(), path, alpaca(), newDataset(QStringLiteral("cancelled")),
                          [&](int64_t, int64_t) { return ++calls < 2; });
        QVERIFY(result.cancelled);
        QCOMPARE(calls, 2);
        QVERIFY(DatasetStore(temp.db()).list().empty());
        QCOMPARE(ExampleStore(temp.db()).count(0), 0);
    }

    void intoExistingDatasetAndSplit()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir.path(), QStringLiteral("val.jsonl"),
                                       "{\"instruction\": \"x\", \"input\": \"\", \"output\": \"y\"}\n");
        test::TempDatabase temp;
        const qint64 id = DatasetStore(temp.db()).create(QStringLiteral("d"));
        DatasetImportTarget target;
        target.datasetId = id;
        target.split = Split::Validation;
        target.sourceLabel = QStringLiteral("held-out");
        importDataset(temp.db(), path, alpaca(), target);
        importDataset(temp.db(), path, alpaca(), target);
        const auto stored = ExampleStore(temp.db()).examples(id);
        QCOMPARE(stored.size(), size_t(2));
        QCOMPARE(stored[0].split, Split::Validation);
        QVERIFY2(stored[0].source.startsWith(QLatin1String("held-out")), qPrintable(stored[0].source));
        QVERIFY(stored[1].position > stored[0].position);
    }

    void missingFileIsNamed()
    {
        test::TempDatabase temp;
        try {
            importDataset(temp.db(), QStringLiteral("/nonexistent/file.json"), alpaca(),
                          newDataset(QStringLiteral("x")));
            QFAIL("imported a missing file");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("/nonexistent/file.json")), qPrintable(error.message()));
        }
        QVERIFY(DatasetStore(temp.db()).list().empty());
    }
};

QTEST_GUILESS_MAIN(TestDatasetImport)
#include "tst_dataset_import.moc"
