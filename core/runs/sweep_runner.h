#pragma once
// SweepRunner: runs a sweep's trials through a RunQueue, each an ordinary run: one after another, or
// up to the spec's `parallel` at once where the resource estimate says that many fit this machine's
// memory (runs/sweep_fit.h; the queue's own limit on runs at once still applies).
// It follows each trial's evaluations, stops a trial the median rule finds clearly worse (the queue
// asks its worker to stop: it checkpoints and ends), records every change in sweep.json, and starts
// the next pending trial when one ends. A trial stopped from outside (the studio closing, Stop in the
// Monitor) is recorded "interrupted" and pauses the sweep. Started on a loaded record it resumes:
// trials already done are kept, an interrupted one (or one left running by a dead process) runs again.
// With an evaluation metric as the objective, each finished trial is then evaluated (`ftstudio-cli eval`
// of its best checkpoint on the first validation examples, through EvalProcess), one evaluation at a
// time and in one of the parallel slots (with one slot, before the next trial starts); a trial whose
// evaluation was cut short is evaluated again on resume, not trained again.

#include <map>

#include <QObject>

#include "runs/eval_process.h"
#include "runs/run_queue.h"
#include "runs/sweep_record.h"

namespace ft {

class SweepRunner : public QObject {
    Q_OBJECT
public:
    SweepRunner(RunQueue* queue, SweepRecord record, QObject* parent = nullptr);

    void start();
    // Stops the running trial (recorded "interrupted") and starts no more; start() goes on later.
    void stop();
    bool isRunning() const { return m_running; }
    int parallelTrials() const { return m_parallel; }           // since start(): trials trained at once
    QString parallelReason() const { return m_parallelReason; } // why not the spec's number, if it is not
    const SweepRecord& record() const { return m_record; }

signals:
    void trialStarted(int trialIndex, int jobId);
    void trialChanged(int trialIndex);   // a new evaluation, or its end
    void finished();                     // no trial left to run
    void paused();                       // stopped: by stop(), or a trial stopped from outside
    void failed(const QString& message); // a trial could not be prepared; the sweep stops

private:
    // Starts what can start now (a pending evaluation, trials up to the parallel limit), and reports the
    // end (finished) or the pause once nothing runs any more.
    void fill();
    bool startTrial(SweepTrial& trial); // false: it could not be prepared (the sweep stops)
    // Stopping or pausing: once nothing runs, reports the pause (or the failure) and returns true.
    bool settleWhenHalted();
    // Cancels the active trials (only those still waiting in the queue with `queuedOnly`); waiting ones
    // are recorded "interrupted" at once, running ones when their worker ends.
    void cancelActive(bool queuedOnly);
    void onEvaluated(int trialIndex, const EvalPoint& eval);
    void onJobEnded(int jobId, const RunEndInfo& end);
    void startEvaluation(SweepTrial& trial);
    void onEvaluationEnded(const EvalEnd& end);
    SweepTrial& trial(int index);

    RunQueue* m_queue;
    SweepRecord m_record;
    bool m_running = false;
    bool m_stopping = false; // stop(): the running trials end, nothing new starts
    bool m_pausing = false;  // a trial was stopped from outside: the others finish, nothing new starts
    struct ActiveTrial {
        int job = 0;
        bool pruned = false; // the median rule asked it to stop
    };
    std::map<int, ActiveTrial> m_active; // trial index -> its queue job
    int m_parallel = 1;
    QString m_parallelReason;
    QString m_failure; // why the sweep stopped on its own: reported as `failed` once nothing runs
    EvalProcess* m_eval;
    int m_evalTrial = 0; // the trial being evaluated, 0: none
};

} // namespace ft
