#include "pages/monitor_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QSet>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "app_settings.h"
#include "common/error.h"
#include "contract/run_folder.h"
#include "runs/run_queue.h"
#include "runs/store_thread.h"
#include "runs/stored_trace.h"
#include "ui_format.h"
#include "widgets/training_plot.h"

namespace ft::ui {

namespace {

struct LoadedTrace {
    RunTrace trace;
    int skipped = 0;
    QString error;
};

LoadedTrace loadTrace(const QString& path)
{
    LoadedTrace loaded;
    try {
        loaded.trace = RunTrace::loadEventLog(path, &loaded.skipped);
    } catch (const Error& error) {
        loaded.error = error.message();
    }
    return loaded;
}

QString statusColor(const QString& status)
{
    if (status == QLatin1String("finished"))
        return QStringLiteral("#1e8449");
    if (status == QLatin1String("stopped"))
        return QStringLiteral("#2471a3");
    if (status == QLatin1String("diverged"))
        return QStringLiteral("#d68910");
    return QStringLiteral("#c0392b");
}

} // namespace

MonitorPage::MonitorPage(AppSettings* settings, RunQueue* queue, QWidget* parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_queue(queue)
    , m_followTimer(new QTimer(this))
{
    m_followTimer->setSingleShot(true);
    m_followTimer->setInterval(2000); // a followed run is read again this long after the last read
    connect(m_followTimer, &QTimer::timeout, this, [this] {
        if (m_follow.runId > 0)
            loadStoredRun(true);
    });
    m_runCombo = new QComboBox(this);
    m_runCombo->setObjectName(QStringLiteral("monitorRunCombo"));
    m_runCombo->setMinimumContentsLength(30);
    m_runCombo->setPlaceholderText(tr("No run yet: launch one on the Train page"));
    auto* openFolder = new QPushButton(tr("Open run folder…"), this);
    openFolder->setObjectName(QStringLiteral("openRunFolder"));
    openFolder->setToolTip(tr("Show the curves of a past run launched from the studio (its events.jsonl)"));
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("monitorTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Run:"), this));
    top->addWidget(m_runCombo, 1);
    top->addWidget(openFolder);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("endBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setMargin(8);
    m_banner->setVisible(false);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setTextVisible(true);
    m_progressText = new QLabel(this);
    m_progressText->setObjectName(QStringLiteral("progressText"));
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setToolTip(tr("Pause or resume at the next step boundary (Ctrl+Shift+P)"));
    m_checkpoint = new QPushButton(tr("Checkpoint now"), this);
    m_checkpoint->setObjectName(QStringLiteral("checkpointButton"));
    m_checkpoint->setToolTip(tr("Write a checkpoint at the next step boundary (Ctrl+Shift+K)"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(
        tr("Finish the current step, write a checkpoint and stop; the run can be resumed (Ctrl+Shift+X)"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_progress, 1);
    controls->addWidget(m_pause);
    controls->addWidget(m_checkpoint);
    controls->addWidget(m_stop);

    m_xAxis = new QComboBox(this);
    m_xAxis->setObjectName(QStringLiteral("xAxisCombo"));
    m_xAxis->addItems({tr("Step"), tr("Tokens"), tr("Time")});
    m_smoothing = new QSlider(Qt::Horizontal, this);
    m_smoothing->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(60);
    m_smoothing->setMaximumWidth(180);
    m_smoothingLabel = new QLabel(this);
    m_logScale = new QCheckBox(tr("Log scale"), this);
    m_logScale->setObjectName(QStringLiteral("logScale"));
    m_fit = new QPushButton(tr("Fit"), this);
    m_fit->setObjectName(QStringLiteral("fitButton"));
    m_fit->setToolTip(
        tr("Show all data and follow new points (or double-click the plot). Drag to pan, wheel to zoom."));
    auto* plotBar = new QHBoxLayout;
    plotBar->addWidget(new QLabel(tr("X axis:"), this));
    plotBar->addWidget(m_xAxis);
    plotBar->addSpacing(12);
    plotBar->addWidget(new QLabel(tr("Smoothing:"), this));
    plotBar->addWidget(m_smoothing);
    plotBar->addWidget(m_smoothingLabel);
    plotBar->addSpacing(12);
    plotBar->addWidget(m_logScale);
    plotBar->addStretch(1);
    plotBar->addWidget(m_fit);

    m_plot = new TrainingPlot(this);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("runLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(RunTrace::kMaxLogLines);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_samples = new QTextBrowser(this);
    m_samples->setObjectName(QStringLiteral("runSamples"));
    m_summary = new QTextBrowser(this);
    m_summary->setObjectName(QStringLiteral("runSummary"));
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_samples, tr("Samples"));
    m_tabs->addTab(m_summary, tr("Summary"));
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("monitorSplitter"));
    m_splitter->addWidget(m_plot);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_title);
    layout->addWidget(m_banner);
    layout->addLayout(controls);
    layout->addWidget(m_progressText); // a line of its own: it grows long (epoch, loss, speed, tokens, time)
    layout->addLayout(plotBar);
    layout->addWidget(m_splitter, 1);

    connect(m_runCombo, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const int id = m_runCombo->itemData(index).toInt();
        if (id > 0)
            showJob(id);
        else if (m_showingFile)
            showTrace(m_fileTrace);
    });
    connect(openFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), m_settings->runsFolder());
        if (!dir.isEmpty())
            openRunFolder(dir);
    });
    connect(m_pause, &QPushButton::clicked, this, &MonitorPage::togglePause);
    connect(m_checkpoint, &QPushButton::clicked, this, &MonitorPage::checkpointNow);
    connect(m_stop, &QPushButton::clicked, this, &MonitorPage::stopRun);
    connect(m_xAxis, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int index) { m_plot->setXAxis(static_cast<TrainingPlot::XAxis>(index)); });
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int value) {
        m_plot->setSmoothing(value / 100.0);
        m_smoothingLabel->setText(QString::number(value / 100.0, 'f', 2));
    });
    m_smoothingLabel->setText(QString::number(m_smoothing->value() / 100.0, 'f', 2));
    m_plot->setSmoothing(m_smoothing->value() / 100.0);
    connect(m_logScale, &QCheckBox::toggled, m_plot, &TrainingPlot::setLogScale);
    connect(m_fit, &QPushButton::clicked, m_plot, &TrainingPlot::fitView);

    connect(m_queue, &RunQueue::jobAdded, this, &MonitorPage::refreshJobList);
    connect(m_queue, &RunHistory::runChanged, this, &MonitorPage::refreshJobList);
    connect(m_queue, &RunQueue::jobStarted, this, [this](int id) {
        // Follow a newly started run unless the shown one is still going.
        if (m_jobId == 0 || m_showingFile || !m_worker || !m_worker->isActive())
            showJob(id);
    });
    updateButtons();
}

