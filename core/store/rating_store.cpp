#include "store/rating_store.h"

#include <cmath>
#include <limits>

#include <QSqlQuery>
#include <QVariant>

#include "common/error.h"
#include "store/database.h"
#include "store/store_sql.h"

namespace ft {

namespace {

using store::text;

constexpr double kZ95 = 1.959963984540054; // the normal quantile of 0.975

Verdict swapped(Verdict verdict)
{
    return verdict == Verdict::A ? Verdict::B : verdict == Verdict::B ? Verdict::A : Verdict::Tie;
}

// The same rating with its pair named the other way round.
Rating turned(Rating rating)
{
    std::swap(rating.a, rating.b);
    std::swap(rating.answerA, rating.answerB);
    rating.aShownFirst = !rating.aShownFirst;
    rating.verdict = swapped(rating.verdict);
    return rating;
}

// The pair as stored: subjects in sorted order.
Rating canonical(const Rating& rating) { return rating.a.id < rating.b.id ? rating : turned(rating); }

// Wilson's score interval for rate p over n at z: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
std::pair<double, double> wilsonInterval(double p, double n, double z)
{
    const double z2 = z * z;
    const double centre = p + z2 / (2 * n);
    const double spread = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return {std::max(0.0, (centre - spread) / (1 + z2 / n)), std::min(1.0, (centre + spread) / (1 + z2 / n))};
}

QVariant runOrNull(qint64 runId) { return runId > 0 ? QVariant(runId) : QVariant(QMetaType::fromType<qint64>()); }

} // namespace

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::A:
        return QStringLiteral("a");
    case Verdict::B:
        return QStringLiteral("b");
    case Verdict::Tie:
        break;
    }
    return QStringLiteral("tie");
}

std::optional<Verdict> verdictFromName(const QString& name)
{
    if (name == QLatin1String("a"))
        return Verdict::A;
    if (name == QLatin1String("b"))
        return Verdict::B;
    if (name == QLatin1String("tie"))
        return Verdict::Tie;
    return std::nullopt;
}

double WinRate::rate() const
{
    const auto n = static_cast<double>(count());
    return n > 0 ? (static_cast<double>(wins) + 0.5 * static_cast<double>(ties)) / n
                 : std::numeric_limits<double>::quiet_NaN();
}

double WinRate::low() const
{
    const auto n = static_cast<double>(count());
    return n > 0 ? wilsonInterval(rate(), n, kZ95).first : std::numeric_limits<double>::quiet_NaN();
}

double WinRate::high() const
{
    const auto n = static_cast<double>(count());
    return n > 0 ? wilsonInterval(rate(), n, kZ95).second : std::numeric_limits<double>::quiet_NaN();
}

QString WinRate::text() const
{
    if (count() == 0)
        return QStringLiteral("no ratings");
    return QStringLiteral("%1 % (%2–%3 %), %4 wins, %5 losses, %6 ties")
        .arg(std::round(100 * rate()))
        .arg(std::round(100 * low()))
        .arg(std::round(100 * high()))
        .arg(wins)
        .arg(losses)
        .arg(ties);
}

RatingStore::RatingStore(QSqlDatabase db)
    : m_db(std::move(db))
{
}

