#pragma once
// How the training worker reports: one JSON object per line on stdout (--events jsonl; the GUI's live
// channel, schema in docs/events.md), a human log in the run folder (log.txt), and a progress line on
// stderr when it is a terminal.

#include <cstdio>

#include <QFile>

#include "engine/training_observer.h"

namespace ft::cli {

class WorkerReporter : public TrainingObserver {
public:
    WorkerReporter(bool jsonEvents, const QString& logPath);
    ~WorkerReporter() override;

    void started(const RunStartInfo& start) override;
    void stepDone(const StepPoint& step) override;
    void evaluated(const EvalPoint& eval) override;
    void sampled(const SamplePoint& sample) override;
    void checkpointed(const CheckpointPoint& checkpoint) override;
    void log(const QString& level, const QString& message) override;
    void pausedChanged(bool paused) override;
    void ended(const RunEndInfo& end) override;
    // A failure outside the trainer's own reporting (bad configuration, an exception): the final event.
    void failed(const QString& message);
    // Opens the log once the run folder exists.
    void openLog(const QString& logPath);

private:
    // The event on stdout (with --events jsonl), its human line in the log and, unless it is a step,
    // on stderr.
    void publish(const WorkerEvent& event, const QString& human);
    void showProgress(const StepPoint& step, const QString& human);
    void clearProgressLine();

    bool m_json;
    bool m_terminal;
    bool m_progressShown = false;
    bool m_ended = false;
    QFile m_log;
};

} // namespace ft::cli
