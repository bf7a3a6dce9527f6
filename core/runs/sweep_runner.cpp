#include "runs/sweep_runner.h"

#include <cmath>

#include <QTimer>

#include "common/error.h"
#include "contract/run_folder.h"

namespace ft {

SweepRunner::SweepRunner(RunQueue* queue, SweepRecord record, QObject* parent)
    : QObject(parent)
    , m_queue(queue)
    , m_record(std::move(record))
{
    connect(m_queue, &RunQueue::jobEnded, this, &SweepRunner::onJobEnded);
    // A trial cancelled while still queued (from the Monitor) ends no worker, so no jobEnded comes.
    connect(m_queue, &RunQueue::activityChanged, this, [this] {
        const RunJob* job = m_job > 0 ? m_queue->job(m_job) : nullptr;
        if (job && job->status == QLatin1String("cancelled")) {
            RunEndInfo end;
            end.status = QStringLiteral("stopped");
            end.message = QStringLiteral("cancelled before it started");
            onJobEnded(m_job, end);
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
    startNext();
}

void SweepRunner::stop()
{
    if (!m_running)
        return;
    m_stopping = true;
    const RunJob* job = m_job > 0 ? m_queue->job(m_job) : nullptr;
    if (job && job->status != QLatin1String("queued")) {
        m_queue->cancel(m_job); // the worker checkpoints and ends; onJobEnded records it
        return;
    }
    // A trial still waiting for a slot ends nothing when cancelled: recorded here, to run on resume.
    // Between trials (the next one not started yet) there is nothing to cancel.
    if (job) {
        m_queue->cancel(m_job);
        trial(m_trialIndex).status = QStringLiteral("interrupted");
        m_record.save();
        emit trialChanged(m_trialIndex);
    }
    m_job = 0;
    m_running = false;
    emit paused();
}

void SweepRunner::startNext()
{
    if (m_job > 0) // already started (a start() after a stop() met a pending call)
        return;
    if (m_stopping || !m_running) {
        m_running = false;
        return;
    }
    SweepTrial* next = nullptr;
    for (SweepTrial& t : m_record.trials())
        if (!t.isDone()) {
            next = &t;
            break;
        }
    if (!next) {
        m_running = false;
        m_record.save();
        emit finished();
        return;
    }
    try {
        // A trial left running by a process that died starts again: its partial run stays in the
        // history as it ended, and the new one replaces it in the sweep.
        next->valLosses.clear();
        next->objective.reset();
        next->bestStep.reset();
        next->message.clear();
        const QString name = m_record.trialName(*next);
        const RunFolder folder = RunFolder::create(m_record.runsDir(), name);
        const RunRequest request = prepareRunRequest(
            folder, sweepTrialConfig(m_record.base(), next->settings, m_record.spec()), name, m_record.data());
        next->runDir = folder.path();
        next->status = QStringLiteral("running");
        m_record.save();
        m_trialIndex = next->index;
        m_pruned = false;
        m_job = m_queue->enqueue(request);
        const int trialIndex = m_trialIndex;
        if (const RunJob* job = m_queue->job(m_job))
            connect(job->worker, &WorkerProcess::evaluated, this,
                    [this, trialIndex](const EvalPoint& eval) { onEvaluated(trialIndex, eval); });
        emit trialStarted(trialIndex, m_job);
        // A worker that could not even start may have ended inside enqueue(), before m_job was known.
        if (const RunJob* job = m_queue->job(m_job); job && job->trace.hasEnd)
            onJobEnded(m_job, job->trace.end);
    } catch (const Error& error) {
        m_running = false;
        m_job = 0;
        next->status = QStringLiteral("failed");
        next->message = error.message();
        m_record.save();
        emit failed(QStringLiteral("trial %1: %2").arg(next->index).arg(error.message()));
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
    if (m_record.spec().pruning == QLatin1String("median") && !m_pruned && trialIndex == m_trialIndex &&
        medianRuleStops(eval.valLoss, m_record.finishedLossesAt(eval.step, trialIndex))) {
        m_pruned = true;
        t.message = QStringLiteral("stopped at step %1: validation loss %2 is worse than the median of the finished "
                                   "trials at that step")
                        .arg(eval.step)
                        .arg(eval.valLoss, 0, 'g', 5);
        m_queue->cancel(m_job);
    }
}

void SweepRunner::onJobEnded(int jobId, const RunEndInfo& end)
{
    if (jobId != m_job || m_job == 0)
        return;
    SweepTrial& t = trial(m_trialIndex);
    // A stop the sweep did not ask for (the studio closing with "Stop runs", or Stop in the Monitor)
    // leaves the trial to run again on resume, and the sweep paused: nothing is started behind it. A
    // worker that died (killed, out of memory: "interrupted") failed with these settings; the sweep
    // goes on without it, so that a crash every time cannot repeat without end.
    const bool finished = end.status == QLatin1String("finished");
    const bool stoppedFromOutside = !m_pruned && end.status == QLatin1String("stopped");
    if (m_pruned && !finished)
        t.status = QStringLiteral("pruned");
    else if (stoppedFromOutside || (m_stopping && end.status == QLatin1String("stopped")))
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
    m_job = 0;
    m_record.save();
    emit trialChanged(m_trialIndex);
    if (stoppedFromOutside || m_stopping) {
        m_running = false;
        emit paused();
        return;
    }
    // The next trial starts from the event loop, not inside the queue's jobEnded emission.
    QTimer::singleShot(0, this, &SweepRunner::startNext);
}

} // namespace ft