MonitorPage::~MonitorPage() { detachWorker(); }

void MonitorPage::refreshJobList()
{
    const QSignalBlocker blocker(m_runCombo);
    m_runCombo->clear();
    // One entry per run: a job that resumed a run supersedes the earlier jobs of the same folder (its
    // trace carries their curve on).
    QSet<QString> later;
    QList<int> shown;
    const QList<int> ids = m_queue->jobIds();
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
        const QString dir = QDir::cleanPath(m_queue->job(*it)->request.runDir);
        if (!dir.isEmpty() && later.contains(dir) && *it != m_jobId)
            continue;
        later.insert(dir);
        shown.prepend(*it);
    }
    for (int id : shown) {
        const RunJob* job = m_queue->job(id);
        m_runCombo->addItem(QStringLiteral("#%1 %2 — %3").arg(id).arg(job->request.name, job->status), id);
    }
    if (m_showingFile)
        m_runCombo->addItem(tr("Opened: %1").arg(m_fileTrace.start.runDir), -1);
    m_runCombo->setCurrentIndex(
        std::max(0, m_runCombo->findData(m_showingFile && m_jobId == 0 ? QVariant(-1) : QVariant(m_jobId))));
    if (m_jobId == 0 && !m_showingFile)
        m_runCombo->setCurrentIndex(-1);
    if (m_jobId > 0) {
        if (const RunJob* job = m_queue->job(m_jobId))
            m_title->setText(tr("<b>%1</b> · %2 · %3 · <span style='color:%4'>%5</span>")
                                 .arg(job->request.name.toHtmlEscaped(), job->request.mode,
                                      QDir::toNativeSeparators(job->request.runDir).toHtmlEscaped(),
                                      job->trace.hasEnd ? statusColor(job->status) : QStringLiteral("palette(text)"),
                                      job->status));
    }
}

const RunTrace* MonitorPage::shownTrace() const
{
    if (m_jobId > 0) {
        if (const RunJob* job = m_queue->job(m_jobId))
            return &job->trace;
    }
    return m_showingFile ? &m_fileTrace : nullptr;
}

