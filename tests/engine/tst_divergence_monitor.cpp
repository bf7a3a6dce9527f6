// Telling a diverged run from a noisy one: the signs, their persistence, and the step where it began.
#include <cmath>
#include <limits>
#include <random>

#include <QTest>

#include "engine/divergence_monitor.h"

using namespace ft;

namespace {

// Feeds (loss, gradient norm) pairs from step 1; the first verdict and the step it came at.
struct Outcome {
    std::optional<DivergenceVerdict> verdict;
    int64_t step = 0;
};

Outcome feed(DivergenceMonitor& monitor, const std::vector<std::pair<double, double>>& steps, int64_t first = 1)
{
    for (size_t i = 0; i < steps.size(); ++i) {
        const int64_t step = first + static_cast<int64_t>(i);
        if (auto verdict = monitor.observe(step, steps[i].first, steps[i].second))
            return {verdict, step};
    }
    return {};
}

} // namespace

class TestDivergenceMonitor : public QObject {
    Q_OBJECT
private slots:
    // A healthy fine-tune: falling loss with batch noise of ±40 %, and a slow rise (overfitting).
    void noisyHealthyRunsAreNeverFlagged()
    {
        std::mt19937 random(7);
        std::uniform_real_distribution<double> noise(0.6, 1.4);
        std::vector<std::pair<double, double>> steps;
        for (int i = 0; i < 2000; ++i) {
            const double trend = i < 1000 ? 4.0 * std::exp(-i / 200.0) + 0.3 : 0.3 + (i - 1000) * 0.0005;
            steps.emplace_back(trend * noise(random), 0.5 + noise(random));
        }
        DivergenceMonitor monitor;
        const Outcome outcome = feed(monitor, steps);
        QVERIFY2(!outcome.verdict, qPrintable(outcome.verdict ? outcome.verdict->reason : QString()));
    }
    void spikesMustPersist()
    {
        DivergenceMonitor monitor;
        // Two spikes in a row and one more later: noise, not divergence.
        QVERIFY(!feed(monitor, {{3.0, 1}, {2.9, 1}, {300, 50}, {250, 40}, {2.8, 1}, {400, 60}, {2.7, 1}}).verdict);
        const Outcome outcome = feed(monitor, {{300, 50}, {280, 40}, {290, 45}}, 8);
        QVERIFY(outcome.verdict);
        QCOMPARE(outcome.step, 10);
        QCOMPARE(outcome.verdict->firstBadStep, 8);
        QVERIFY2(outcome.verdict->reason.startsWith(QLatin1String("the loss exploded: 3 steps in a row")),
                 qPrintable(outcome.verdict->reason));
    }
    // What stories260K does at a learning rate of 10: it explodes after its first update, before
    // any smoothed history exists; the first step's loss is the reference.
    void anExplosionRightAfterTheFirstStep()
    {
        DivergenceMonitor monitor;
        const Outcome outcome = feed(monitor, {{4.94, 9.6}, {1821.0, 55588}, {4379.5, 82}, {4910.4, 132}});
        QVERIFY(outcome.verdict);
        QCOMPARE(outcome.step, 4);
        QCOMPARE(outcome.verdict->firstBadStep, 2);
        QVERIFY2(outcome.verdict->reason.contains(QLatin1String("reference loss of 4.94")),
                 qPrintable(outcome.verdict->reason));
    }
    // The reference follows the run down: a rise from 0.5 to 3 is an explosion, though 3 was the start.
    void theReferenceIsTheLowestSmoothedLoss()
    {
        std::vector<std::pair<double, double>> steps;
        for (int i = 0; i < 100; ++i)
            steps.emplace_back(0.5 + 4.5 * std::exp(-i / 10.0), 1.0);
        DivergenceMonitor monitor;
        QVERIFY(!feed(monitor, steps).verdict);
        QVERIFY(monitor.referenceLoss() < 0.6);
        const Outcome outcome = feed(monitor, {{3.0, 1}, {3.1, 1}, {3.0, 1}}, 101);
        QVERIFY(outcome.verdict);
        QCOMPARE(outcome.verdict->firstBadStep, 101);
    }
    // What a learning rate of 1e3 does: saturated weights, the loss pinned at ln(vocab), no gradient.
    void deadGradients()
    {
        DivergenceMonitor monitor;
        QVERIFY(!feed(monitor, {{4.9, 9.6}, {6.238, 0.0}, {6.238, 0.0}, {6.1, 0.2}, {6.238, 0.0}}).verdict);
        const Outcome outcome = feed(monitor, {{6.238, 0.0}, {6.238, 0.0}}, 6);
        QVERIFY(outcome.verdict);
        QCOMPARE(outcome.step, 7);
        QCOMPARE(outcome.verdict->firstBadStep, 5);
        QVERIFY2(outcome.verdict->reason.contains(QLatin1String("exactly zero for 3 steps")),
                 qPrintable(outcome.verdict->reason));
        // A loss of zero has nothing left to learn: no gradient is no failure then.
        DivergenceMonitor perfect;
        QVERIFY(!feed(perfect, {{0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}}).verdict);
    }
    void nanAndInfAreAtOnce()
    {
        DivergenceMonitor monitor;
        const Outcome nan = feed(monitor, {{3.0, 1.0}, {std::numeric_limits<double>::quiet_NaN(), 1.0}});
        QVERIFY(nan.verdict);
        QCOMPARE(nan.verdict->firstBadStep, 2);
        DivergenceMonitor other;
        QVERIFY(feed(other, {{3.0, std::numeric_limits<double>::infinity()}}).verdict);
    }
};

QTEST_APPLESS_MAIN(TestDivergenceMonitor)
#include "tst_divergence_monitor.moc"
