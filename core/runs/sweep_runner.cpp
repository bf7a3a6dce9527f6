#include "runs/sweep_runner.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QTimer>

#include "common/error.h"
#include "contract/run_folder.h"
#include "runs/sweep_fit.h"

namespace ft {

SweepRunner::SweepRunner(RunQueue* queue, SweepRecord record, QObject* parent)
    : QObject(parent)
    , m_queue(queue)
    , m_record(std::move(record))
    , m_eval(new EvalProcess(this))
{
    connect(m_eval, &EvalProcess::ended, this, &SweepRunner::onEvaluationEnded);
    connect(m_queue, &RunQueue::jobEnded, this, &SweepRunner::onJobEnded);
    // A trial cancelled while still queued (from the Monitor) ends no worker, so no jobEnded comes.
    connect(m_queue, &RunQueue::activityChanged, this, [this] {
        std::vector<int> cancelled;
        for (const auto& [index, active] : m_active)
            if (const RunJob* job = m_queue->job(active.job); job && job->status == QLatin1String("cancelled"))
                cancelled.push_back(active.job);
        for (int job : cancelled) {
            RunEndInfo end;
            end.status = QStringLiteral("stopped");
            end.message = QStringLiteral("cancelled before it started");
            onJobEnded(job, end);
        }
    });
}

SweepTrial& SweepRunner::trial(int index) { return m_record.trials()[static_cast<size_t>(index - 1)]; }

void SweepRunner::start()
{
    if (m_running)
        return;
    m_running = true;
    m_stopping = false;
    m_pausing = false;
    m_failure.clear();
    const SweepParallelism parallelism = sweepParallelism(m_record.spec(), m_record.base());
    m_parallel = parallelism.trials;
    m_parallelReason = parallelism.reason;
    fill();
}

void SweepRunner::stop()
{
    if (!m_running)
        return;
    m_stopping = true;
    if (m_evalTrial > 0)
        m_eval->cancel(); // onEvaluationEnded keeps the trial "evaluating" for the resume
    cancelActive(false);
    // Between trials there is nothing to wait for: the pause is reported from the event loop.
    QTimer::singleShot(0, this, &SweepRunner::fill);
}

void SweepRunner::cancelActive(bool queuedOnly)
{
    std::vector<std::pair<int, int>> active; // (trial, job)
    for (const auto& [index, a] : m_active)
        active.emplace_back(index, a.job);
    for (const auto& [index, jobId] : active) {
        const RunJob* job = m_queue->job(jobId);
        const bool queued = !job || job->status == QLatin1String("queued");
        if (!queued) {
            if (!queuedOnly)
                m_queue->cancel(jobId); // the worker checkpoints and ends; onJobEnded records it
            continue;
        }
        // A trial still waiting for a slot ends no worker: its cancellation is recorded by the
        // activityChanged handler, or here when the job is gone; it runs again on resume.
        if (job)
            m_queue->cancel(jobId);
        if (m_active.erase(index) == 0)
            continue;
        trial(index).status = QStringLiteral("interrupted");
        m_record.save();
        emit trialChanged(index);
    }
}

void SweepRunner::fill()
{
    if (!m_running)
        return;
    if (settleWhenHalted())
        return;
    // A trained trial whose objective is not measured yet is evaluated (one at a time), not trained again.
    if (m_evalTrial == 0)
        for (SweepTrial& t : m_record.trials())
            if (t.status == QLatin1String("evaluating")) {
                startEvaluation(t);
                break;
            }
    // An evaluation takes a slot as a trial does: with one at a time, the next trial waits for it.
    while (m_running && !m_stopping && !m_pausing &&
           static_cast<int>(m_active.size()) + (m_evalTrial != 0 ? 1 : 0) < m_parallel) {
        SweepTrial* next = nullptr;
        for (SweepTrial& t : m_record.trials())
            if (!t.isDone() && t.status != QLatin1String("evaluating") && m_active.count(t.index) == 0) {
                next = &t;
                break;
            }
        if (!next || !startTrial(*next))
            break;
    }
    if (settleWhenHalted() || !m_running || !m_active.empty() || m_evalTrial != 0)
        return;
    for (const SweepTrial& t : m_record.trials())
        if (!t.isDone())
            return;
    m_running = false;
    m_record.save();
    emit finished();
}

bool SweepRunner::settleWhenHalted()
{
    if (!m_running || !(m_stopping || m_pausing))
        return false;
    if (m_active.empty() && m_evalTrial == 0) {
        m_running = false; // before anyone hears of it: a stop() from a slot finds nothing to stop
        m_record.save();
        if (m_failure.isEmpty())
            emit paused();
        else
            emit failed(m_failure);
    }
    return true;
}

bool SweepRunner::startTrial(SweepTrial& next)
{
    try {
        // A trial left running by a process that died starts again: its partial run stays in the
        // history as it ended, and the new one replaces it in the sweep.
        next.valLosses.clear();
        next.objective.reset();
        next.bestStep.reset();
        next.metric.reset();
        next.message.clear();
        const QString name = m_record.trialName(next);
        const RunFolder folder = RunFolder::create(m_record.runsDir(), name);
        const RunRequest request = prepareRunRequest(
            folder, sweepTrialConfig(m_record.base(), next.settings, m_record.spec()), name, m_record.data());
        next.runDir = folder.path();
        next.status = QStringLiteral("running");
        m_record.save();
        const int trialIndex = next.index;
        const int jobId = m_queue->enqueue(request);
        m_active[trialIndex] = ActiveTrial{jobId, false};
        if (const RunJob* job = m_queue->job(jobId))
            connect(job->worker, &WorkerProcess::evaluated, this,
                    [this, trialIndex](const EvalPoint& eval) { onEvaluated(trialIndex, eval); });
        emit trialStarted(trialIndex, jobId);
        // A worker that could not even start may have ended inside enqueue(), before the job was known.
        if (const RunJob* job = m_queue->job(jobId); job && job->trace.hasEnd)
            onJobEnded(jobId, job->trace.end);
        return true;
    } catch (const Error& error) {
        // The sweep stops: the other trials are stopped as by stop(), and `failed` comes once they ended.
        next.status = QStringLiteral("failed");
        next.message = error.message();
        m_record.save();
        m_failure = QStringLiteral("trial %1: %2").arg(next.index).arg(error.message());
        m_stopping = true;
        cancelActive(false);
        return false;
    }
}

void SweepRunner::onEvaluated(int trialIndex, const EvalPoint& eval)
{
    SweepTrial& t = trial(trialIndex);
    if (!std::isfinite(eval.valLoss))
        return; // the worker ends a run whose loss is not finite itself, as diverged
    t.valLosses[eval.step] = eval.valLoss;
    if (!t.objective || eval.valLoss < *t.objective) {
        t.objective = eval.valLoss;
        t.bestStep = eval.step;
    }
    m_record.save();
    emit trialChanged(trialIndex);
    const auto active = m_active.find(trialIndex);
    if (m_record.spec().pruning == QLatin1String("median") && active != m_active.end() && !active->second.pruned &&
        medianRuleStops(eval.valLoss, m_record.finishedLossesAt(eval.step, trialIndex))) {
        active->second.pruned = true;
        t.message = QStringLiteral("stopped at step %1: validation loss %2 is worse than the median of the finished "
                                   "trials at that step")
                        .arg(eval.step)
                        .arg(eval.valLoss, 0, 'g', 5);
        m_queue->cancel(active->second.job);
    }
}

void SweepRunner::onJobEnded(int jobId, const RunEndInfo& end)
{
    const auto active = std::find_if(m_active.begin(), m_active.end(),
                                     [jobId](const auto& entry) { return entry.second.job == jobId; });
    if (active == m_active.end())
        return;
    const int trialIndex = active->first;
    const bool pruned = active->second.pruned;
    m_active.erase(active);
    SweepTrial& t = trial(trialIndex);
    // A stop the sweep did not ask for (the studio closing with "Stop runs", or Stop in the Monitor)
    // leaves the trial to run again on resume, and the sweep pauses once its other trials end: nothing
    // new is started. A worker that died (killed, out of memory: "interrupted") failed with these
    // settings; the sweep goes on without it, so that a crash every time cannot repeat without end.
    const bool finished = end.status == QLatin1String("finished");
    const bool stopped = end.status == QLatin1String("stopped");
    const bool stoppedFromOutside = !pruned && !m_stopping && stopped;
    if (pruned && !finished)
        t.status = QStringLiteral("pruned");
    else if (stoppedFromOutside || (m_stopping && stopped))
        t.status = QStringLiteral("interrupted");
    else if (end.status == QLatin1String("interrupted") || end.status.isEmpty())
        t.status = QStringLiteral("failed");
    else
        t.status = end.status; // finished (also when the rule fired at its last evaluation), failed, diverged
    if (t.status != QLatin1String("finished") && t.status != QLatin1String("pruned"))
        t.message = end.message;
    else if (t.status == QLatin1String("finished"))
        t.message.clear();
    if (end.hasBestValLoss() && std::isfinite(end.bestValLoss) && (!t.objective || end.bestValLoss < *t.objective)) {
        t.objective = end.bestValLoss; // an evaluation the sweep did not see: its step is not known
        t.bestStep.reset();
    }
    if (t.status == QLatin1String("finished") && m_record.spec().objectiveIsEvaluation())
        t.status = QStringLiteral("evaluating"); // fill() evaluates it before anything else
    m_record.save();
    if (stoppedFromOutside && !m_pausing) {
        m_pausing = true;
        cancelActive(true); // trials still waiting in the queue would otherwise start from scratch
    }
    emit trialChanged(trialIndex);
    // What comes next starts from the event loop, not inside the queue's jobEnded emission.
    QTimer::singleShot(0, this, &SweepRunner::fill);
}

void SweepRunner::startEvaluation(SweepTrial& trial)
{
    const SweepSpec& spec = m_record.spec();
    EvalRequest request;
    request.workspace = m_record.data().workspace;
    request.run = trial.runDir;
    // The checkpoint the trial would be used from: its best by validation loss (written at each new best).
    request.checkpoint = trial.objective ? QStringLiteral("best") : QStringLiteral("final");
    request.limit = spec.objectiveExamples;
    request.metrics = {spec.objective};
    request.threads = static_cast<int>(m_record.base().threads);
    trial.metric.reset();
    if (!m_queue->cliPath().isEmpty())
        m_eval->setCliPath(m_queue->cliPath());
    m_evalTrial = trial.index;
    m_eval->start(request);
    emit trialChanged(trial.index);
}

void SweepRunner::onEvaluationEnded(const EvalEnd& end)
{
    if (m_evalTrial == 0)
        return;
    SweepTrial& t = trial(m_evalTrial);
    const int index = m_evalTrial;
    m_evalTrial = 0;
    const QString metric = m_record.spec().objective;
    if (end.status == QLatin1String("finished")) {
        for (const QJsonValue& value : end.summary.value(QStringLiteral("results")).toArray()) {
            const QJsonObject result = value.toObject();
            const QJsonValue number = result.value(QStringLiteral("metrics")).toObject().value(metric);
            if (result.value(QStringLiteral("target")).toString() == QLatin1String("run") && number.isDouble())
                t.metric = number.toDouble();
        }
        t.status = QStringLiteral("finished");
        if (!t.metric)
            t.message = QStringLiteral("the evaluation gave no %1").arg(metric);
    } else if (m_stopping) {
        // Cut short by the stop (cancelled, or killed when it did not end in time): evaluated again
        // when the sweep goes on.
    } else {
        // It trained; without its metric it cannot be the best, and the sweep goes on.
        t.status = QStringLiteral("finished");
        t.message = QStringLiteral("evaluating %1 failed: %2").arg(metric, end.message);
    }
    m_record.save();
    emit trialChanged(index);
    QTimer::singleShot(0, this, &SweepRunner::fill);
}

} // namespace ft
