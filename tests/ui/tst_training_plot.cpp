// TrainingPlot: points appended in batches reach the graphs in order; the x axis switches between
// step, tokens and time; smoothing, validation loss, checkpoint and best-step markers, log scale,
// following versus a user's zoom; with 100,000 points, one redraw per pass of the event loop and the
// pens that keep a redraw short (bench/bench_plot times it).

#include <cmath>

#include <QSet>
#include <QTest>

#include <qcustomplot.h>

#include "synthetic_step_points.h"
#include "widgets/plot_tickers.h"
#include "widgets/training_plot.h"

using namespace ft;
using namespace ft::ui;

namespace {

QVector<StepPoint> points(qint64 from, qint64 count) { return test::syntheticStepPoints(from, count); }

QVector<double> keysOf(QCPGraph* graph)
{
    QVector<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        keys.append(it->key);
    return keys;
}

} // namespace

class TestTrainingPlot : public QObject {
    Q_OBJECT
private slots:
    void appendsBatchesInOrder()
    {
        TrainingPlot plot;
        plot.appendSteps(points(1, 10));
        plot.appendSteps(points(11, 5));
        QCOMPARE(plot.stepCount(), 15);
        for (auto series :
             {TrainingPlot::Series::Loss, TrainingPlot::Series::SmoothedLoss, TrainingPlot::Series::LearningRate,
              TrainingPlot::Series::GradNorm, TrainingPlot::Series::TokensPerSecond})
            QCOMPARE(plot.graph(series)->dataCount(), 15);
        const QVector<double> keys = keysOf(plot.graph(TrainingPlot::Series::Loss));
        QCOMPARE(keys.first(), 1.0);
        QCOMPARE(keys.last(), 15.0);
        // A restarted stream (step 12 again) replaces what followed it.
        plot.appendSteps(points(12, 2));
        QCOMPARE(plot.stepCount(), 13);
        QCOMPARE(keysOf(plot.graph(TrainingPlot::Series::Loss)).last(), 13.0);
    }
    void switchesTheXAxis()
    {
        TrainingPlot plot;
        plot.appendSteps(points(1, 4));
        plot.setXAxis(TrainingPlot::XAxis::Tokens);
        QCOMPARE(keysOf(plot.graph(TrainingPlot::Series::Loss)), (QVector<double>{512, 1024, 1536, 2048}));
        plot.setXAxis(TrainingPlot::XAxis::Time);
        QCOMPARE(keysOf(plot.graph(TrainingPlot::Series::Loss)), (QVector<double>{0.5, 1.0, 1.5, 2.0}));
        // A resumed run counts its time from zero again: the time axis keeps going forward.
        QVector<StepPoint> resumed = points(5, 2);
        resumed[0].elapsed = 0.25;
        resumed[1].elapsed = 0.75;
        plot.appendSteps(resumed);
        const QVector<double> time = keysOf(plot.graph(TrainingPlot::Series::Loss));
        QCOMPARE(time.mid(4), (QVector<double>{2.25, 2.75}));
        plot.setXAxis(TrainingPlot::XAxis::Step);
        QCOMPARE(keysOf(plot.graph(TrainingPlot::Series::Loss)).last(), 6.0);
    }
    void smoothsTheLoss()
    {
        TrainingPlot plot;
        QVector<StepPoint> steps = points(1, 3);
        steps[0].loss = 4.0;
        steps[1].loss = 2.0;
        steps[2].loss = 3.0;
        plot.setSmoothing(0.0);
        plot.appendSteps(steps);
        QCOMPARE(plot.graph(TrainingPlot::Series::SmoothedLoss)->data()->at(1)->value,
                 2.0); // no smoothing: the raw value
        plot.setSmoothing(0.5);
        // Debiased EMA: (0.5*4 + 0.5*2*... ) -> step 1: 4; step 2: (0.5*2 + 0.25*4)/(1-0.25) = 2.666...
        QCOMPARE(plot.graph(TrainingPlot::Series::SmoothedLoss)->data()->at(0)->value, 4.0);
        QVERIFY(std::abs(plot.graph(TrainingPlot::Series::SmoothedLoss)->data()->at(1)->value - 8.0 / 3.0) < 1e-12);
    }
    void marksEvaluationsCheckpointsAndTheBestStep()
    {
        TrainingPlot plot;
        plot.appendSteps(points(1, 30));
        plot.addEval({10, 2.0, 7.4, 2.0, true});
        plot.addEval({20, 1.5, 4.5, 1.5, true});
        plot.addEval({30, 1.8, 6.0, 1.5, false});
        plot.addCheckpoint({20, QStringLiteral("/c/20"), true, 1.5});
        plot.addCheckpoint({30, QStringLiteral("/c/30"), false, 1.8});
        QCOMPARE(plot.graph(TrainingPlot::Series::ValLoss)->dataCount(), 3);
        QCOMPARE(plot.graph(TrainingPlot::Series::Checkpoints)->dataCount(), 2);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->dataCount(), 1);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->data()->at(0)->key, 20.0);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->data()->at(0)->value, 1.5);
        QVERIFY(plot.graph(TrainingPlot::Series::Best)->name().contains(QStringLiteral("step 20")));
        // Markers move with the x axis.
        plot.setXAxis(TrainingPlot::XAxis::Tokens);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->data()->at(0)->key, 20.0 * 512);
        // setTrace rebuilds the same picture from a run's record.
        RunTrace trace;
        trace.appendSteps(points(1, 30));
        trace.apply(EvalPoint{20, 1.5, 4.5, 1.5, true});
        TrainingPlot again;
        again.setTrace(trace);
        QCOMPARE(again.graph(TrainingPlot::Series::Loss)->dataCount(), 30);
        QCOMPARE(again.graph(TrainingPlot::Series::ValLoss)->dataCount(), 1);
        // The next run shown has no evaluation yet: the legend no longer names the last run's best step.
        RunTrace next;
        next.appendSteps(points(1, 5));
        plot.setTrace(next);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->dataCount(), 0);
        QCOMPARE(plot.graph(TrainingPlot::Series::Best)->name(), QStringLiteral("best"));
    }
    // A DPO run gets a panel under the loss: its reward margin per step, the validation margin at each
    // evaluation, and the reward accuracy on the panel's right axis; the next run without pairs has none.
    void showsADpoRunsRewards()
    {
        TrainingPlot plot;
        QCPLayoutGrid* layout = plot.customPlot()->plotLayout();
        plot.appendSteps(points(1, 4));
        QVERIFY(!plot.showsPreferencePanel());
        QCOMPARE(layout->rowCount(), 4);
        QVector<StepPoint> dpo = points(1, 6);
        for (qsizetype i = 0; i < dpo.size(); ++i) {
            dpo[i].rewardMargin = 0.1 * static_cast<double>(i);
            dpo[i].rewardAccuracy = i < 3 ? 0.5 : 0.75;
        }
        RunTrace trace;
        trace.appendSteps(dpo);
        EvalPoint eval{6, 0.6, kNoValue, 0.6, true};
        eval.rewardMargin = 0.4;
        eval.rewardAccuracy = 0.7;
        trace.apply(eval);
        plot.setTrace(trace);
        QVERIFY(plot.showsPreferencePanel());
        QCOMPARE(layout->rowCount(), 5);
        QCPGraph* margin = plot.graph(TrainingPlot::Series::RewardMargin);
        QCOMPARE(margin->dataCount(), 6);
        QVERIFY(std::abs(margin->data()->at(5)->value - 0.5) < 1e-12);
        QCOMPARE(plot.graph(TrainingPlot::Series::RewardAccuracy)->data()->at(5)->value, 0.75);
        QCOMPARE(plot.graph(TrainingPlot::Series::RewardAccuracy)->valueAxis()->range().upper, 1.0);
        QCOMPARE(plot.graph(TrainingPlot::Series::ValRewardMargin)->dataCount(), 1);
        QCOMPARE(plot.graph(TrainingPlot::Series::ValRewardMargin)->data()->at(0)->value, 0.4);
        QCOMPARE(layout->element(1, 0), static_cast<QCPLayoutElement*>(margin->keyAxis()->axisRect()));
        plot.replotNow(); // drawn without complaint

        RunTrace plain;
        plain.appendSteps(points(1, 5));
        plot.setTrace(plain);
        QVERIFY(!plot.showsPreferencePanel());
        QCOMPARE(layout->rowCount(), 4);
        for (auto it = margin->data()->constBegin(); it != margin->data()->constEnd(); ++it)
            QVERIFY(std::isnan(it->value)); // nothing of the DPO run is left
        QVERIFY(!margin->visible());
        plot.replotNow();
    }
    // A resumed run is one curve with its resume marked (in the legend only then); live, the mark comes
    // with the new session's start.
    void marksWhereARunWasResumed()
    {
        RunTrace trace;
        trace.appendSteps(points(1, 20));
        RunStartInfo resumed;
        resumed.resumedFromStep = 12;
        trace.apply(resumed);
        TrainingPlot plot;
        QCPGraph* resumes = plot.graph(TrainingPlot::Series::Resumes);
        QVERIFY(!plot.customPlot()->legend->hasItemWithPlottable(resumes));
        plot.setTrace(trace);
        QCOMPARE(plot.graph(TrainingPlot::Series::Loss)->dataCount(), 20);
        QCOMPARE(keysOf(resumes), QVector<double>{12.0});
        QVERIFY(plot.customPlot()->legend->hasItemWithPlottable(resumes));
        // A second resume, as the monitor shows it when that session starts: the trace drawn again.
        trace.appendSteps(points(21, 10));
        resumed.resumedFromStep = 25;
        trace.apply(resumed);
        plot.setTrace(trace);
        QCOMPARE(keysOf(resumes), (QVector<double>{12.0, 25.0}));
        plot.setTrace(RunTrace{});
        QCOMPARE(resumes->dataCount(), 0);
        QVERIFY(!plot.customPlot()->legend->hasItemWithPlottable(resumes));
    }
    // Ticks a user can read: whole steps (never 2.5), and learning-rate labels that differ from each other
    // even over a narrow range (they read "2·10⁻⁴" three times).
    void axesTickOnWholeStepsWithDistinctLabels()
    {
        TrainingPlot plot;
        QVector<StepPoint> steps = points(1, 6);
        for (int i = 0; i < steps.size(); ++i)
            steps[i].learningRate = 1.90e-4 + 0.02e-4 * i; // 1.90 .. 2.00 x 10^-4
        plot.appendSteps(steps);
        plot.resize(800, 600);
        plot.customPlot()->replot();
        QCPAxis* stepAxis = plot.graph(TrainingPlot::Series::Loss)->keyAxis();
        QVERIFY(!stepAxis->tickVector().isEmpty());
        for (double tick : stepAxis->tickVector())
            QCOMPARE(tick, std::round(tick));
        QCPAxis* lrAxis = plot.graph(TrainingPlot::Series::LearningRate)->valueAxis();
        const QVector<QString> labels = lrAxis->tickVectorLabels();
        QVERIFY(labels.size() >= 2);
        QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());

        QCOMPARE(DistinctLabelTicker::digitsFor(1.95e-4, 0.05e-4), 2); // 1.95
        QCOMPARE(DistinctLabelTicker::digitsFor(2e-4, 1e-4), 0);       // 2
        QCOMPARE(DistinctLabelTicker::digitsFor(2e-4, 0.5e-4), 1);     // 2.5
    }

    void logScaleAndFollowing()
    {
        TrainingPlot plot;
        plot.resize(800, 600);
        plot.appendSteps(points(1, 100));
        QCPAxis* x = plot.customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
        QCOMPARE(x->range().lower, 1.0);
        QCOMPARE(x->range().upper, 100.0);
        QVERIFY(plot.isFollowing());
        plot.setLogScale(true);
        QCOMPARE(plot.customPlot()->axisRect(0)->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(plot.customPlot()->axisRect(0)->axis(QCPAxis::atLeft)->range().lower > 0);
        plot.setLogScale(false);
        QCOMPARE(plot.customPlot()->axisRect(0)->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLinear);
        // The user zooms with the wheel: the view stops following, and the other panels zoom along.
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        const QPoint centre = plot.customPlot()->axisRect(0)->rect().center();
        QWheelEvent wheel(centre, plot.customPlot()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(plot.customPlot(), &wheel);
        QVERIFY(!plot.isFollowing());
        QVERIFY(x->range().size() < 99.0);
        QCOMPARE(plot.customPlot()->axisRect(3)->axis(QCPAxis::atBottom)->range(), x->range());
        const QCPRange zoomed = x->range();
        plot.appendSteps(points(101, 50));
        QCOMPARE(x->range(), zoomed); // new points do not move a view the user chose
        plot.fitView();
        QVERIFY(plot.isFollowing());
        QCOMPARE(x->range().upper, 150.0);
    }
    void drawsManyPointsCheaply()
    {
        // 100,000 points arriving in batches of 1,000, as WorkerProcess delivers them. How long the
        // redraws take is measured by bench/bench_plot (bench/README.md, docs/gui.md); this asserts
        // what keeps them short: one redraw per pass of the event loop however many batches came,
        // and the per-step curves drawn with 1-pixel cosmetic pens (a 2-pixel pen sent 100,000-point
        // lines through Qt's polygon stroker: 230 ms per redraw), adaptively sampled, and the noisy
        // raw curves without antialiasing.
        TrainingPlot plot;
        plot.resize(1200, 700);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QCoreApplication::processEvents();
        int replots = 0;
        connect(plot.customPlot(), &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
        for (qint64 from = 1; from <= 100000; from += 1000)
            plot.appendSteps(points(from, 1000));
        QCOMPARE(replots, 0); // queued, not drawn once per batch
        QCoreApplication::processEvents();
        QCOMPARE(replots, 1);
        QCOMPARE(plot.customPlot()->axisRect(0)->axis(QCPAxis::atBottom)->range().upper, 100000.0);

        const QList<TrainingPlot::Series> perStep = {TrainingPlot::Series::Loss, TrainingPlot::Series::SmoothedLoss,
                                                     TrainingPlot::Series::LearningRate, TrainingPlot::Series::GradNorm,
                                                     TrainingPlot::Series::TokensPerSecond};
        for (auto series : perStep) {
            QCPGraph* graph = plot.graph(series);
            QCOMPARE(graph->dataCount(), 100000);
            QVERIFY2(graph->adaptiveSampling(), qPrintable(graph->name()));
            QVERIFY2(graph->pen().isCosmetic() && graph->pen().widthF() <= 1.0, qPrintable(graph->name()));
        }
        for (auto noisy :
             {TrainingPlot::Series::Loss, TrainingPlot::Series::GradNorm, TrainingPlot::Series::TokensPerSecond})
            QVERIFY2(!plot.graph(noisy)->antialiased(), qPrintable(plot.graph(noisy)->name()));
        // The pens survive a theme change (applyColors recolours them).
        plot.setPalette(QPalette(Qt::black));
        QCoreApplication::processEvents();
        for (auto series : perStep)
            QVERIFY(plot.graph(series)->pen().isCosmetic() && plot.graph(series)->pen().widthF() <= 1.0);
    }
};

QTEST_MAIN(TestTrainingPlot)
#include "tst_training_plot.moc"
