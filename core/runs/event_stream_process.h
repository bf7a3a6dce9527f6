#pragma once
// EventStreamProcess: one ftstudio-cli command run with `--events jsonl`, its stdout read as one JSON event
// per line (hostile input: lines that are not JSON objects are skipped, over-long ones dropped), its stderr's
// tail kept for messages. cancel() sends "stop" on stdin, and kills a command that has not ended 10 s later.
// What the events mean is the owner's (EvalProcess, GgufExportProcess). The GUI thread never waits for it.

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>

#include "contract/line_splitter.h"

namespace ft {

struct EventStreamExit {
    int exitCode = -1;
    bool crashed = false; // killed or crashed
    QString startError;   // set when the command could not be started
    QString stderrTail;   // the last few hundred characters of stderr, trimmed
    // "could not be started: …", "<what> was killed", "<what> ended (exit status N) without a result", with
    // the stderr tail: the message for an ending that brought no final event.
    QString describe(const QString& what) const;
};

class EventStreamProcess : public QObject {
    Q_OBJECT
public:
    explicit EventStreamProcess(QObject* parent = nullptr);
    ~EventStreamProcess() override; // a command still running is told to stop, then terminated

    void setCliPath(const QString& path) { m_cliPath = path; }
    QString cliPath() const { return m_cliPath; }
    // Starts `cli ARGUMENTS --events jsonl`; false when one is running already. Without a CLI, exited()
    // follows at once with the reason in startError.
    bool start(const QStringList& arguments);
    bool isRunning() const { return m_process != nullptr; }
    void cancel();

signals:
    void event(const QJsonObject& event); // every object line, in order
    void exited(const ft::EventStreamExit& exit);

private:
    void handleBytes(const QByteArray& bytes);
    void finish(int exitCode, QProcess::ExitStatus status);

    QString m_cliPath;
    QProcess* m_process = nullptr;
    LineSplitter m_splitter;
    QByteArray m_stderr;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::EventStreamExit)
