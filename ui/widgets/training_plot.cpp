#include "widgets/training_plot.h"

#include <algorithm>
#include <cmath>

#include <QEvent>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "widgets/plot_palette.h"
#include "widgets/plot_tickers.h"

namespace ft::ui {

namespace {

// A small panel under the loss. Its title is written inside it, at its top left: an axis title turned on
// its side would need more height than a small window gives the panel ("learning rate" took 77 px of 50).
QCPAxisRect* makeRect(QCustomPlot* plot, const QString& title, QCPItemText** titleItem = nullptr)
{
    auto* rect = new QCPAxisRect(plot);
    auto* text = new QCPItemText(plot);
    text->setObjectName(QStringLiteral("panelTitle"));
    text->setText(title);
    text->setClipAxisRect(rect);
    text->position->setAxisRect(rect);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(0.005, 0.0);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    text->setLayer(QStringLiteral("legend"));
    if (titleItem)
        *titleItem = text;
    return rect;
}

// Curves with one point per step use 1-pixel cosmetic pens: the raster engine draws those with its
// fast line stroker, while a wider pen goes through the polygon stroker, which took 100+ ms per redraw
// for 100,000 points (tests/ui/tst_training_plot.cpp). Noisy curves are also drawn without
// antialiasing (halves the time again); `wide` is for curves with few points (validation loss).
QCPGraph* makeGraph(QCPAxisRect* rect, const QString& name, const QColor& color, bool antialiased, bool wide = false)
{
    QCPGraph* graph = rect->parentPlot()->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setName(name);
    QPen pen(color);
    pen.setWidthF(wide ? 2.0 : 1.0);
    pen.setCosmetic(true);
    graph->setPen(pen);
    graph->setAntialiased(antialiased);
    graph->setAdaptiveSampling(true);
    return graph;
}

// The points of `keys`/`values` at `indices` (the markers).
void setMarkerData(QCPGraph* graph, const QVector<double>& keys, const QVector<double>& values)
{
    graph->setData(keys, values, /*alreadySorted=*/false);
}

} // namespace

TrainingPlot::TrainingPlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setObjectName(QStringLiteral("trainingPlot"));
    m_plot->setMinimumHeight(260);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setPlottingHint(QCP::phCacheLabels, true);

