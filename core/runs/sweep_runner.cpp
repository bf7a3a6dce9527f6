#include "runs/sweep_runner.h"

#include <cmath>

#include <QJsonArray>
#include <QTimer>

#include "common/error.h"
#include "contract/run_folder.h"

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
    if (m_evalTrial > 0) {
        m_eval->cancel(); // onEvaluationEnded keeps the trial "evaluating" and pauses
        return;
    }
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
    if (m_job > 0 || m_evalTrial > 0) // already started (a start() after a stop() met a pending call)
        return;
    if (m_stopping || !m_running) {
        m_running = false;
        return;
    }
    // A trained trial whose objective is not measured yet comes first: it is evaluated, not trained again.
    for (SweepTrial& t : m_record.trials())
        if (t.status == QLatin1String("evaluating")) {
            startEvaluation(t);
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
    if (t.status == QLatin1String("finished") && m_record.spec().objectiveIsEvaluation())
        t.status = QStringLiteral("evaluating"); // startNext evaluates it before anything else
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
    if (m_stopping) {
        m_running = false; // before anyone hears of it: a stop() from a slot finds nothing to stop
        emit trialChanged(index);
        emit paused();
        return;
    }
    emit trialChanged(index);
    QTimer::singleShot(0, this, &SweepRunner::startNext);
}

} // namespace ft
