#pragma once
// Everything one run has reported so far: its start, every step point, evaluation, checkpoint and
// sample, the log and how it ended. The monitor draws a run from this, whether it is running now or
// was read back from the run folder's events.jsonl.

#include <QString>
#include <QStringList>
#include <QVector>

#include "contract/run_events.h"

namespace ft {

struct RunTrace {
    bool hasStart = false;
    RunStartInfo start; // the latest session's (a resumed run has one per session)
    QVector<qint64> resumes; // the steps at which later sessions took over, in order
    QVector<StepPoint> steps;
    QVector<EvalPoint> evals;
    QVector<CheckpointPoint> checkpoints;
    QVector<SamplePoint> samples;
    QStringList log;     // the last kMaxLogLines lines: "message", or "warning: message", "stderr: ..."
    qint64 logTotal = 0; // lines ever appended (views append those past what they have shown)
    bool paused = false;
    bool hasEnd = false;
    RunEndInfo end;

    static constexpr int kMaxLogLines = 5000;

    // The human line an event adds to the log (empty for steps, which only the curves show).
    static QString describe(const WorkerEvent& event);

    void apply(const WorkerEvent& event);
    void appendSteps(const QVector<StepPoint>& points);
    void appendLog(const QString& level, const QString& message);

    qint64 totalSteps() const; // from the last step, else the start event
    const StepPoint* lastStep() const { return steps.isEmpty() ? nullptr : &steps.constLast(); }
    // The step point at `step` (binary search; steps are in order), or nullptr.
    const StepPoint* stepAt(qint64 step) const;
    // The evaluation with the lowest validation loss, or nullptr.
    const EvalPoint* bestEval() const;

    // Reads a run's events.jsonl (hostile input: bad lines are skipped and counted in *skippedLines).
    // Throws ft::Error when the file cannot be read or holds no event at all.
    static RunTrace loadEventLog(const QString& path, int* skippedLines = nullptr);
};

} // namespace ft