    // Four panels stacked, sharing the x axis; the loss panel is the default rect (it holds the legend).
    m_lossRect = m_plot->axisRect(0);
    m_lossRect->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    m_lrRect = makeRect(m_plot, tr("learning rate"));
    m_gradRect = makeRect(m_plot, tr("grad norm"));
    m_speedRect = makeRect(m_plot, tr("tokens/s"));
    m_plot->plotLayout()->addElement(1, 0, m_lrRect);
    m_plot->plotLayout()->addElement(2, 0, m_gradRect);
    m_plot->plotLayout()->addElement(3, 0, m_speedRect);
    m_plot->plotLayout()->setRowStretchFactors({3.0, 1.0, 1.0, 1.0});
    m_plot->plotLayout()->setRowSpacing(0);
    m_preferenceRect = makeRect(m_plot, tr("reward margin · accuracy"), &m_preferenceTitle);
    m_preferenceRect->setVisible(false);
    m_preferenceTitle->setVisible(false);
    m_margins = new QCPMarginGroup(m_plot);
    const QList<QCPAxisRect*> rects{m_lossRect, m_preferenceRect, m_lrRect, m_gradRect, m_speedRect};
    for (QCPAxisRect* rect : rects) {
        // The DPO panel joins the margins only while shown: its accuracy axis would widen every panel.
        if (rect != m_preferenceRect)
            rect->setMarginGroup(QCP::msLeft | QCP::msRight, m_margins);
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
        rect->axis(QCPAxis::atBottom)->setTickLabels(rect == m_speedRect);
        rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(rect == m_lossRect ? 6 : 3);
        for (QCPAxis* axis : rect->axes())
            axis->setLayer(QStringLiteral("axes"));
    }
    m_speedRect->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    m_lrRect->axis(QCPAxis::atLeft)->setNumberFormat(QStringLiteral("eb")); // 2·10⁻⁴ rather than 0.0002
    m_lrRect->axis(QCPAxis::atLeft)->setNumberPrecision(1);
    m_lrRect->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<DistinctLabelTicker>::create());
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_loss = makeGraph(m_lossRect, tr("loss"), QColor(150, 190, 235), false);
    m_smoothed = makeGraph(m_lossRect, tr("loss (smoothed)"), QColor(20, 80, 190), true);
    m_valLoss = makeGraph(m_lossRect, tr("validation loss"), QColor(235, 120, 20), true, true);
    m_valLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_checkpoints = makeGraph(m_lossRect, tr("checkpoint"), QColor(40, 160, 80), true);
    m_checkpoints->setLineStyle(QCPGraph::lsNone);
    m_checkpoints->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QColor(40, 160, 80), 9));
    m_resumes = makeGraph(m_lossRect, tr("resumed"), QColor(130, 60, 170), true);
    m_resumes->setLineStyle(QCPGraph::lsNone);
    m_resumes->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QColor(130, 60, 170), 10));
    m_resumes->removeFromLegend(); // until a resumed run is shown
    m_best = makeGraph(m_lossRect, tr("best"), QColor(200, 40, 40), true);
    m_best->setLineStyle(QCPGraph::lsNone);
    m_best->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QColor(200, 40, 40), 14));
    m_bestLine = new QCPItemStraightLine(m_plot);
    m_bestLine->setClipAxisRect(m_lossRect);
    for (QCPItemPosition* position : {m_bestLine->point1, m_bestLine->point2}) {
        position->setAxes(m_lossRect->axis(QCPAxis::atBottom), m_lossRect->axis(QCPAxis::atLeft));
        position->setAxisRect(m_lossRect);
    }
    m_bestLine->setPen(QPen(QColor(200, 40, 40, 150), 1.0, Qt::DashLine));
    m_bestLine->setVisible(false);
    m_lr = makeGraph(m_lrRect, tr("learning rate"), QColor(40, 150, 90), true);
    m_grad = makeGraph(m_gradRect, tr("gradient norm"), QColor(140, 70, 170), false);
    m_speed = makeGraph(m_speedRect, tr("tokens/s"), QColor(120, 120, 120), false);
    m_margin = makeGraph(m_preferenceRect, tr("reward margin"), QColor(200, 120, 20), false);
    m_valMargin = makeGraph(m_preferenceRect, tr("validation reward margin"), QColor(200, 60, 20), true, true);
    m_valMargin->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    // Accuracy is a share: the panel's right axis, from 0 to 1.
    QCPAxis* accuracyAxis = m_preferenceRect->axis(QCPAxis::atRight);
    accuracyAxis->setVisible(true);
    accuracyAxis->setRange(0.0, 1.0);
    accuracyAxis->ticker()->setTickCount(2);
    m_accuracy = m_plot->addGraph(m_preferenceRect->axis(QCPAxis::atBottom), accuracyAxis);
    m_accuracy->setName(tr("reward accuracy"));
    m_accuracy->setPen(QPen(QColor(60, 140, 200), 1.0, Qt::DotLine));
    m_accuracy->setAdaptiveSampling(true);

    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), std::max(7, font().pointSize() - 1)));
    m_lossRect->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    for (QCPGraph* graph : {m_lr, m_grad, m_speed, m_margin, m_valMargin, m_accuracy})
        graph->removeFromLegend();
    for (QCPGraph* graph : {m_margin, m_valMargin, m_accuracy})
        graph->setVisible(false);

    // The x axes move together; the y axes fit what is visible.
    for (QCPAxisRect* rect : rects) {
        connect(rect->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
                [this, rect](const QCPRange& range) {
                    if (m_syncing)
                        return;
                    m_syncing = true;
                    for (QCPAxisRect* other : {m_lossRect, m_preferenceRect, m_lrRect, m_gradRect, m_speedRect})
                        if (other != rect)
                            other->axis(QCPAxis::atBottom)->setRange(range);
                    fitValueAxes();
                    m_syncing = false;
                });
    }
    // Any zoom or pan by the user stops following new data until fitView().
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { setFollowing(false); });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton)
            setFollowing(false);
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { fitView(); });

    applyColors();
    setXAxis(XAxis::Step);
}

TrainingPlot::~TrainingPlot() = default;

