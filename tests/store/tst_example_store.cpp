// Examples: paging, sorting and filtering in SQL, full-text search kept in sync with edits, bulk
// operations in one transaction each (a failure in the middle changes nothing), undo data.

#include <algorithm>

#include <QSqlQuery>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store_test_support.h"

using namespace ft;

namespace {

const QStringList kWords = {QStringLiteral("apple"), QStringLiteral("banana"), QStringLiteral("cherry"),
                            QStringLiteral("date"), QStringLiteral("elderberry")};

// 250 examples: instruction "Question <n> about <word>", every 3rd tagged "three", every 5th tagged
// "five", every 10th in val, every 25th multi-turn.
qint64 fillDataset(QSqlDatabase db, const QString& name = QStringLiteral("d"), int count = 250)
{
    const qint64 id = DatasetStore(db).create(name);
    inTransaction(db, [&] {
        ExampleInserter inserter(db, id);
        for (int i = 0; i < count; ++i) {
            ExampleRecord record = test::makeRecord(
                QStringLiteral("Question %1 about %2").arg(i, 3, 10, QLatin1Char('0')).arg(kWords[i % 5]),
                QStringLiteral("Answer %1").arg(QString(i % 7 + 1, QLatin1Char('x'))));
            if (i % 25 == 0) {
                record.turns = {{ChatTurn::Role::User, QStringLiteral("hello turn %1").arg(i)},
                                {ChatTurn::Role::Assistant, QStringLiteral("kiwi reply")}};
            }
            QStringList tags;
            if (i % 3 == 0)
                tags << QStringLiteral("three");
            if (i % 5 == 0)
                tags << QStringLiteral("five");
            inserter.add(record, tags, QStringLiteral("test#%1").arg(i),
                         i % 10 == 0 ? Split::Validation : Split::Train);
        }
        inserter.finish();
    });
    return id;
}

std::vector<qint64> idsOf(const std::vector<StoredExample>& examples)
{
    std::vector<qint64> ids;
    for (const StoredExample& e : examples)
        ids.push_back(e.id);
    return ids;
}

// Everything of a dataset that a failed bulk operation must leave as it was.
QString datasetState(QSqlDatabase db, qint64 datasetId)
{
    QSqlQuery query(db);
    query.prepare(
        QStringLiteral("SELECT group_concat(id || '|' || instruction || '|' || response || '|' || tags || '|' || split "
                       "|| '|' || flags, char(10)) FROM (SELECT * FROM examples WHERE dataset_id = ? ORDER BY id)"));
    query.addBindValue(datasetId);
    query.exec();
    query.next();
    return query.value(0).toString() + QStringLiteral("@v") +
           QString::number(DatasetStore(db).find(datasetId)->version);
}

void checkFtsIntegrity(QSqlDatabase db)
{
    execSql(db, QStringLiteral("INSERT INTO examples_fts (examples_fts, rank) VALUES ('integrity-check', 1)"));
}

} // namespace

