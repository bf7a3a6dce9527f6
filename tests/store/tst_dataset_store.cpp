// Datasets: create, find, resolve, rename, unique names, versions, delete with its examples.

#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store_test_support.h"

using namespace ft;

class TestDatasetStore : public QObject {
    Q_OBJECT
private slots:
    void createListFind()
    {
        test::TempDatabase temp;
        DatasetStore datasets(temp.db());
        const qint64 b = datasets.create(QStringLiteral("beta"), QStringLiteral("second"));
        const qint64 a = datasets.create(QStringLiteral("  Alpha "));
        const auto list = datasets.list();
        QCOMPARE(list.size(), size_t(2));
        QCOMPARE(list[0].name, QStringLiteral("Alpha")); // trimmed, ordered by name
        QCOMPARE(list[0].id, a);
        QCOMPARE(list[1].description, QStringLiteral("second"));
        QCOMPARE(list[1].version, 1);
        QVERIFY(list[1].created > 0);
        QCOMPARE(datasets.findByName(QStringLiteral("ALPHA"))->id, a); // names are case-insensitive
        QCOMPARE(datasets.find(b)->name, QStringLiteral("beta"));
        QVERIFY(!datasets.find(999));
        QCOMPARE(datasets.resolve(QString::number(b)).id, b);
        QCOMPARE(datasets.resolve(QStringLiteral("beta")).id, b);
        try {
            datasets.resolve(QStringLiteral("gamma"));
            QFAIL("resolved a dataset that does not exist");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("Alpha")),
                     qPrintable(error.message())); // lists what there is
        }
    }

    void namesAreUniqueAndNonEmpty()
    {
        test::TempDatabase temp;
        DatasetStore datasets(temp.db());
        datasets.create(QStringLiteral("data"));
        QVERIFY_THROWS_EXCEPTION(Error, datasets.create(QStringLiteral("DATA")));
        QVERIFY_THROWS_EXCEPTION(Error, datasets.create(QStringLiteral("   ")));
        QCOMPARE(datasets.uniqueName(QStringLiteral("data")), QStringLiteral("data (2)"));
        QCOMPARE(datasets.uniqueName(QStringLiteral("other")), QStringLiteral("other"));
        const qint64 other = datasets.create(QStringLiteral("other"));
        QVERIFY_THROWS_EXCEPTION(Error, datasets.rename(other, QStringLiteral("Data")));
        datasets.rename(other, QStringLiteral("renamed"));
        QCOMPARE(datasets.find(other)->name, QStringLiteral("renamed"));
    }

    void everyChangeBumpsTheVersion()
    {
        test::TempDatabase temp;
        DatasetStore datasets(temp.db());
        ExampleStore examples(temp.db());
        const qint64 id = datasets.create(QStringLiteral("d"));
        auto version = [&] { return datasets.find(id)->version; };
        QCOMPARE(version(), 1);
        StoredExample example;
        example.record = test::makeRecord(QStringLiteral("q"), QStringLiteral("a"));
        const qint64 e = examples.add(id, example);
        QCOMPARE(version(), 2);
        example = *examples.example(e);
        example.record.response = QStringLiteral("b");
        examples.update(example);
        QCOMPARE(version(), 3);
        examples.addTag({e}, QStringLiteral("t"));
        QCOMPARE(version(), 4);
        datasets.setDescription(id, QStringLiteral("described"));
        QCOMPARE(version(), 5);
        datasets.rename(id, QStringLiteral("e"));
        QCOMPARE(version(), 6);
        examples.setFlags({{e, FlagPii}}, FlagPii); // derived markers: no new version
        QCOMPARE(version(), 6);
        examples.remove({e});
        QCOMPARE(version(), 7);
    }

    void countsBySplit()
    {
        test::TempDatabase temp;
        DatasetStore datasets(temp.db());
        const qint64 id = datasets.create(QStringLiteral("d"));
        inTransaction(temp.db(), [&] {
            ExampleInserter inserter(temp.db(), id);
            for (int i = 0; i < 10; ++i)
                inserter.add(test::makeRecord(QStringLiteral("q%1").arg(i), QStringLiteral("a")), {}, {},
                             i < 7 ? Split::Train : (i < 9 ? Split::Validation : Split::Test));
            inserter.finish();
        });
        const DatasetInfo info = *datasets.find(id);
        QCOMPARE(info.examples, 10);
        QCOMPARE(info.train, 7);
        QCOMPARE(info.validation, 2);
        QCOMPARE(info.test, 1);
        QCOMPARE(info.version, 2); // one import, one change
    }

    void deleteRemovesExamplesAndTheirIndex()
    {
        test::TempDatabase temp;
        DatasetStore datasets(temp.db());
        ExampleStore examples(temp.db());
        const qint64 keep = datasets.create(QStringLiteral("keep"));
        const qint64 drop = datasets.create(QStringLiteral("drop"));
        StoredExample example;
        example.record = test::makeRecord(QStringLiteral("zebra crossing"), QStringLiteral("a"));
        examples.add(keep, example);
        examples.add(drop, example);
        QCOMPARE(examples.search(0, QStringLiteral("zebra")).size(), size_t(2));
        datasets.remove(drop);
        QVERIFY(!datasets.find(drop));
        QCOMPARE(examples.count(drop), 0);
        QCOMPARE(examples.search(0, QStringLiteral("zebra")).size(), size_t(1));
        execSql(temp.db(), QStringLiteral("INSERT INTO examples_fts (examples_fts) VALUES ('integrity-check')"));
        QVERIFY_THROWS_EXCEPTION(Error, datasets.remove(drop));
    }
};

QTEST_GUILESS_MAIN(TestDatasetStore)
#include "tst_dataset_store.moc"
