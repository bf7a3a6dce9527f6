#pragma once
// WorkerProcess: one training worker (`ftstudio-cli train ... --events jsonl`) as a QObject with
// coarse, typed signals. The GUI never reads engine state; it listens to these.
//
// - Every stdout line is parsed as hostile input (run_events.h): garbage, cut-off and over-long lines
//   are dropped and counted, never crash, and never make the reader's buffer grow without bound.
// - Step points are delivered in batches (at most one `steps` signal per batch interval, 100 ms by
//   default), so a worker doing thousands of steps per second costs the GUI thread ten signals a
//   second. Any other event first flushes the pending steps, so the order of events is kept.
// - Commands go to the worker's stdin: pause, resume, stop (checkpoint, then `stopped`), checkpoint.
// - `ended` is emitted once, after the process has exited: with the worker's final event when it sent
//   one, otherwise made up from the exit: killed by a signal (crash, out-of-memory kill, kill()) is
//   `interrupted`, any other exit without a final event is `failed`; the message names the exit
//   status and ends with the tail of the worker's stderr.
// - The valid event lines are also appended to <run>/events.jsonl, so a run's curves can be shown
//   again later (RunTrace::loadEventLog).
// - Destroying a WorkerProcess whose worker is still running does not kill it: the worker gets
//   SIGTERM (it finishes its step, writes a checkpoint and ends as `stopped`) and is left to exit on
//   its own. detach() leaves it running instead. The worker ignores SIGPIPE (set for the child), so a
//   studio that goes away never kills a run by closing its pipes.

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include "contract/line_splitter.h"
#include "contract/run_events.h"

namespace ft {

class WorkerProcess : public QObject {
    Q_OBJECT
public:
    explicit WorkerProcess(QObject* parent = nullptr);
    ~WorkerProcess() override;

    // The ftstudio-cli to run (default: findCli(), see cli_locator.h).
    void setCliPath(const QString& path) { m_cliPath = path; }
    QString cliPath() const { return m_cliPath; }
    void setStepBatchInterval(int milliseconds) { m_batchTimer.setInterval(milliseconds); }
    // Whether valid event lines are appended to <run>/events.jsonl (default true).
    void setRecordEvents(bool record) { m_recordEvents = record; }

    // `train --run DIR --events jsonl`: DIR/config.json is the prepared configuration.
    void startRun(const QString& runDir);
    // `train --resume DIR --events jsonl`: continue a stopped or interrupted run from its last checkpoint.
    void resumeRun(const QString& runDir);
    // `train <arguments> --events jsonl`; `runDir` names the run folder the arguments use (for events.jsonl).
    void startWithArguments(const QStringList& trainArguments, const QString& runDir);

    bool isActive() const { return m_state == State::Running; } // started, not yet ended
    bool hasEnded() const { return m_state == State::Ended; }
    bool isPaused() const { return m_paused; }
    QString runDir() const { return m_runDir; }
    qint64 processId() const;
    const RunEndInfo& endInfo() const { return m_end; }
    const RunStartInfo& startInfo() const { return m_start; }
    QString stderrTail() const { return QString::fromUtf8(m_stderrTail); }
    int rejectedLines() const { return m_rejectedLines; } // unparseable or over-long stdout lines

public slots:
    void pause();
    void resume();
    void stop(); // graceful: finish the step, checkpoint, end as `stopped`
    void checkpointNow();
    void kill();   // SIGKILL: ends as `interrupted` (the last checkpoint stays)
    void detach(); // leave the worker running when this object or the studio goes away

signals:
    void started(const ft::RunStartInfo& info);
    void steps(const QVector<ft::StepPoint>& points); // in step order, batched
    void evaluated(const ft::EvalPoint& eval);
    void sampled(const ft::SamplePoint& sample);
    void checkpointed(const ft::CheckpointPoint& checkpoint);
    void logLine(const QString& level, const QString& text);
    void pausedChanged(bool paused);
    void ended(const ft::RunEndInfo& end);

private:
    enum class State { Idle, Running, Ended };
    void readStdout();
    void readStderr();
    void handleLine(const QByteArray& line);
    void flushSteps();
    void record(const QByteArray& line);
    void onFinished(int exitCode, QProcess::ExitStatus exitStatus);
    void onError(QProcess::ProcessError error);
    void finish(RunEndInfo end);
    void send(const QByteArray& command);

    QString m_cliPath;
    QString m_runDir;
    QProcess* m_process = nullptr;
    State m_state = State::Idle;
    bool m_paused = false;
    bool m_killedByUser = false;
    bool m_detached = false;
    bool m_recordEvents = true;
    LineSplitter m_splitter;
    QVector<StepPoint> m_pendingSteps;
    QTimer m_batchTimer;
    QTimer m_exitGuard; // a worker that sent its final event but does not exit is killed
    QFile m_eventLog;
    QByteArray m_stderrTail;
    QByteArray m_stderrPartial;
    int m_stderrLinesShown = 0;
    int m_rejectedLines = 0;
    bool m_sawFinal = false;
    RunStartInfo m_start;
    RunEndInfo m_end;
};

} // namespace ft