QCPGraph* TrainingPlot::graph(Series series) const
{
    switch (series) {
    case Series::Loss:
        return m_loss;
    case Series::SmoothedLoss:
        return m_smoothed;
    case Series::ValLoss:
        return m_valLoss;
    case Series::Checkpoints:
        return m_checkpoints;
    case Series::Resumes:
        return m_resumes;
    case Series::Best:
        return m_best;
    case Series::LearningRate:
        return m_lr;
    case Series::GradNorm:
        return m_grad;
    case Series::TokensPerSecond:
        return m_speed;
    case Series::RewardMargin:
        return m_margin;
    case Series::ValRewardMargin:
        return m_valMargin;
    case Series::RewardAccuracy:
        return m_accuracy;
    }
    return nullptr;
}

void TrainingPlot::showPreferencePanel(bool show)
{
    if (show == m_preferenceShown)
        return;
    m_preferenceShown = show;
    QCPLayoutGrid* layout = m_plot->plotLayout();
    if (show) {
        layout->insertRow(1);
        layout->addElement(1, 0, m_preferenceRect);
        layout->setRowStretchFactors({3.0, 1.5, 1.0, 1.0, 1.0});
    } else {
        layout->take(m_preferenceRect);
        layout->simplify();
        layout->setRowStretchFactors({3.0, 1.0, 1.0, 1.0});
    }
    // Out of the layout it keeps its last geometry: hidden, with its title and curves, so nothing of it
    // is drawn; and out of the margin group, so its right axis leaves the other panels' margins alone.
    m_preferenceRect->setVisible(show);
    m_preferenceTitle->setVisible(show);
    m_preferenceRect->setMarginGroup(QCP::msLeft | QCP::msRight, show ? m_margins : nullptr);
    for (QCPGraph* graph : {m_margin, m_valMargin, m_accuracy})
        graph->setVisible(show);
    if (show)
        applyColors(); // the palette reaches the rects in the layout only
}

void TrainingPlot::clear()
{
    for (QVector<double>* v : {&m_keyStep, &m_keyTokens, &m_keyTime, &m_lossValues, &m_smoothedValues, &m_lrValues,
                               &m_gradValues, &m_speedValues, &m_marginValues, &m_accuracyValues})
        v->clear();
    m_steps.clear();
    m_evals.clear();
    m_checkpointList.clear();
    m_resumeSteps.clear();
    m_timeOffset = m_lastElapsed = 0;
    m_ema = 0;
    m_emaWeightPower = 1;
    for (QCPGraph* graph : {m_loss, m_smoothed, m_valLoss, m_checkpoints, m_resumes, m_best, m_lr, m_grad, m_speed,
                            m_margin, m_valMargin, m_accuracy})
        graph->data()->clear();
    showPreferencePanel(false);
    m_best->setName(tr("best"));
    m_bestLine->setVisible(false);
    setFollowing(true);
    updateView();
}

void TrainingPlot::setTrace(const RunTrace& trace)
{
    clear();
    appendSteps(trace.steps);
    for (const EvalPoint& eval : trace.evals)
        m_evals.append(eval);
    m_resumeSteps = trace.resumes;
    for (const CheckpointPoint& checkpoint : trace.checkpoints)
        m_checkpointList.append(checkpoint);
    rebuildMarkers();
    updateView();
}

