#pragma once
// TrainingPlot: the live curves of one run on QCustomPlot, in four stacked panels sharing the x axis:
// training loss (raw and smoothed) with validation loss, checkpoint markers and the best step;
// learning rate; gradient norm; tokens per second; and, for a DPO run, a fifth under the loss: the reward
// margin (training and validation) with the reward accuracy on its right axis. The x axis is the step, the tokens seen
// or the time. New points are appended in batches (graph->addData(..., alreadySorted=true)) and drawn with a queued
// replot, so a burst of batches costs one redraw; with adaptive sampling 100,000 points stay fluid
// (tests/ui/tst_training_plot.cpp measures it).
//
// Mouse: drag pans and the wheel zooms the x axis of all panels together; the y axes follow the
// visible data. While the user has not zoomed or panned, the view follows new data; a double click
// (or fitView()) returns to following.

#include <QVector>
#include <QWidget>

#include "runs/run_trace.h"

class QCustomPlot;
class QCPAxisRect;
class QCPGraph;
class QCPItemText;
class QCPMarginGroup;
class QCPItemStraightLine;

namespace ft::ui {

class TrainingPlot : public QWidget {
    Q_OBJECT
public:
    enum class XAxis { Step, Tokens, Time };
    enum class Series {
        Loss,
        SmoothedLoss,
        ValLoss,
        Checkpoints,
        Resumes,
        Best,
        LearningRate,
        GradNorm,
        TokensPerSecond,
        RewardMargin,
        ValRewardMargin,
        RewardAccuracy
    };

    explicit TrainingPlot(QWidget* parent = nullptr);
    ~TrainingPlot() override;

    void clear();
    void setTrace(const RunTrace& trace); // replaces everything with the trace's points
    void appendSteps(const QVector<StepPoint>& points);
    void addEval(const EvalPoint& eval);
    void addCheckpoint(const CheckpointPoint& checkpoint);

    void setXAxis(XAxis axis);
    XAxis xAxis() const { return m_xAxis; }
    // Exponential moving average weight of the smoothed loss (0: none, up to 0.999), debiased.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on); // loss and gradient norm panels
    bool logScale() const { return m_logScale; }
    void fitView(); // show all data and follow new points again
    bool isFollowing() const { return m_following; }

    int stepCount() const { return static_cast<int>(m_steps.size()); }
    QCustomPlot* customPlot() const { return m_plot; }
    QCPGraph* graph(Series series) const;
    bool showsPreferencePanel() const { return m_preferenceShown; } // a DPO run's rewards
    void replotNow();                                               // an immediate, synchronous redraw (benchmarks)

signals:
    void followingChanged(bool following);

protected:
    void changeEvent(QEvent* event) override;

private:
    const QVector<double>& keys() const;
    double keyAt(qsizetype index) const { return keys().value(index); }
    qsizetype indexOfStep(qint64 step) const; // the last point at or before `step`, -1 when none
    void rebuildGraphs();
    void rebuildSmoothing();
    void rebuildMarkers();
    void updateView();
    void fitValueAxes();
    void setFollowing(bool following);
    void applyColors();
    void requestReplot();
    void showPreferencePanel(bool show);

    QCustomPlot* m_plot = nullptr;
    QCPAxisRect* m_lossRect = nullptr;
    QCPAxisRect* m_lrRect = nullptr;
    QCPAxisRect* m_gradRect = nullptr;
    QCPAxisRect* m_speedRect = nullptr;
    QCPAxisRect* m_preferenceRect = nullptr; // in the layout only while a DPO run is shown
    QCPItemText* m_preferenceTitle = nullptr;
    QCPMarginGroup* m_margins = nullptr;
    QCPGraph* m_loss = nullptr;
    QCPGraph* m_smoothed = nullptr;
    QCPGraph* m_valLoss = nullptr;
    QCPGraph* m_checkpoints = nullptr;
    QCPGraph* m_resumes = nullptr;
    QCPGraph* m_best = nullptr;
    QCPGraph* m_lr = nullptr;
    QCPGraph* m_grad = nullptr;
    QCPGraph* m_speed = nullptr;
    QCPGraph* m_margin = nullptr;
    QCPGraph* m_valMargin = nullptr;
    QCPGraph* m_accuracy = nullptr;
    bool m_preferenceShown = false;
    QCPItemStraightLine* m_bestLine = nullptr;

    // One entry per step point, in step order.
    QVector<qint64> m_steps;
    QVector<double> m_keyStep, m_keyTokens, m_keyTime;
    QVector<double> m_lossValues, m_smoothedValues, m_lrValues, m_gradValues, m_speedValues;
    QVector<double> m_marginValues, m_accuracyValues; // NaN for steps of runs without preference pairs
    double m_timeOffset = 0;                          // keeps time increasing across a resumption
    double m_lastElapsed = 0;
    double m_ema = 0; // smoothing state
    double m_emaWeightPower = 1;
    QVector<EvalPoint> m_evals;
    QVector<CheckpointPoint> m_checkpointList;
    QVector<qint64> m_resumeSteps;

    XAxis m_xAxis = XAxis::Step;
    double m_smoothing = 0.6;
    bool m_logScale = false;
    bool m_following = true;
    bool m_syncing = false;
    bool m_replotPending = false;
};

} // namespace ft::ui
