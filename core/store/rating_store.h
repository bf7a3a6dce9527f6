#pragma once
// People's blind ratings: for one example, two models' answers were shown in random order and the
// person said which was better, or that they were equal. Stored in the workspace (table ratings),
// one rating per pair of models and example (rating again replaces it), and tallied per pair into a
// win rate with a 95 % confidence interval.
//
// A subject is what answered: "base:<model identity>" for a base model, "run:<id>:<checkpoint>" for a
// run. A pair is stored once, its subjects in sorted order; callers may name it either way round and
// get their own order back. Thread rule as every store: one RatingStore per thread's connection.

#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QString>

namespace ft {

enum class Verdict { A, B, Tie };     // A's answer better, B's better, or neither
QString verdictName(Verdict verdict); // "a", "b", "tie"
std::optional<Verdict> verdictFromName(const QString& name);

struct RatingSubject {
    QString id;       // "base:<model identity>" or "run:<id>:<checkpoint>"
    QString label;    // what people read: "base", "#3 lora-r8 (final)"
    qint64 runId = 0; // runs: the run, whose deletion removes its ratings
};

struct Rating {
    RatingSubject a, b;
    QString exampleKey; // the record's key, the same in both evaluations
    QString prompt;
    QString reference;
    QString answerA, answerB;
    bool aShownFirst = true; // where A's answer was shown: first (left) or second
    Verdict verdict = Verdict::Tie;
    QString comment;
    qint64 created = 0; // ms since the Unix epoch; 0 when saving: now
};

// A 95 % Wilson score interval for a win rate in which a tie counts half a win.
struct WinRate {
    qint64 wins = 0, losses = 0, ties = 0;
    qint64 count() const { return wins + losses + ties; }
    double rate() const; // (wins + ties / 2) / count; NaN without ratings
    double low() const;  // the interval's bounds, within [0, 1]; NaN without ratings
    double high() const;
    QString text() const; // "62 % (48–75 %), 12 wins, 6 losses, 2 ties"
};

struct PairTally {
    RatingSubject a, b; // a's win rate against b
    WinRate aWins;
    // The same tally with `runId`'s side as a (unchanged when a is that run or neither is).
    PairTally seenFrom(qint64 runId) const;
};

class RatingStore {
public:
    explicit RatingStore(QSqlDatabase db);

    // Saves (or replaces) the rating of this pair and example, in the pair's stored order.
    void save(const Rating& rating);
    // The ratings of a pair, oldest first, in the order the pair is named here.
    std::vector<Rating> ratings(const QString& subjectA, const QString& subjectB) const;
    // Every rated pair's tally (a before b as stored: sorted ids), or those involving one run.
    std::vector<PairTally> tallies() const;
    std::vector<PairTally> talliesForRun(qint64 runId) const;

private:
    std::vector<PairTally> selectTallies(const QString& where, qint64 runId) const;
    QSqlDatabase m_db;
};

} // namespace ft