void RatingStore::save(const Rating& given)
{
    if (given.a.id.isEmpty() || given.b.id.isEmpty() || given.a.id == given.b.id)
        throw Error(QStringLiteral("a rating compares two different models (got \"%1\" and \"%2\")")
                        .arg(given.a.id, given.b.id));
    if (given.exampleKey.isEmpty())
        throw Error(QStringLiteral("a rating needs the example's key"));
    const Rating r = canonical(given);
    QSqlQuery query = prepareSql(
        m_db,
        QStringLiteral("INSERT INTO ratings (subject_a, subject_b, label_a, label_b, run_a, run_b, example_key, "
                       "prompt, reference, answer_a, answer_b, a_shown_first, verdict, comment, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (subject_a, subject_b, example_key) DO UPDATE SET label_a = excluded.label_a, "
                       "label_b = excluded.label_b, prompt = excluded.prompt, reference = excluded.reference, "
                       "answer_a = excluded.answer_a, answer_b = excluded.answer_b, "
                       "a_shown_first = excluded.a_shown_first, verdict = excluded.verdict, "
                       "comment = excluded.comment, created = excluded.created"));
    const QVariantList values{
        QVariant(r.a.id),       QVariant(r.b.id),     text(r.a.label),
        text(r.b.label),        runOrNull(r.a.runId), runOrNull(r.b.runId),
        r.exampleKey,           text(r.prompt),       text(r.reference),
        text(r.answerA),        text(r.answerB),      QVariant(r.aShownFirst ? 1 : 0),
        verdictName(r.verdict), text(r.comment),      QVariant(r.created > 0 ? r.created : nowMs())};
    for (int i = 0; i < values.size(); ++i)
        query.bindValue(i, values[i]);
    execPrepared(query);
}

std::vector<Rating> RatingStore::ratings(const QString& subjectA, const QString& subjectB) const
{
    QSqlQuery query = prepareSql(
        m_db, QStringLiteral("SELECT subject_a, subject_b, label_a, label_b, run_a, run_b, example_key, prompt, "
                             "reference, answer_a, answer_b, a_shown_first, verdict, comment, created FROM ratings "
                             "WHERE subject_a = ? AND subject_b = ? ORDER BY created, id"));
    query.bindValue(0, std::min(subjectA, subjectB));
    query.bindValue(1, std::max(subjectA, subjectB));
    execPrepared(query);
    std::vector<Rating> result;
    while (query.next()) {
        Rating r;
        r.a = {query.value(0).toString(), query.value(2).toString(), query.value(4).toLongLong()};
        r.b = {query.value(1).toString(), query.value(3).toString(), query.value(5).toLongLong()};
        r.exampleKey = query.value(6).toString();
        r.prompt = query.value(7).toString();
        r.reference = query.value(8).toString();
        r.answerA = query.value(9).toString();
        r.answerB = query.value(10).toString();
        r.aShownFirst = query.value(11).toInt() != 0;
        r.verdict = verdictFromName(query.value(12).toString()).value_or(Verdict::Tie);
        r.comment = query.value(13).toString();
        r.created = query.value(14).toLongLong();
        result.push_back(r.a.id == subjectA ? std::move(r) : turned(std::move(r))); // in the order asked
    }
    return result;
}

std::vector<PairTally> RatingStore::selectTallies(const QString& where, qint64 runId) const
{
    QSqlQuery query = prepareSql(
        m_db, QStringLiteral("SELECT subject_a, subject_b, max(label_a), max(label_b), max(run_a), max(run_b), "
                             "sum(verdict = 'a'), sum(verdict = 'b'), sum(verdict = 'tie') FROM ratings %1 "
                             "GROUP BY subject_a, subject_b ORDER BY subject_a, subject_b")
                  .arg(where));
    if (runId > 0) {
        query.bindValue(0, runId);
        query.bindValue(1, runId);
    }
    execPrepared(query);
    std::vector<PairTally> result;
    while (query.next()) {
        PairTally t;
        t.a = {query.value(0).toString(), query.value(2).toString(), query.value(4).toLongLong()};
        t.b = {query.value(1).toString(), query.value(3).toString(), query.value(5).toLongLong()};
        t.aWins.wins = query.value(6).toLongLong();
        t.aWins.losses = query.value(7).toLongLong();
        t.aWins.ties = query.value(8).toLongLong();
        result.push_back(t);
    }
    return result;
}

std::vector<PairTally> RatingStore::tallies() const { return selectTallies({}, 0); }

std::vector<PairTally> RatingStore::talliesForRun(qint64 runId) const
{
    return selectTallies(QStringLiteral("WHERE run_a = ? OR run_b = ?"), runId);
}

PairTally PairTally::seenFrom(qint64 runId) const
{
    if (b.runId != runId || a.runId == runId)
        return *this;
    PairTally other{b, a, aWins};
    std::swap(other.aWins.wins, other.aWins.losses);
    return other;
}

} // namespace ft