void TrainingPlot::appendSteps(const QVector<StepPoint>& points)
{
    if (points.isEmpty())
        return;
    // A point that does not move forward (a restarted stream) replaces what follows it: rebuild.
    bool rebuild = false;
    const qsizetype first = m_steps.size();
    for (const StepPoint& p : points) {
        if (!m_steps.isEmpty() && p.step <= m_steps.constLast()) {
            const qsizetype keep = indexOfStep(p.step - 1) + 1;
            for (QVector<double>* v : {&m_keyStep, &m_keyTokens, &m_keyTime, &m_lossValues, &m_smoothedValues,
                                       &m_lrValues, &m_gradValues, &m_speedValues, &m_marginValues, &m_accuracyValues})
                v->resize(keep);
            m_steps.resize(keep);
            // The time goes on from the last point kept (a resumed session continues from its checkpoint's).
            m_lastElapsed = keep > 0 ? m_keyTime[keep - 1] - m_timeOffset : 0.0;
            rebuild = true;
        }
        if (p.elapsed < m_lastElapsed)
            m_timeOffset += m_lastElapsed; // a resumed run counts its time from zero again
        m_lastElapsed = p.elapsed;
        m_steps.append(p.step);
        m_keyStep.append(static_cast<double>(p.step));
        m_keyTokens.append(static_cast<double>(p.tokens));
        m_keyTime.append(m_timeOffset + p.elapsed);
        m_lossValues.append(p.loss);
        m_lrValues.append(p.learningRate);
        m_gradValues.append(p.gradNorm);
        m_speedValues.append(p.tokensPerSecond);
        m_marginValues.append(p.rewardMargin);
        m_accuracyValues.append(p.rewardAccuracy);
        if (std::isfinite(p.rewardMargin))
            showPreferencePanel(true);
        // Debiased exponential moving average (as TensorBoard draws it).
        double smoothed = p.loss;
        if (std::isfinite(p.loss) && m_smoothing > 0) {
            m_ema = m_smoothing * m_ema + (1.0 - m_smoothing) * p.loss;
            m_emaWeightPower *= m_smoothing;
            smoothed = m_ema / (1.0 - m_emaWeightPower);
        }
        m_smoothedValues.append(smoothed);
    }
    if (rebuild) {
        rebuildSmoothing();
        rebuildGraphs();
    } else {
        // The common case: only the new points go to the graphs, already in key order.
        const QVector<double>& k = keys();
        const QVector<double> newKeys = k.mid(first);
        m_loss->addData(newKeys, m_lossValues.mid(first), true);
        m_smoothed->addData(newKeys, m_smoothedValues.mid(first), true);
        m_lr->addData(newKeys, m_lrValues.mid(first), true);
        m_grad->addData(newKeys, m_gradValues.mid(first), true);
        m_speed->addData(newKeys, m_speedValues.mid(first), true);
        m_margin->addData(newKeys, m_marginValues.mid(first), true);
        m_accuracy->addData(newKeys, m_accuracyValues.mid(first), true);
    }
    updateView();
}

void TrainingPlot::addEval(const EvalPoint& eval)
{
    m_evals.append(eval);
    rebuildMarkers();
    updateView();
}

void TrainingPlot::addCheckpoint(const CheckpointPoint& checkpoint)
{
    m_checkpointList.append(checkpoint);
    rebuildMarkers();
    updateView();
}

const QVector<double>& TrainingPlot::keys() const
{
    switch (m_xAxis) {
    case XAxis::Tokens:
        return m_keyTokens;
    case XAxis::Time:
        return m_keyTime;
    case XAxis::Step:
        break;
    }
    return m_keyStep;
}

qsizetype TrainingPlot::indexOfStep(qint64 step) const
{
    auto at = std::upper_bound(m_steps.begin(), m_steps.end(), step);
    return static_cast<qsizetype>(at - m_steps.begin()) - 1;
}

void TrainingPlot::setXAxis(XAxis axis)
{
    m_xAxis = axis;
    QCPAxis* bottom = m_speedRect->axis(QCPAxis::atBottom);
    QSharedPointer<QCPAxisTicker> ticker;
    if (axis == XAxis::Time) {
        auto time = QSharedPointer<QCPAxisTickerTime>::create();
        time->setTimeFormat(QStringLiteral("%h:%m:%s"));
        ticker = time;
        bottom->setLabel(tr("time (h:m:s)"));
    } else {
        ticker = wholeNumberTicker();
        bottom->setLabel(axis == XAxis::Step ? tr("step") : tr("tokens seen"));
    }
    for (QCPAxisRect* rect : {m_lossRect, m_preferenceRect, m_lrRect, m_gradRect, m_speedRect})
        rect->axis(QCPAxis::atBottom)->setTicker(ticker);
    rebuildGraphs();
    rebuildMarkers();
    setFollowing(true);
    updateView();
}

void TrainingPlot::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.999);
    rebuildSmoothing();
    m_smoothed->setData(keys(), m_smoothedValues, true);
    updateView();
}

void TrainingPlot::setLogScale(bool on)
{
    m_logScale = on;
    for (QCPAxisRect* rect : {m_lossRect, m_gradRect}) {
        QCPAxis* axis = rect->axis(QCPAxis::atLeft);
        axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (on)
            axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        else
            axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->ticker()->setTickCount(rect == m_lossRect ? 6 : 3);
    }
    fitValueAxes();
    requestReplot();
}

