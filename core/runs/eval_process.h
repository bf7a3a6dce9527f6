#pragma once
// EvalProcess: one evaluation (`ftstudio-cli eval <run> --workspace W --events jsonl`, docs/events.md
// "Evaluation") as a QObject with coarse signals: progress per phase, each target's result, and one
// `ended` when the process has exited. Every stdout line is parsed as hostile input (bad lines are
// skipped); cancel() sends `stop` on stdin (the worker stores nothing), and a worker that does not end
// within a few seconds after that is killed. The GUI thread never waits for it.

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include "contract/run_events.h"
#include "runs/event_stream_process.h"

namespace ft {

struct EvalRequest {
    QString workspace;
    qint64 runId = 0;
    QString run;                                  // a run folder, when runId is 0
    QString checkpoint = QStringLiteral("final"); // final | best | latest | step-N
    bool base = false;                            // also the base model (cached per model and records)
    int limit = 0;                                // 0: every example of the split
    QStringList metrics;                          // empty: all
    int threads = 0;                              // 0: the worker's default
    QStringList arguments() const;                // eval ... (without --events)
};

struct EvalEnd {
    QString status;      // finished | cancelled | failed
    QString message;     // failed/cancelled: why; finished: a one-line summary of the results
    QJsonObject summary; // the `finished` event
};

class EvalProcess : public QObject {
    Q_OBJECT
public:
    explicit EvalProcess(QObject* parent = nullptr);

    void setCliPath(const QString& path) { m_stream->setCliPath(path); }
    void start(const EvalRequest& request);
    bool isRunning() const { return m_stream->isRunning(); }
    void cancel() { m_stream->cancel(); }

signals:
    void progress(const QString& target, const QString& phase, qint64 done, qint64 total);
    void result(const QJsonObject& event); // a target's `result` event
    void ended(const ft::EvalEnd& end);

private:
    void handleEvent(const QJsonObject& event);
    void finish(const EventStreamExit& exit);

    EventStreamProcess* m_stream;
    EvalEnd m_end;
    bool m_sawFinal = false;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::EvalEnd)
