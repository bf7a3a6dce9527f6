// Getting data out: the frozen training snapshot a run trains on (files, SHA-256s, version, splits),
// and exporting a dataset or one split in a format that imports back to the same records.

#include <QDir>
#include <QTest>

#include "common/error.h"
#include "data/jsonl_records.h"
#include "store/database.h"
#include "store/dataset_export.h"
#include "store/dataset_import.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store_test_support.h"

using namespace ft;

namespace {

// 10 examples: 0-6 train, 7-8 val, 9 test; example 3 is multi-turn.
qint64 makeDataset(QSqlDatabase db)
{
    const qint64 id = DatasetStore(db).create(QStringLiteral("snap"));
    inTransaction(db, [&] {
        ExampleInserter inserter(db, id);
        for (int i = 0; i < 10; ++i) {
            ExampleRecord record =
                test::makeRecord(QStringLiteral("question %1").arg(i), QStringLiteral("answer %1").arg(i),
                                 i % 2 ? QStringLiteral("input %1").arg(i) : QString());
            if (i == 3)
                record.turns = {{ChatTurn::Role::User, QStringLiteral("hi")},
                                {ChatTurn::Role::Assistant, QStringLiteral("hello")},
                                {ChatTurn::Role::User, QStringLiteral("again")},
                                {ChatTurn::Role::Assistant, QStringLiteral("yes")}};
            inserter.add(record, {QStringLiteral("tag%1").arg(i % 2)}, {},
                         i < 7 ? Split::Train : (i < 9 ? Split::Validation : Split::Test));
        }
        inserter.finish();
    });
    return id;
}

} // namespace

class TestDatasetExport : public QObject {
    Q_OBJECT
private slots:
    void trainingSnapshot()
    {
        test::TempDatabase temp;
        const qint64 id = makeDataset(temp.db());
        const QString runDir = QDir(temp.dir()).filePath(QStringLiteral("runs/one"));
        const TrainingSnapshot snapshot = exportTrainingSnapshot(temp.db(), id, runDir);
        QCOMPARE(snapshot.datasetVersion, DatasetStore(temp.db()).find(id)->version);
        QCOMPARE(snapshot.datasetName, QStringLiteral("snap"));
        QCOMPARE(snapshot.trainPath, QDir(runDir).filePath(QStringLiteral("data/train.jsonl")));
        QCOMPARE(snapshot.valPath, QDir(runDir).filePath(QStringLiteral("data/val.jsonl")));
        QCOMPARE(snapshot.trainExamples, 7);
        QCOMPARE(snapshot.valExamples, 2);
        QCOMPARE(snapshot.trainSha256, fileSha256(snapshot.trainPath));
        QCOMPARE(snapshot.valSha256, fileSha256(snapshot.valPath));

        const auto train = readJsonlRecords(snapshot.trainPath);
        QCOMPARE(train.size(), size_t(7));
        QCOMPARE(train[0].record.instruction, QStringLiteral("question 0"));
        QCOMPARE(train[1].record.input, QStringLiteral("input 1"));
        QCOMPARE(train[3].record.turns.size(), size_t(4)); // multi-turn kept whole
        const auto val = readJsonlRecords(snapshot.valPath);
        QCOMPARE(val.size(), size_t(2));
        QCOMPARE(val[1].record.response, QStringLiteral("answer 8")); // the test split (9) is held out

        // The same data gives the same bytes; a change gives a new version and new bytes.
        QCOMPARE(exportTrainingSnapshot(temp.db(), id, runDir).trainSha256, snapshot.trainSha256);
        ExampleStore examples(temp.db());
        StoredExample first = examples.examples(id, {}, {}, 0, 1).front();
        first.record.response = QStringLiteral("changed");
        examples.update(first);
        const TrainingSnapshot changed =
            exportTrainingSnapshot(temp.db(), id, QDir(temp.dir()).filePath(QStringLiteral("runs/two")));
        QCOMPARE(changed.datasetVersion, snapshot.datasetVersion + 1);
        QVERIFY(changed.trainSha256 != snapshot.trainSha256);
        QCOMPARE(changed.valSha256, snapshot.valSha256);
    }

    void withoutValidationExamples()
    {
        test::TempDatabase temp;
        const qint64 id = makeDataset(temp.db());
        ExampleStore examples(temp.db());
        ExampleFilter val;
        val.split = Split::Validation;
        examples.setSplit(examples.ids(id, val), Split::Train);
        const QString runDir = QDir(temp.dir()).filePath(QStringLiteral("run"));
        const TrainingSnapshot snapshot = exportTrainingSnapshot(temp.db(), id, runDir);
        QCOMPARE(snapshot.trainExamples, 9);
        QVERIFY(snapshot.valPath.isEmpty());
        QVERIFY(snapshot.valSha256.isEmpty());
        QVERIFY(!QFile::exists(QDir(runDir).filePath(QStringLiteral("data/val.jsonl"))));
    }