void TrainingPlot::fitView()
{
    setFollowing(true);
    updateView();
}

void TrainingPlot::setFollowing(bool following)
{
    if (m_following == following)
        return;
    m_following = following;
    emit followingChanged(following);
}

void TrainingPlot::rebuildSmoothing()
{
    m_ema = 0;
    m_emaWeightPower = 1;
    for (qsizetype i = 0; i < m_lossValues.size(); ++i) {
        const double loss = m_lossValues[i];
        double smoothed = loss;
        if (std::isfinite(loss) && m_smoothing > 0) {
            m_ema = m_smoothing * m_ema + (1.0 - m_smoothing) * loss;
            m_emaWeightPower *= m_smoothing;
            smoothed = m_ema / (1.0 - m_emaWeightPower);
        }
        m_smoothedValues[i] = smoothed;
    }
}

void TrainingPlot::rebuildGraphs()
{
    const QVector<double>& k = keys();
    m_loss->setData(k, m_lossValues, true);
    m_smoothed->setData(k, m_smoothedValues, true);
    m_lr->setData(k, m_lrValues, true);
    m_grad->setData(k, m_gradValues, true);
    m_speed->setData(k, m_speedValues, true);
    m_margin->setData(k, m_marginValues, true);
    m_accuracy->setData(k, m_accuracyValues, true);
}

void TrainingPlot::rebuildMarkers()
{
    // Validation loss, at the x of the step it was measured at.
    QVector<double> valKeys, valValues;
    const EvalPoint* best = nullptr;
    for (const EvalPoint& eval : m_evals) {
        const qsizetype i = indexOfStep(eval.step);
        if (i < 0 || !std::isfinite(eval.valLoss))
            continue;
        if (!valKeys.isEmpty() && keyAt(i) < valKeys.constLast())
            continue;
        valKeys.append(keyAt(i));
        valValues.append(eval.valLoss);
        if (!best || eval.valLoss < best->valLoss)
            best = &eval;
    }
    m_valLoss->setData(valKeys, valValues, true);

    QVector<double> marginKeys, marginValues;
    for (const EvalPoint& eval : m_evals) {
        const qsizetype i = indexOfStep(eval.step);
        if (i < 0 || !std::isfinite(eval.rewardMargin))
            continue;
        marginKeys.append(keyAt(i));
        marginValues.append(eval.rewardMargin);
    }
    setMarkerData(m_valMargin, marginKeys, marginValues);

    QVector<double> checkpointKeys, checkpointValues;
    for (const CheckpointPoint& checkpoint : m_checkpointList) {
        const qsizetype i = indexOfStep(checkpoint.step);
        if (i < 0)
            continue;
        checkpointKeys.append(keyAt(i));
        checkpointValues.append(std::isfinite(m_smoothedValues[i]) ? m_smoothedValues[i] : m_lossValues[i]);
    }
    setMarkerData(m_checkpoints, checkpointKeys, checkpointValues);

    // Where a later session took over: on the curve at its checkpoint's step. Listed in the legend only
    // for a run that was resumed.
    QVector<double> resumeKeys, resumeValues;
    for (const qint64 step : m_resumeSteps) {
        const qsizetype i = indexOfStep(step);
        if (i < 0)
            continue;
        resumeKeys.append(keyAt(i));
        resumeValues.append(std::isfinite(m_smoothedValues[i]) ? m_smoothedValues[i] : m_lossValues[i]);
    }
    setMarkerData(m_resumes, resumeKeys, resumeValues);
    if (m_plot->legend->hasItemWithPlottable(m_resumes) != !m_resumeSteps.isEmpty()) {
        if (m_resumeSteps.isEmpty())
            m_resumes->removeFromLegend();
        else
            m_resumes->addToLegend();
    }

    if (best) {
        const double x = keyAt(indexOfStep(best->step));
        setMarkerData(m_best, {x}, {best->valLoss});
        m_bestLine->point1->setCoords(x, 0);
        m_bestLine->point2->setCoords(x, 1);
        m_bestLine->setVisible(true);
        m_best->setName(tr("best (step %1)").arg(best->step));
    } else {
        m_best->data()->clear();
        m_best->setName(tr("best")); // not the previous run's step
        m_bestLine->setVisible(false);
    }
}