void MonitorPage::showJob(int id)
{
    const RunJob* job = m_queue->job(id);
    if (!job)
        return;
    detachWorker();
    stopFollowing();
    m_jobId = id;
    showTrace(job->trace);
    if (!job->worker->hasEnded())
        attachWorker(job->worker);
    refreshJobList();
    updateButtons();
}

void MonitorPage::showLoadedTrace(RunTrace trace, const QString& title)
{
    detachWorker();
    stopFollowing();
    m_jobId = 0;
    m_fileTrace = std::move(trace);
    m_showingFile = true;
    refreshJobList();
    showTrace(m_fileTrace);
    m_title->setText(title);
    updateButtons();
}

void MonitorPage::showStoredRun(StoreThread* store, const QString& workspacePath, qint64 runId, const QString& name)
{
    stopFollowing();
    m_follow = {store, workspacePath, runId, name, false, {}};
    loadStoredRun(false);
}

void MonitorPage::followStoredRun(StoreThread* store, const QString& workspacePath, qint64 runId, const QString& name,
                                  const QString& runDir)
{
    stopFollowing();
    m_follow = {store, workspacePath, runId, name, false, runDir};
    loadStoredRun(true);
}

void MonitorPage::loadStoredRun(bool following)
{
    const Follow follow = m_follow;
    follow.store->post(
        this, [follow] { return loadStoredTrace(follow.workspacePath, follow.runId); },
        [this, follow, following](RunTrace trace, const QString& error) {
            if (m_follow.runId != follow.runId)
                return; // another run was chosen meanwhile
            if (!error.isEmpty()) {
                emit statusMessage(error);
                stopFollowing();
                return;
            }
            const bool live = following && !trace.hasEnd;
            showLoadedTrace(std::move(trace),
                            live ? tr("<b>%1</b> (training in a worker started earlier; followed in the "
                                      "workspace's history)")
                                       .arg(follow.name.toHtmlEscaped())
                                 : tr("<b>%1</b> (from the workspace's history)").arg(follow.name.toHtmlEscaped()));
            if (live) {
                m_follow = follow; // showLoadedTrace forgot it
                m_follow.live = true;
                m_followTimer->start();
            } else {
                m_follow = {};
            }
            updateButtons();
        });
}

void MonitorPage::stopFollowing()
{
    m_followTimer->stop();
    m_follow = {};
}

bool MonitorPage::openRunFolder(const QString& runDir)
{
    const QString path = RunFolder(runDir).eventsPath();
    if (!QFileInfo::exists(path)) {
        emit statusMessage(
            tr("%1 has no events.jsonl: only runs launched from the studio keep one (Runs ▸ Show in monitor "
               "shows any recorded run from the workspace's history)")
                .arg(runDir));
        return false;
    }
    auto* watcher = new QFutureWatcher<LoadedTrace>(this);
    connect(watcher, &QFutureWatcher<LoadedTrace>::finished, this, [this, watcher, runDir] {
        watcher->deleteLater();
        LoadedTrace loaded = watcher->result();
        if (!loaded.error.isEmpty()) {
            emit statusMessage(loaded.error);
            return;
        }
        if (loaded.trace.start.runDir.isEmpty())
            loaded.trace.start.runDir = runDir;
        showLoadedTrace(
            std::move(loaded.trace),
            tr("<b>%1</b> (read from its folder%2)")
                .arg(QDir::toNativeSeparators(runDir).toHtmlEscaped(),
                     loaded.skipped > 0 ? tr("; %1 unreadable lines skipped").arg(loaded.skipped) : QString()));
    });
    watcher->setFuture(QtConcurrent::run(loadTrace, path));
    return true;
}

void MonitorPage::showTrace(const RunTrace& trace)
{
    m_plot->setTrace(trace);
    m_log->setPlainText(trace.log.join(QLatin1Char('\n')));
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    m_log->setProperty("shownTotal", trace.logTotal);
    m_samples->clear();
    for (const SamplePoint& sample : trace.samples)
        appendSample(sample);
    m_samples->setProperty("shown", trace.samples.size());
    showSummary(trace);
    updateProgress(trace);
    if (trace.hasEnd)
        showEnd(trace.end);
    else
        m_banner->setVisible(false);
}