    void chosenSplits()
    {
        test::TempDatabase temp;
        const qint64 id = makeDataset(temp.db()); // 7 train, 2 validation, 1 test
        const QString runDir = QDir(temp.dir()).filePath(QStringLiteral("chosen"));
        SnapshotSplits splits;
        splits.train = Split::Validation;
        splits.validation = Split::Test;
        splits.requireValidation = true;
        const TrainingSnapshot snapshot = exportTrainingSnapshot(temp.db(), id, runDir, splits);
        QCOMPARE(snapshot.trainExamples, 2);
        QCOMPARE(snapshot.valExamples, 1);
        QCOMPARE(readJsonlRecords(snapshot.valPath).front().record.response, QStringLiteral("answer 9"));

        splits.train = Split::Train;
        splits.validation.reset(); // none: the worker validates on a share of the training split
        const TrainingSnapshot noVal = exportTrainingSnapshot(temp.db(), id, runDir, splits);
        QCOMPARE(noVal.trainExamples, 7);
        QVERIFY(noVal.valPath.isEmpty());
        QVERIFY(!QFile::exists(QDir(runDir).filePath(QStringLiteral("data/val.jsonl"))));

        splits.validation = Split::Train; // the same split twice
        QVERIFY_THROWS_EXCEPTION(Error, exportTrainingSnapshot(temp.db(), id, runDir, splits));
        // An empty validation split chosen explicitly is an error naming it, not a silent fallback.
        ExampleStore examples(temp.db());
        ExampleFilter test;
        test.split = Split::Test;
        examples.setSplit(examples.ids(id, test), Split::Train);
        splits.validation = Split::Test;
        try {
            exportTrainingSnapshot(temp.db(), id, runDir, splits);
            QFAIL("an empty validation split was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QStringLiteral("no examples in the test split")),
                     qPrintable(error.message()));
        }
        splits.requireValidation = false; // the default choice falls back instead
        QVERIFY(exportTrainingSnapshot(temp.db(), id, runDir, splits).valPath.isEmpty());
    }

    void emptyTrainingSplitIsRefused()
    {
        test::TempDatabase temp;
        const qint64 id = DatasetStore(temp.db()).create(QStringLiteral("empty"));
        QVERIFY_THROWS_EXCEPTION(Error, exportTrainingSnapshot(temp.db(), id, temp.dir()));
        QVERIFY_THROWS_EXCEPTION(Error, exportTrainingSnapshot(temp.db(), 4242, temp.dir()));
    }

    void exportRoundTrip_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("file");
        QTest::newRow("studio") << int(DatasetFormat::Studio) << QStringLiteral("out.jsonl");
        QTest::newRow("sharegpt") << int(DatasetFormat::ShareGpt) << QStringLiteral("out.json");
        QTest::newRow("openai") << int(DatasetFormat::OpenAiChat) << QStringLiteral("out.jsonl");
    }
    void exportRoundTrip()
    {
        QFETCH(int, format);
        QFETCH(QString, file);
        test::TempDatabase temp;
        const qint64 id = makeDataset(temp.db());
        const QString path = QDir(temp.dir()).filePath(file);
        QCOMPARE(exportDataset(temp.db(), id, path, static_cast<DatasetFormat>(format)), 10);
        ImportOptions options;
        options.format = static_cast<DatasetFormat>(format);
        DatasetImportTarget target;
        target.newName = QStringLiteral("back");
        const DatasetImportResult back = importDataset(temp.db(), path, options, target);
        QCOMPARE(back.imported, 10);
        ExampleStore examples(temp.db());
        const auto original = examples.examples(id);
        const auto reimported = examples.examples(back.datasetId);
        for (size_t i = 0; i < original.size(); ++i) {
            const ExampleRecord& before = original[i].record;
            const ExampleRecord& after = reimported[i].record;
            if (options.format == DatasetFormat::Studio) { // lossless, tags included
                QCOMPARE(after.toJson(), before.toJson());
                QCOMPARE(reimported[i].tags, original[i].tags);
            } else if (before.isMultiTurn()) { // conversations come back whole
                QCOMPARE(after.toJson(), before.toJson());
            } else { // chat formats have one user message: the input follows the instruction
                QCOMPARE(after.instruction, before.input.isEmpty()
                                                ? before.instruction
                                                : before.instruction + QStringLiteral("\n\n") + before.input);
                QCOMPARE(after.response, before.response);
            }
        }
    }

    void exportOneSplit()
    {
        test::TempDatabase temp;
        const qint64 id = makeDataset(temp.db());
        const QString path = QDir(temp.dir()).filePath(QStringLiteral("val.jsonl"));
        QCOMPARE(exportDataset(temp.db(), id, path, DatasetFormat::Studio, Split::Validation), 2);
        QCOMPARE(loadDatasetExamples(temp.db(), id, Split::Test).size(), size_t(1));
        // A CSV row cannot hold a conversation: the record is named and nothing is written.
        const QString csvPath = QDir(temp.dir()).filePath(QStringLiteral("table.csv"));
        try {
            exportDataset(temp.db(), id, csvPath, DatasetFormat::Csv);
            QFAIL("a conversation was written as a CSV row");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("multi-turn")), qPrintable(error.message()));
        }
        QVERIFY(!QFile::exists(csvPath));
    }
};

QTEST_GUILESS_MAIN(TestDatasetExport)
#include "tst_dataset_export.moc"