void TrainingPlot::updateView()
{
    if (m_following) {
        const QVector<double>& k = keys();
        QCPRange range(0, 1);
        if (!k.isEmpty()) {
            range = QCPRange(k.constFirst(), k.constLast());
            if (range.size() <= 0)
                range = QCPRange(range.lower - 0.5, range.upper + 0.5);
        }
        m_syncing = true;
        for (QCPAxisRect* rect : {m_lossRect, m_preferenceRect, m_lrRect, m_gradRect, m_speedRect})
            rect->axis(QCPAxis::atBottom)->setRange(range);
        m_syncing = false;
    }
    fitValueAxes();
    requestReplot();
}

void TrainingPlot::fitValueAxes()
{
    const QCPRange visible = m_lossRect->axis(QCPAxis::atBottom)->range();
    auto fit = [&](QCPAxisRect* rect, std::initializer_list<QCPGraph*> graphs, bool log) {
        QCPRange total;
        bool any = false;
        for (QCPGraph* graph : graphs) {
            bool found = false;
            const QCPRange r = graph->getValueRange(found, log ? QCP::sdPositive : QCP::sdBoth, visible);
            if (!found || !std::isfinite(r.lower) || !std::isfinite(r.upper))
                continue;
            total = any ? QCPRange(std::min(total.lower, r.lower), std::max(total.upper, r.upper)) : r;
            any = true;
        }
        QCPAxis* axis = rect->axis(QCPAxis::atLeft);
        if (!any)
            return;
        if (log) {
            axis->setRange(total.lower / 1.15, total.upper * 1.15);
        } else {
            const double pad =
                total.size() > 0 ? total.size() * 0.06 : std::max(1e-12, std::abs(total.upper) * 0.05 + 1e-12);
            axis->setRange(total.lower - pad, total.upper + pad);
        }
    };
    fit(m_lossRect, {m_loss, m_smoothed, m_valLoss}, m_logScale);
    fit(m_lrRect, {m_lr}, false);
    fit(m_gradRect, {m_grad}, m_logScale);
    fit(m_speedRect, {m_speed}, false);
    if (m_preferenceShown)
        fit(m_preferenceRect, {m_margin, m_valMargin}, false);
}

void TrainingPlot::requestReplot()
{
    // replot() itself draws at once (rpQueuedRefresh only queues the widget's repaint), so the events
    // of one pass through the event loop (a batch of steps, an evaluation, a checkpoint) share one redraw.
    if (m_replotPending)
        return;
    m_replotPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_replotPending = false;
            m_plot->replot(QCustomPlot::rpQueuedRefresh);
        },
        Qt::QueuedConnection);
}

void TrainingPlot::replotNow()
{
    m_replotPending = false;
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void TrainingPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        applyColors();
    QWidget::changeEvent(event);
}

void TrainingPlot::applyColors()
{
    const QPalette& p = palette();
    applyPaletteToPlot(m_plot, p);
    // Curve colours that read on the background: on a dark one the smoothed loss is the bright line.
    const bool dark = isDarkPalette(p);
    auto pen = [](QCPGraph* graph, const QColor& color) {
        QPen p = graph->pen();
        p.setColor(color);
        graph->setPen(p);
    };
    pen(m_loss, dark ? QColor(70, 95, 130) : QColor(150, 190, 235));
    pen(m_smoothed, dark ? QColor(110, 175, 255) : QColor(20, 80, 190));
    pen(m_lr, dark ? QColor(90, 200, 130) : QColor(40, 150, 90));
    pen(m_grad, dark ? QColor(190, 130, 230) : QColor(140, 70, 170));
    pen(m_speed, dark ? QColor(170, 170, 170) : QColor(120, 120, 120));
    pen(m_margin, dark ? QColor(240, 170, 70) : QColor(200, 120, 20));
    pen(m_valMargin, dark ? QColor(255, 120, 80) : QColor(200, 60, 20));
    pen(m_accuracy, dark ? QColor(110, 180, 240) : QColor(60, 140, 200));
    requestReplot();
}

} // namespace ft::ui
