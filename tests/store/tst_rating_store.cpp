// Blind ratings: stored once per pair and example whichever way round the pair is named, replaced when
// rated again, removed with their run, and tallied into win rates whose Wilson intervals match values
// computed by hand.

#include <cmath>

#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/rating_store.h"
#include "store/run_store.h"
#include "store_test_support.h"

using namespace ft;

namespace {

Rating rating(const RatingSubject& a, const RatingSubject& b, const QString& key, Verdict verdict,
              bool aShownFirst = true)
{
    Rating r;
    r.a = a;
    r.b = b;
    r.exampleKey = key;
    r.prompt = QStringLiteral("prompt ") + key;
    r.answerA = QStringLiteral("answer of ") + a.label;
    r.answerB = QStringLiteral("answer of ") + b.label;
    r.verdict = verdict;
    r.aShownFirst = aShownFirst;
    return r;
}

} // namespace

class TestRatingStore : public QObject {
    Q_OBJECT
private slots:
    void wilsonIntervalMatchesHandValues()
    {
        // 8 wins, 2 losses: p = 0.8, n = 10, z = 1.96: (0.8 + 0.19208 ± 1.96 sqrt(0.016 + 0.0096037)) / 1.38415
        // = 0.4902 .. 0.9433.
        WinRate w;
        w.wins = 8;
        w.losses = 2;
        QCOMPARE(w.rate(), 0.8);
        QVERIFY2(std::abs(w.low() - 0.4902) < 1e-4, qPrintable(QString::number(w.low())));
        QVERIFY2(std::abs(w.high() - 0.9433) < 1e-4, qPrintable(QString::number(w.high())));
        // A tie is half a win: 1 win, 1 tie, 2 losses is 1.5 of 4.
        WinRate t;
        t.wins = 1;
        t.ties = 1;
        t.losses = 2;
        QCOMPARE(t.rate(), 0.375);
        QVERIFY(t.low() < 0.375 && t.high() > 0.375);
        // Always within [0, 1], symmetric for the other side, and no number without ratings.
        WinRate all;
        all.wins = 5;
        QCOMPARE(all.high(), 1.0);
        WinRate none;
        none.losses = 5;
        QVERIFY(std::abs(none.low()) < 1e-12);
        QVERIFY(std::abs(all.low() - (1.0 - none.high())) < 1e-12);
        QVERIFY(std::isnan(WinRate().rate()));
        QCOMPARE(w.text(), QStringLiteral("80 % (49–94 %), 8 wins, 2 losses, 0 ties"));
    }
    void storedOncePerPairWhicheverWayRound()
    {
        test::TempDatabase temp;
        RatingStore store(temp.db());
        const RatingSubject base{QStringLiteral("base:abc"), QStringLiteral("base"), 0};
        const RatingSubject run{QStringLiteral("run:3:final"), QStringLiteral("#3 lora"), 0};
        store.save(rating(run, base, QStringLiteral("k1"), Verdict::A, /*aShownFirst=*/false)); // run better
        store.save(rating(base, run, QStringLiteral("k2"), Verdict::Tie));
        store.save(rating(base, run, QStringLiteral("k3"), Verdict::A)); // base better
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM ratings")).toInt(), 3);

        // Read as (run, base): the run won k1, tied k2, lost k3, and k1's answers are the run's first.
        const std::vector<Rating> asRun = store.ratings(run.id, base.id);
        QCOMPARE(asRun.size(), size_t(3));
        QCOMPARE(asRun[0].exampleKey, QStringLiteral("k1"));
        QCOMPARE(asRun[0].verdict, Verdict::A);
        QCOMPARE(asRun[0].answerA, QStringLiteral("answer of #3 lora"));
        QCOMPARE(asRun[0].aShownFirst, false);
        QCOMPARE(asRun[1].verdict, Verdict::Tie);
        QCOMPARE(asRun[2].verdict, Verdict::B);
        // And as (base, run): the same ratings turned round.
        const std::vector<Rating> asBase = store.ratings(base.id, run.id);
        QCOMPARE(asBase[0].verdict, Verdict::B);
        QCOMPARE(asBase[0].answerA, QStringLiteral("answer of base"));
        QCOMPARE(asBase[0].aShownFirst, true);

        // The tally, stored base first (sorted ids), and seen from the run's side.
        const std::vector<PairTally> all = store.tallies();
        QCOMPARE(all.size(), size_t(1));
        QCOMPARE(all[0].a.id, base.id);
        QCOMPARE(all[0].aWins.wins, qint64(1));

        // Rating an example again replaces its rating.
        store.save(rating(base, run, QStringLiteral("k3"), Verdict::B));
        QCOMPARE(scalarSql(temp.db(), QStringLiteral("SELECT count(*) FROM ratings")).toInt(), 3);
        QCOMPARE(store.tallies()[0].aWins.losses, qint64(2)); // the base lost k1 and now k3
        QCOMPARE(store.ratings(run.id, base.id)[2].verdict, Verdict::A);
    }
    void seenFromARun()
    {
        PairTally stored;
        stored.a = {QStringLiteral("base:abc"), QStringLiteral("base"), 0};
        stored.b = {QStringLiteral("run:4:final"), QStringLiteral("#4"), 4};
        stored.aWins.wins = 1;
        stored.aWins.losses = 3;
        stored.aWins.ties = 2;
        const PairTally fromRun = stored.seenFrom(4);
        QCOMPARE(fromRun.a.label, QStringLiteral("#4"));
        QCOMPARE(fromRun.b.label, QStringLiteral("base"));
        QCOMPARE(fromRun.aWins.wins, qint64(3));
        QCOMPARE(fromRun.aWins.losses, qint64(1));
        QCOMPARE(fromRun.aWins.ties, qint64(2));
        QCOMPARE(stored.seenFrom(9).a.label, QStringLiteral("base")); // neither side: as stored
    }
    void refusesAPairOfOneModel()
    {
        test::TempDatabase temp;
        RatingStore store(temp.db());
        const RatingSubject base{QStringLiteral("base:abc"), QStringLiteral("base"), 0};
        try {
            store.save(rating(base, base, QStringLiteral("k"), Verdict::A));
            QFAIL("a model was rated against itself");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("two different models")), qPrintable(error.message()));
        }
    }
    void ratingsGoWithTheirRun()
    {
        test::TempDatabase temp;
        RunStore runs(temp.db());
        const qint64 first = runs.createRun({});
        const qint64 second = runs.createRun({});
        RatingStore store(temp.db());
        const RatingSubject base{QStringLiteral("base:abc"), QStringLiteral("base"), 0};
        const RatingSubject a{QStringLiteral("run:%1:final").arg(first), QStringLiteral("first"), first};
        const RatingSubject b{QStringLiteral("run:%1:final").arg(second), QStringLiteral("second"), second};
        store.save(rating(a, base, QStringLiteral("k1"), Verdict::A));
        store.save(rating(b, base, QStringLiteral("k1"), Verdict::B));
        store.save(rating(a, b, QStringLiteral("k1"), Verdict::A));
        QCOMPARE(store.talliesForRun(first).size(), size_t(2));
        QCOMPARE(store.talliesForRun(second).size(), size_t(2));
        runs.remove(first);
        QCOMPARE(store.tallies().size(), size_t(1));
        QCOMPARE(store.talliesForRun(second).size(), size_t(1));
        QCOMPARE(store.talliesForRun(second)[0].b.label, QStringLiteral("second"));
    }
};

QTEST_APPLESS_MAIN(TestRatingStore)
#include "tst_rating_store.moc"