void MonitorPage::detachWorker()
{
    for (const QMetaObject::Connection& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_worker = nullptr;
}

void MonitorPage::attachWorker(WorkerProcess* worker)
{
    m_worker = worker;
    // The queue connected first, so the job's trace already holds each event when these run.
    auto syncText = [this] {
        const RunTrace* trace = shownTrace();
        if (!trace)
            return;
        const qint64 shown = m_log->property("shownTotal").toLongLong();
        const qint64 fresh = std::min<qint64>(trace->logTotal - shown, trace->log.size());
        for (qint64 i = trace->log.size() - fresh; i < trace->log.size(); ++i)
            m_log->appendPlainText(trace->log[static_cast<qsizetype>(i)]);
        m_log->setProperty("shownTotal", trace->logTotal);
        const int samplesShown = m_samples->property("shown").toInt();
        for (int i = samplesShown; i < trace->samples.size(); ++i)
            appendSample(trace->samples[i]);
        m_samples->setProperty("shown", trace->samples.size());
    };
    m_connections << connect(worker, &WorkerProcess::started, this, [this, syncText] {
        if (const RunTrace* trace = shownTrace()) {
            if (!trace->resumes.isEmpty())
                m_plot->setTrace(*trace); // the earlier sessions' curve goes on, what came after the checkpoint gone
            showSummary(*trace);
            updateProgress(*trace);
        }
        syncText();
    });
    m_connections << connect(worker, &WorkerProcess::steps, this, [this](const QVector<StepPoint>& points) {
        m_plot->appendSteps(points);
        if (const RunTrace* trace = shownTrace())
            updateProgress(*trace);
    });
    m_connections << connect(worker, &WorkerProcess::evaluated, this, [this, syncText](const EvalPoint& eval) {
        m_plot->addEval(eval);
        syncText();
    });
    m_connections << connect(worker, &WorkerProcess::checkpointed, this,
                             [this, syncText](const CheckpointPoint& checkpoint) {
                                 m_plot->addCheckpoint(checkpoint);
                                 syncText();
                             });
    m_connections << connect(worker, &WorkerProcess::sampled, this, syncText);
    m_connections << connect(worker, &WorkerProcess::logLine, this, syncText);
    m_connections << connect(worker, &WorkerProcess::pausedChanged, this, [this, syncText] {
        syncText();
        updateButtons();
    });
    m_connections << connect(worker, &WorkerProcess::ended, this, [this, syncText](const RunEndInfo& end) {
        syncText();
        if (const RunTrace* trace = shownTrace())
            updateProgress(*trace);
        showEnd(end);
        m_worker = nullptr;
        updateButtons();
        refreshJobList();
    });
}

void MonitorPage::updateProgress(const RunTrace& trace)
{
    const qint64 total = trace.totalSteps();
    const StepPoint* last = trace.lastStep();
    m_progress->setRange(0, static_cast<int>(std::clamp<qint64>(total, 1, INT_MAX)));
    m_progress->setValue(static_cast<int>(std::clamp<qint64>(last ? last->step : 0, 0, INT_MAX)));
    if (!last) {
        m_progress->setFormat(trace.hasEnd ? tr("ended before the first step") : tr("starting…"));
        m_progressText->clear();
        return;
    }
    const QString eta = trace.hasEnd ? QString() : tr(" · ETA %1").arg(formatClock(last->eta));
    m_progress->setFormat(tr("step %1 of %2 (%p%)%3").arg(last->step).arg(total).arg(eta));
    m_progressText->setText(tr("epoch %1 · loss %2 · %3 tokens/s · %4 tokens · elapsed %5")
                                .arg(last->epoch, 0, 'f', 2)
                                .arg(formatLoss(last->loss), formatCount(last->tokensPerSecond),
                                     formatCount(static_cast<double>(last->tokens)), formatClock(last->elapsed)));
}

void MonitorPage::updateButtons()
{
    const bool active = m_worker && m_worker->isActive();
    const bool followed = m_follow.runId > 0 && m_follow.live;
    const bool steerable = followed && !m_follow.runDir.isEmpty() && m_stop->text() != tr("Stopping…");
    m_pause->setEnabled(active || steerable);
    m_checkpoint->setEnabled(active || steerable);
    m_stop->setEnabled(active || (followed && m_stop->text() != tr("Stopping…")));
    if (!active && !followed)
        m_stop->setText(tr("Stop"));
    m_pause->setText(isShownRunPaused() ? tr("Resume") : tr("Pause"));
}

bool MonitorPage::isShownRunPaused() const
{
    if (m_worker && m_worker->isActive())
        return m_worker->isPaused();
    // A followed worker marks its pauses in its run folder (a file's existence: cheap to ask).
    return m_follow.runId > 0 && m_follow.live && !m_follow.runDir.isEmpty() && RunFolder(m_follow.runDir).isPaused();
}

void MonitorPage::togglePause()
{
    if (m_follow.runId > 0 && m_follow.live && !m_follow.runDir.isEmpty()) {
        emit controlRecordedRun(m_follow.runId, isShownRunPaused() ? QStringLiteral("resume") : QStringLiteral("pause"));
        return;
    }
    if (!m_worker || !m_worker->isActive())
        return;
    if (m_worker->isPaused())
        m_worker->resume();
    else
        m_worker->pause();
}

void MonitorPage::stopRun()
{
    if (m_follow.runId > 0 && m_follow.live) {
        emit stopRecordedRun(m_follow.runId);
        m_stop->setEnabled(false);
        m_stop->setText(tr("Stopping…"));
        return;
    }
    if (!m_worker || !m_worker->isActive())
        return;
    m_worker->stop();
    m_stop->setEnabled(false);
    m_stop->setText(tr("Stopping…"));
    emit statusMessage(tr("Stopping after the current step (a checkpoint is written)…"));
}

void MonitorPage::checkpointNow()
{
    if (m_worker && m_worker->isActive()) {
        m_worker->checkpointNow();
        emit statusMessage(tr("A checkpoint will be written at the next step boundary."));
    } else if (m_follow.runId > 0 && m_follow.live && !m_follow.runDir.isEmpty()) {
        emit controlRecordedRun(m_follow.runId, QStringLiteral("checkpoint"));
    }
}

void MonitorPage::appendSample(const SamplePoint& sample)
{
    m_samples->append(tr("<p><b>Step %1</b><br><i>Prompt:</i> %2<br><i>Reference:</i> %3<br><i>Model:</i> %4</p>")
                          .arg(sample.step)
                          .arg(sample.prompt.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                               sample.reference.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                               sample.text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
}

// The worker's end message as a sentence that names the state once: "finished after 80 steps" ->
// "Finished after 80 steps"; "out of memory" (failed) -> "Failed: out of memory".
QString MonitorPage::endSentence(const QString& status, const QString& message)
{
    QString text = message.trimmed();
    while (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    const QString state = status.isEmpty() ? tr("ended") : status;
    if (text.isEmpty())
        text = state;
    else if (!text.startsWith(state, Qt::CaseInsensitive))
        text = state + QStringLiteral(": ") + text;
    return text.at(0).toUpper() + text.mid(1) + QLatin1Char('.');
}

void MonitorPage::showEnd(const RunEndInfo& end)
{
    QString text = endSentence(end.status, end.message);
    if (end.status == QLatin1String("finished") && !end.exportPath.isEmpty())
        text += QLatin1Char(' ') + tr("The model is in %1.").arg(end.exportPath);
    else if (end.status == QLatin1String("stopped"))
        text += QLatin1Char(' ') + tr("It can be resumed from its checkpoint.");
    m_banner->setText(text);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background-color: %1; color: white; border-radius: 4px; }")
                                .arg(statusColor(end.status)));
    m_banner->setVisible(true);
}

void MonitorPage::showSummary(const RunTrace& trace)
{
    if (!trace.hasStart) {
        m_summary->setHtml(tr("<p>The worker has not reported its start yet.</p>"));
        return;
    }
    const RunStartInfo& s = trace.start;
    QString html = tr("<h3>%1</h3><table>"
                      "<tr><td>Parameters</td><td>%2 of %3 trainable</td></tr>"
                      "<tr><td>Examples</td><td>%4 training, %5 validation, %6 cut to the max length</td></tr>"
                      "<tr><td>Tokens per epoch</td><td>%7</td></tr>"
                      "<tr><td>Steps</td><td>%8%9</td></tr></table><h4>Configuration</h4><pre>%10</pre>")
                       .arg(QDir::toNativeSeparators(s.runDir).toHtmlEscaped(),
                            formatCount(static_cast<double>(s.trainableParameters)),
                            formatCount(static_cast<double>(s.totalParameters)))
                       .arg(s.trainExamples)
                       .arg(s.valExamples)
                       .arg(s.truncatedExamples)
                       .arg(s.tokensPerEpoch)
                       .arg(s.totalSteps)
                       .arg(s.resumedFromStep >= 0 ? tr(" (resumed at step %1)").arg(s.resumedFromStep) : QString(),
                            QString::fromUtf8(QJsonDocument(s.config).toJson(QJsonDocument::Indented)).toHtmlEscaped());
    m_summary->setHtml(html);
}

} // namespace ft::ui