class TestExampleStore : public QObject {
    Q_OBJECT
private slots:
    void pagesDoNotOverlap()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db());
        ExampleStore store(temp.db());
        QCOMPARE(store.count(id), 250);
        std::vector<qint64> seen;
        for (qint64 offset = 0; offset < 300; offset += 100) {
            const auto page = store.examples(id, {}, {}, offset, 100);
            QCOMPARE(page.size(), size_t(offset < 200 ? 100 : 50));
            for (const StoredExample& e : page)
                seen.push_back(e.id);
        }
        std::vector<qint64> sorted = seen;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY(std::unique(sorted.begin(), sorted.end()) == sorted.end());
        QCOMPARE(seen, store.ids(id)); // the pages, joined, are the whole dataset in position order
        const StoredExample first = store.examples(id, {}, {}, 0, 1).front();
        QCOMPARE(first.record.turns.size(), size_t(2)); // example 0 is multi-turn
        QCOMPARE(first.tags, (QStringList{QStringLiteral("three"), QStringLiteral("five")}));
        QCOMPARE(first.split, Split::Validation);
        QCOMPARE(first.source, QStringLiteral("test#0"));
    }

    void sortingIsDoneInSql_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<bool>("descending");
        for (const char* column : {"instruction", "response", "length", "tags", "split", "id"}) {
            QTest::newRow(column) << QString::fromLatin1(column) << false;
            QTest::newRow(qPrintable(QStringLiteral("%1 desc").arg(QLatin1String(column))))
                << QString::fromLatin1(column) << true;
        }
    }
    void sortingIsDoneInSql()
    {
        QFETCH(QString, column);
        QFETCH(bool, descending);
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db());
        ExampleStore store(temp.db());
        std::vector<StoredExample> all = store.examples(id);
        auto key = [&](const StoredExample& e) -> QString {
            const ExampleRecord& r = e.record;
            if (column == QLatin1String("instruction"))
                return r.instruction.toLower();
            if (column == QLatin1String("response"))
                return r.response.toLower();
            if (column == QLatin1String("length")) {
                qint64 length = r.system.size() + r.instruction.size() + r.input.size() + r.response.size();
                if (r.isMultiTurn())
                    length += scalarSql(temp.db(),
                                        QStringLiteral("SELECT length(turns) FROM examples WHERE id = %1").arg(e.id))
                                  .toLongLong();
                return QStringLiteral("%1").arg(length, 8, 10, QLatin1Char('0'));
            }
            if (column == QLatin1String("tags"))
                return e.tags.isEmpty() ? QString()
                                        : QLatin1Char(',') + e.tags.join(QLatin1Char(',')) + QLatin1Char(',');
            if (column == QLatin1String("split"))
                return QString::number(static_cast<int>(e.split));
            return QStringLiteral("%1").arg(e.id, 8, 10, QLatin1Char('0'));
        };
        std::stable_sort(all.begin(), all.end(), [&](const StoredExample& a, const StoredExample& b) {
            const QString ka = key(a), kb = key(b);
            if (ka != kb)
                return descending ? kb < ka : ka < kb;
            return descending ? b.position < a.position : a.position < b.position;
        });
        ExampleSort sort;
        sort.column = *exampleColumnFromName(column);
        sort.descending = descending;
        QCOMPARE(idsOf(store.examples(id, {}, sort)), idsOf(all));
        // A page of a sorted view is the same slice of it.
        const std::vector<qint64> expected = idsOf(all);
        QCOMPARE(idsOf(store.examples(id, {}, sort, 40, 30)),
                 std::vector<qint64>(expected.begin() + 40, expected.begin() + 70));
    }

    void filteringIsDoneInSql()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db());
        fillDataset(temp.db(), QStringLiteral("other")); // must never leak into the first one
        ExampleStore store(temp.db());
        auto check = [&](const ExampleFilter& filter, qint64 expected) {
            QCOMPARE(store.count(id, filter), expected);
            QCOMPARE(qint64(store.examples(id, filter).size()), expected);
            QCOMPARE(qint64(store.ids(id, filter).size()), expected);
        };
        ExampleFilter f;
        f.tags = {QStringLiteral("three")};
        check(f, 84); // 0, 3, ..., 249
        f.tags = {QStringLiteral("three"), QStringLiteral("five")};
        check(f, 17); // multiples of 15
        f = {};
        f.split = Split::Validation;
        check(f, 25);
        f.tags = {QStringLiteral("five")};
        check(f, 25); // multiples of 10 are multiples of 5
        f = {};
        f.multiTurn = true;
        check(f, 10);
        f.multiTurn = false;
        check(f, 240);
        f = {};
        f.search = QStringLiteral("banana");
        check(f, 50); // i % 5 == 1 (the multi-turn ones, i % 25 == 0, are about apples)
        f.split = Split::Train;
        check(f, 50);
        f = {};
        f.search = QStringLiteral("kiwi"); // inside the turns
        check(f, 10);
        f.search = QStringLiteral("!!!");
        check(f, 0);
        f = {};
        store.setFlags({{store.ids(id)[3], FlagPii}, {store.ids(id)[4], FlagDuplicate | FlagPii}}, ~0);
        f.flagsAny = FlagPii;
        check(f, 2);
        f.flagsNone = FlagDuplicate;
        check(f, 1);
        QCOMPARE(store.count(0), 500); // dataset 0: all datasets
    }

    void fullTextSearchFollowsEdits()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db());
        ExampleStore store(temp.db());
        const std::vector<qint64> cherries = store.search(id, QStringLiteral("cherry"), 1000);
        QCOMPARE(cherries.size(), size_t(50));
        QCOMPARE(store.search(id, QStringLiteral("cher*"), 1000).size(), size_t(50)); // prefix
        QCOMPARE(store.search(id, QStringLiteral("CHERRY question"), 1000).size(), size_t(50));
        QCOMPARE(store.search(id, QStringLiteral("cherry banana")).size(), size_t(0)); // every word must occur

        StoredExample edited = *store.example(cherries[0]);
        edited.record.instruction = QStringLiteral("Now about a pomegranate");
        edited.notes = QStringLiteral("noted tangerine");
        store.update(edited);
        QCOMPARE(store.search(id, QStringLiteral("cherry"), 1000).size(), size_t(49));
        QCOMPARE(store.search(id, QStringLiteral("pomegranate")), std::vector<qint64>{edited.id});
        QCOMPARE(store.search(id, QStringLiteral("tangerine")), std::vector<qint64>{edited.id}); // notes are searched

        store.replaceTexts({{cherries[1], test::makeRecord(QStringLiteral("plain"), QStringLiteral("text"))}});
        QCOMPARE(store.search(id, QStringLiteral("cherry"), 1000).size(), size_t(48));

        const auto removed = store.remove({cherries[2], cherries[3]});
        QCOMPARE(store.search(id, QStringLiteral("cherry"), 1000).size(), size_t(46));
        store.restore(removed);
        QCOMPARE(store.search(id, QStringLiteral("cherry"), 1000).size(), size_t(48));

        store.addTag({cherries[4]}, QStringLiteral("mango"));
        QCOMPARE(store.search(id, QStringLiteral("mango")), std::vector<qint64>{cherries[4]}); // tags are searched
        store.removeTag({cherries[4]}, QStringLiteral("mango"));
        QVERIFY(store.search(id, QStringLiteral("mango")).empty());

        checkFtsIntegrity(temp.db());
        QVERIFY_THROWS_EXCEPTION(Error, store.search(id, QStringLiteral("\"unbalanced"), 10, true));
        QCOMPARE(store.search(id, QStringLiteral("\"unbalanced"), 10, false).size(), size_t(0));
        QCOMPARE(store.search(id, QStringLiteral("C++ (cherry)")).size(), size_t(0)); // punctuation is no syntax error
    }

    void relevanceOrder()
    {
        test::TempDatabase temp;
        const qint64 id = DatasetStore(temp.db()).create(QStringLiteral("d"));
        ExampleStore store(temp.db());
        StoredExample e;
        e.record = test::makeRecord(QStringLiteral("walrus once, among many other words about other things entirely"),
                                    QStringLiteral("x"));
        const qint64 once = store.add(id, e);
        e.record = test::makeRecord(QStringLiteral("walrus walrus walrus"), QStringLiteral("walrus"));
        const qint64 many = store.add(id, e);
        QCOMPARE(store.search(id, QStringLiteral("walrus")), (std::vector<qint64>{many, once}));
        ExampleFilter filter;
        filter.search = QStringLiteral("walrus");
        QCOMPARE(store.ids(id, filter, {ExampleColumn::Relevance, false}), (std::vector<qint64>{many, once}));
    }

    // Many matches over two datasets: ranked by how often the word occurs (then by id), only the
    // asked dataset's, at most `limit`; a rarer word of the query weighs more than a frequent one.
    void relevanceOrderOverManyMatches()
    {
        test::TempDatabase temp;
        const qint64 first = DatasetStore(temp.db()).create(QStringLiteral("first"));
        const qint64 second = DatasetStore(temp.db()).create(QStringLiteral("second"));
        ExampleStore store(temp.db());
        std::vector<std::pair<int, qint64>> expected; // (-occurrences, id) of the first dataset's matches
        for (int i = 0; i < 300; ++i) {
            const int occurrences = 1 + (i * 7) % 3;
            StoredExample e;
            e.record = test::makeRecord(QStringLiteral("heron ").repeated(occurrences) + QStringLiteral("filler words"),
                                        QStringLiteral("r"));
            const qint64 id = store.add(i % 4 == 0 ? second : first, e);
            if (i % 4 != 0)
                expected.push_back({-occurrences, id});
        }
        std::sort(expected.begin(), expected.end());
        std::vector<qint64> best;
        for (size_t i = 0; i < 60; ++i)
            best.push_back(expected[i].second);
        QCOMPARE(store.search(first, QStringLiteral("heron"), 60), best);
        QCOMPARE(store.search(first, QStringLiteral("heron"), 1000).size(), expected.size());
        // The table's order when searching: the same, pages included, and reversed when descending.
        std::vector<qint64> all;
        for (const auto& e : expected)
            all.push_back(e.second);
        ExampleFilter filter;
        filter.search = QStringLiteral("heron");
        QCOMPARE(store.ids(first, filter, {ExampleColumn::Relevance, false}), all);
        QCOMPARE(store.count(first, filter), qint64(all.size()));
        std::vector<qint64> page;
        for (const StoredExample& e : store.examples(first, filter, {ExampleColumn::Relevance, false}, 100, 50))
            page.push_back(e.id);
        QCOMPARE(page, std::vector<qint64>(all.begin() + 100, all.begin() + 150));
        std::vector<qint64> reversed(all.rbegin(), all.rend());
        QCOMPARE(store.ids(first, filter, {ExampleColumn::Relevance, true}), reversed);
        filter.split = Split::Validation; // no example is in val: the filters still apply
        QVERIFY(store.ids(first, filter, {ExampleColumn::Relevance, false}).empty());

        StoredExample rare;
        rare.record = test::makeRecord(QStringLiteral("heron osprey"), QStringLiteral("r"));
        const qint64 rareId = store.add(first, rare);
        StoredExample common;
        common.record = test::makeRecord(QStringLiteral("heron heron heron filler"), QStringLiteral("r"));
        const qint64 commonId = store.add(first, common);
        const std::vector<qint64> both =
            store.search(first, QStringLiteral("heron OR osprey"), 1, /*rawFts5Syntax=*/true);
        QCOMPARE(both, std::vector<qint64>{rareId});
        QVERIFY(commonId > 0);
    }

    void addDuplicateUpdate()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db(), QStringLiteral("d"), 5);
        ExampleStore store(temp.db());
        const std::vector<qint64> before = store.ids(id);
        const qint64 copy = store.duplicate(before[1]);
        const std::vector<qint64> after = store.ids(id);
        QCOMPARE(after, (std::vector<qint64>{before[0], before[1], copy, before[2], before[3], before[4]}));
        QCOMPARE(store.example(copy)->record.instruction, store.example(before[1])->record.instruction);
        // Copies of one example, again and again: each goes right after it, also once the gap between
        // two positions is used up and the rest of the dataset has to move.
        std::vector<qint64> copies;
        for (int i = 0; i < 12; ++i)
            copies.insert(copies.begin(), store.duplicate(before[3]));
        std::vector<qint64> expected = {before[0], before[1], copy, before[2], before[3]};
        expected.insert(expected.end(), copies.begin(), copies.end());
        expected.push_back(before[4]);
        QCOMPARE(store.ids(id), expected);
        store.remove(copies);

        StoredExample fresh;
        fresh.record.system = QStringLiteral("sys");
        fresh.record.turns = {{ChatTurn::Role::User, QStringLiteral("u")},
                              {ChatTurn::Role::Assistant, QStringLiteral("a")}};
        fresh.tags = {QStringLiteral(" spaced "), QStringLiteral("spaced")};
        fresh.notes = QStringLiteral("n");
        fresh.split = Split::Test;
        const qint64 added = store.add(id, fresh);
        QCOMPARE(store.ids(id).back(), added);
        const StoredExample read = *store.example(added);
        QCOMPARE(read.record.system, QStringLiteral("sys"));
        QCOMPARE(read.record.turns.size(), size_t(2));
        QCOMPARE(read.record.turns[1].role, ChatTurn::Role::Assistant);
        QCOMPARE(read.tags, QStringList{QStringLiteral("spaced")});
        QCOMPARE(read.split, Split::Test);

        StoredExample bad = read;
        bad.tags = {QStringLiteral("a,b")};
        QVERIFY_THROWS_EXCEPTION(Error, store.update(bad));
        bad.id = 99999;
        bad.tags = {};
        QVERIFY_THROWS_EXCEPTION(Error, store.update(bad));
    }

    void bulkOperationsReturnUndoData()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db(), QStringLiteral("d"), 20);
        ExampleStore store(temp.db());
        const std::vector<qint64> ids = store.ids(id);
        const QString original = datasetState(temp.db(), id);

        const auto previousSplits = store.setSplit({ids[0], ids[1], ids[2]}, Split::Test);
        QCOMPARE(previousSplits.size(), size_t(3));
        QCOMPARE(previousSplits[0].second, Split::Validation);
        QCOMPARE(previousSplits[1].second, Split::Train);
        ExampleFilter testSplit;
        testSplit.split = Split::Test;
        QCOMPARE(store.count(id, testSplit), 3);
        store.setSplits(previousSplits);
        QCOMPARE(store.count(id, testSplit), 0);
        // Moving examples to where they already are is no change: the version stays.
        const int version = DatasetStore(temp.db()).find(id)->version;
        store.setSplits(previousSplits);
        QCOMPARE(DatasetStore(temp.db()).find(id)->version, version);
        store.setSplit({ids[0]}, Split::Test);
        QCOMPARE(DatasetStore(temp.db()).find(id)->version, version + 1);
        store.setSplits(previousSplits);

        const auto gained = store.addTag({ids[0], ids[1]}, QStringLiteral("three")); // ids[0] has it already
        QCOMPARE(gained, std::vector<qint64>{ids[1]});
        store.removeTag(gained, QStringLiteral("three"));

        const auto previousTexts =
            store.replaceTexts({{ids[5], test::makeRecord(QStringLiteral("masked [EMAIL]"), QStringLiteral("ok"))}});
        QCOMPARE(store.example(ids[5])->record.instruction, QStringLiteral("masked [EMAIL]"));
        store.replaceTexts(previousTexts);

        const auto removed = store.remove({ids[7], ids[8]});
        QCOMPARE(store.count(id), 18);
        store.restore(removed);
        QCOMPARE(store.ids(id), ids); // same ids, same order

        // Every row is as it was; only the version moved on.
        const QString now = datasetState(temp.db(), id);
        QCOMPARE(now.left(now.indexOf(QLatin1Char('@'))), original.left(original.indexOf(QLatin1Char('@'))));
    }

    void failureInTheMiddleRollsBack_data()
    {
        QTest::addColumn<QString>("operation");
        for (const char* op : {"remove", "addTag", "removeTag", "setSplit", "replaceTexts", "setFlags", "restore"})
            QTest::newRow(op) << QString::fromLatin1(op);
    }
    void failureInTheMiddleRollsBack()
    {
        QFETCH(QString, operation);
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db(), QStringLiteral("d"), 20);
        ExampleStore store(temp.db());
        const std::vector<qint64> ids = store.ids(id);
        // Valid ids around one that does not exist: the first ones are changed before the failure.
        const std::vector<qint64> mixed = {ids[1], ids[2], 987654, ids[4]};
        const QString before = datasetState(temp.db(), id);
        try {
            if (operation == QLatin1String("remove")) {
                store.remove(mixed);
            } else if (operation == QLatin1String("addTag")) {
                store.addTag(mixed, QStringLiteral("new"));
            } else if (operation == QLatin1String("removeTag")) {
                store.removeTag({ids[0], ids[3], 987654}, QStringLiteral("three"));
            } else if (operation == QLatin1String("setSplit")) {
                store.setSplit(mixed, Split::Test);
            } else if (operation == QLatin1String("replaceTexts")) {
                std::vector<ExampleTextChange> changes;
                for (const qint64 e : mixed)
                    changes.push_back({e, test::makeRecord(QStringLiteral("changed"), QStringLiteral("changed"))});
                store.replaceTexts(changes);
            } else if (operation == QLatin1String("setFlags")) {
                store.setFlags({{ids[1], FlagPii}, {987654, FlagPii}}, FlagPii);
            } else if (operation == QLatin1String("restore")) {
                // The second row's id is taken: the first must not stay inserted.
                StoredExample a = *store.example(ids[0]);
                a.id = 555555;
                StoredExample b = *store.example(ids[1]);
                store.restore({a, b});
            }
            QFAIL("the operation should have failed");
        } catch (const Error& error) {
            if (operation != QLatin1String("restore"))
                QVERIFY2(error.message().contains(QLatin1String("987654")), qPrintable(error.message()));
        }
        QCOMPARE(datasetState(temp.db(), id), before);
        checkFtsIntegrity(temp.db());
    }

    // The bulk path indexes at the end; an unfinished insert leaves nothing, not even a disabled index.
    void inserterIndexesAtTheEndOrRollsBack()
    {
        test::TempDatabase temp;
        const qint64 id = DatasetStore(temp.db()).create(QStringLiteral("d"));
        {
            ExampleInserter inserter(temp.db(), id);
            inserter.add(test::makeRecord(QStringLiteral("abandoned platypus"), QStringLiteral("x")));
        }
        ExampleStore store(temp.db());
        QCOMPARE(store.count(id), 0);
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM examples_fts_deferred")).toInt(), 0);
        QCOMPARE(DatasetStore(temp.db()).find(id)->version, 1);

        {
            ExampleInserter inserter(temp.db(), id);
            for (int i = 0; i < 50; ++i)
                inserter.add(test::makeRecord(QStringLiteral("bulk wombat %1").arg(i), QStringLiteral("x")));
            QVERIFY(store.search(id, QStringLiteral("wombat")).empty()); // not indexed yet
            inserter.finish();
        }
        QCOMPARE(store.search(id, QStringLiteral("wombat"), 100).size(), size_t(50));
        StoredExample single;
        single.record = test::makeRecord(QStringLiteral("single wombat"), QStringLiteral("x"));
        const qint64 added = store.add(id, single);
        QCOMPARE(store.search(id, QStringLiteral("single")), std::vector<qint64>{added}); // the trigger indexes again
        checkFtsIntegrity(temp.db());
    }

    // A preference pair's rejected answer survives every way an example is written: import, add, edit,
    // copy, bulk text changes, and delete + undo.
    void preferencePairsKeepTheirRejectedAnswer()
    {
        test::TempDatabase temp;
        const qint64 id = DatasetStore(temp.db()).create(QStringLiteral("pairs"));
        ExampleRecord pair = test::makeRecord(QStringLiteral("Name a colour."), QStringLiteral("Blue."));
        pair.rejected = QStringLiteral("Seven.");
        qint64 imported = 0;
        {
            ExampleInserter inserter(temp.db(), id);
            imported = inserter.add(pair);
            inserter.finish();
        }
        ExampleStore store(temp.db());
        QCOMPARE(store.example(imported)->record.rejected, QStringLiteral("Seven."));
        StoredExample added;
        added.record = pair;
        const qint64 second = store.add(id, added);
        QCOMPARE(store.example(second)->record.rejected, QStringLiteral("Seven."));

        StoredExample edited = *store.example(second);
        edited.record.rejected = QStringLiteral("Purple is a number.");
        store.update(edited);
        QCOMPARE(store.example(second)->record.rejected, QStringLiteral("Purple is a number."));
        const qint64 copy = store.duplicate(second);
        QCOMPARE(store.example(copy)->record.rejected, QStringLiteral("Purple is a number."));

        ExampleRecord replaced = store.example(copy)->record;
        replaced.rejected.clear(); // no longer a pair
        const std::vector<ExampleTextChange> previous = store.replaceTexts({{copy, replaced}});
        QVERIFY(!store.example(copy)->record.isPreferencePair());
        QCOMPARE(previous.front().record.rejected, QStringLiteral("Purple is a number."));
        store.replaceTexts(previous); // undo
        QCOMPARE(store.example(copy)->record.rejected, QStringLiteral("Purple is a number."));

        const std::vector<StoredExample> removed = store.remove({imported});
        store.restore(removed);
        QCOMPARE(store.example(imported)->record.rejected, QStringLiteral("Seven."));
        checkFtsIntegrity(temp.db());
    }

    void tagCounts()
    {
        test::TempDatabase temp;
        const qint64 id = fillDataset(temp.db(), QStringLiteral("d"), 30);
        const auto counts = ExampleStore(temp.db()).tagCounts(id);
        QCOMPARE(counts.size(), size_t(2));
        QCOMPARE(counts[0], (std::pair<QString, qint64>{QStringLiteral("five"), 6}));
        QCOMPARE(counts[1], (std::pair<QString, qint64>{QStringLiteral("three"), 10}));
    }
};

QTEST_GUILESS_MAIN(TestExampleStore)
#include "tst_example_store.moc"
