#include "runs/worker_process.h"

#include <csignal>
#include <cstring>

#include <QDir>

#include "common/stop_signals.h"
#include "contract/run_folder.h"
#include "runs/cli_locator.h"

namespace ft {

namespace {

constexpr qsizetype kStderrTailBytes = 16 * 1024;
constexpr int kStderrLinesShown = 500; // stderr lines forwarded as log lines, per run
constexpr int kRejectedLinesShown = 20;

// The last `lines` lines of `text`.
QString lastLines(const QString& text, int lines)
{
    QStringList all = text.trimmed().split(QLatin1Char('\n'));
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(QLatin1Char('\n'));
}

} // namespace

WorkerProcess::WorkerProcess(QObject* parent)
    : QObject(parent)
    , m_cliPath(findCli())
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(100);
    connect(&m_batchTimer, &QTimer::timeout, this, &WorkerProcess::flushSteps);
    m_exitGuard.setSingleShot(true);
    m_exitGuard.setInterval(30000);
    connect(&m_exitGuard, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning)
            m_process->kill();
    });
}

WorkerProcess::~WorkerProcess()
{
    if (m_process && m_state == State::Running && !m_detached) {
        blockSignals(true); // nobody is listening any more
        // Never kill a run with its owner: ask it to stop (checkpoint, `stopped`) and let it exit alone.
        m_process->terminate();
        detach();
    }
}

qint64 WorkerProcess::processId() const { return m_process ? m_process->processId() : 0; }

void WorkerProcess::startRun(const QString& runDir) { startWithArguments({QStringLiteral("--run"), runDir}, runDir); }

void WorkerProcess::resumeRun(const QString& runDir)
{
    startWithArguments({QStringLiteral("--resume"), runDir}, runDir);
}

void WorkerProcess::startWithArguments(const QStringList& trainArguments, const QString& runDir)
{
    if (m_state != State::Idle) {
        qWarning("WorkerProcess: a worker object runs one worker; create another for the next run");
        return;
    }
    m_runDir = runDir;
    m_state = State::Running;
    if (m_cliPath.isEmpty()) {
        QStringList searched;
        findCli(&searched);
        RunEndInfo end;
        end.status = QStringLiteral("failed");
        end.message =
            QStringLiteral("ftstudio-cli (the training worker) was not found; looked at %1. Set FT_CLI to its path.")
                .arg(searched.join(QStringLiteral(", ")));
        // Delivered from the event loop, like every other outcome, so callers can connect after start.
        QTimer::singleShot(0, this, [this, end] { finish(end); });
        return;
    }
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    // A studio that goes away closes the worker's stdout; with SIGPIPE ignored the worker's writes
    // then fail quietly and the run goes on (or stops cleanly on SIGTERM) instead of dying mid-step.
    m_process->setChildProcessModifier([] { ::signal(SIGPIPE, SIG_IGN); });
    connect(m_process, &QProcess::readyReadStandardOutput, this, &WorkerProcess::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, &WorkerProcess::readStderr);
    connect(m_process, &QProcess::finished, this, &WorkerProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &WorkerProcess::onError);
    QStringList arguments{QStringLiteral("train")};
    arguments << trainArguments << QStringLiteral("--events") << QStringLiteral("jsonl");
    // Born with SIGINT and SIGTERM held until the worker can act on them (it unblocks them once its
    // handler is in place): a stop sent while it starts still ends with "stopped".
    const StopSignalsBlocked heldForTheChild;
    m_process->start(m_cliPath, arguments);
}

void WorkerProcess::send(const QByteArray& command)
{
    // While the process is still starting, QProcess buffers the command and writes it once it runs.
    if (m_process && m_state == State::Running && m_process->state() != QProcess::NotRunning)
        m_process->write(command + '\n');
}

void WorkerProcess::pause() { send("pause"); }
void WorkerProcess::resume() { send("resume"); }
void WorkerProcess::stop() { send("stop"); }
void WorkerProcess::checkpointNow() { send("checkpoint"); }

void WorkerProcess::kill()
{
    if (m_process && m_state == State::Running && m_process->state() != QProcess::NotRunning) {
        m_killedByUser = true;
        m_process->kill();
    }
}

void WorkerProcess::detach()
{
    if (!m_process || m_state != State::Running || m_detached)
        return;
    m_detached = true;
    flushSteps();
    m_process->disconnect(this);
    // Keep reading (and discarding) the worker's output while this process lives, so its pipe never
    // fills and blocks it; the QProcess itself is left alive on purpose: its destructor would kill the
    // worker. When the studio exits, the pipes close and the worker carries on (SIGPIPE is ignored).
    m_process->closeReadChannel(QProcess::StandardOutput);
    m_process->closeReadChannel(QProcess::StandardError);
    m_process->closeWriteChannel();
    m_process->setParent(nullptr);
    connect(m_process, &QProcess::finished, m_process, &QObject::deleteLater);
    m_process = nullptr;
    m_eventLog.close();
}

void WorkerProcess::readStdout()
{
    if (!m_process)
        return;
    const QByteArray bytes = m_process->readAllStandardOutput();
    const int droppedBefore = m_splitter.droppedLines();
    const QList<QByteArray> lines = m_splitter.feed(bytes);
    for (int i = droppedBefore; i < m_splitter.droppedLines(); ++i) {
        if (++m_rejectedLines <= kRejectedLinesShown)
            emit logLine(
                QStringLiteral("warning"),
                QStringLiteral("worker: a line longer than %1 bytes was dropped").arg(m_splitter.maxLineBytes()));
    }
    for (const QByteArray& line : lines)
        handleLine(line);
}

void WorkerProcess::readStderr()
{
    if (!m_process)
        return;
    const QByteArray bytes = m_process->readAllStandardError();
    m_stderrTail += bytes;
    if (m_stderrTail.size() > kStderrTailBytes)
        m_stderrTail = m_stderrTail.right(kStderrTailBytes);
    // Forward whole lines to the log (a bounded number of them).
    m_stderrPartial += bytes;
    if (m_stderrPartial.size() > kStderrTailBytes)
        m_stderrPartial = m_stderrPartial.right(kStderrTailBytes);
    qsizetype newline;
    while ((newline = m_stderrPartial.indexOf('\n')) >= 0) {
        const QByteArray line = m_stderrPartial.left(newline).trimmed();
        m_stderrPartial.remove(0, newline + 1);
        if (!line.isEmpty() && m_stderrLinesShown++ < kStderrLinesShown)
            emit logLine(QStringLiteral("stderr"), QString::fromUtf8(line.left(4096)));
    }
}

void WorkerProcess::handleLine(const QByteArray& line)
{
    QString error;
    const std::optional<WorkerEvent> event = parseWorkerEvent(line, &error);
    if (!event) {
        if (++m_rejectedLines <= kRejectedLinesShown)
            emit logLine(QStringLiteral("warning"), QStringLiteral("worker: ignored a line: %1").arg(error));
        return;
    }
    record(line);
    if (const auto* step = std::get_if<StepPoint>(&*event)) {
        m_pendingSteps.append(*step);
        if (!m_batchTimer.isActive())
            m_batchTimer.start();
        return;
    }
    flushSteps(); // keep the order: every step before the event that follows it
    if (const auto* start = std::get_if<RunStartInfo>(&*event)) {
        m_start = *start;
        if (m_runDir.isEmpty())
            m_runDir = start->runDir;
        emit started(m_start);
    } else if (const auto* eval = std::get_if<EvalPoint>(&*event)) {
        emit evaluated(*eval);
    } else if (const auto* sample = std::get_if<SamplePoint>(&*event)) {
        emit sampled(*sample);
    } else if (const auto* checkpoint = std::get_if<CheckpointPoint>(&*event)) {
        emit checkpointed(*checkpoint);
    } else if (const auto* log = std::get_if<LogEvent>(&*event)) {
        emit logLine(log->level, log->message);
    } else if (const auto* paused = std::get_if<PausedEvent>(&*event)) {
        if (m_paused != paused->paused) {
            m_paused = paused->paused;
            emit pausedChanged(m_paused);
        }
    } else if (const auto* end = std::get_if<RunEndInfo>(&*event)) {
        if (!m_sawFinal) {
            m_sawFinal = true;
            m_end = *end;
            m_exitGuard.start(); // the worker exits right after its final event
        }
    }
}

void WorkerProcess::flushSteps()
{
    m_batchTimer.stop();
    if (m_eventLog.isOpen())
        m_eventLog.flush();
    if (m_pendingSteps.isEmpty())
        return;
    const QVector<StepPoint> batch = std::move(m_pendingSteps);
    m_pendingSteps.clear();
    emit steps(batch);
}

void WorkerProcess::record(const QByteArray& line)
{
    if (!m_recordEvents || m_runDir.isEmpty())
        return;
    if (!m_eventLog.isOpen()) {
        if (!QDir(m_runDir).exists())
            return; // the worker creates the folder before its first event; nothing to record before it
        m_eventLog.setFileName(RunFolder(m_runDir).eventsPath());
        if (!m_eventLog.open(QIODevice::WriteOnly | QIODevice::Append)) {
            m_recordEvents = false;
            emit logLine(QStringLiteral("warning"),
                         QStringLiteral("cannot write %1: %2").arg(m_eventLog.fileName(), m_eventLog.errorString()));
            return;
        }
    }
    m_eventLog.write(line);
    m_eventLog.write("\n", 1);
}

void WorkerProcess::onFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    readStdout();
    const QByteArray rest = m_splitter.takeRest(); // a last line without its newline
    if (!rest.isEmpty())
        handleLine(rest);
    readStderr();
    flushSteps();
    m_exitGuard.stop();

    RunEndInfo end = m_end;
    end.exitCode = exitCode;
    const QString tail = lastLines(stderrTail(), 12);
    if (!m_sawFinal) {
        end.reportedByWorker = false;
        if (exitStatus == QProcess::CrashExit) {
            end.status = QStringLiteral("interrupted");
            // On a crash exit Qt reports the signal number as the exit code.
            const char* name = ::strsignal(exitCode);
            end.message =
                m_killedByUser
                    ? QStringLiteral("the worker was killed (signal %1)").arg(exitCode)
                    : QStringLiteral(
                          "the worker died without reporting an end (signal %1: %2; e.g. out of memory or a crash)")
                          .arg(exitCode)
                          .arg(QString::fromLocal8Bit(name ? name : "unknown"));
        } else {
            end.status = QStringLiteral("failed");
            end.message = QStringLiteral("the worker exited with status %1 without reporting an end").arg(exitCode);
        }
        if (!tail.isEmpty())
            end.message += QStringLiteral("\nLast output on stderr:\n") + tail;
    } else if (end.status == QLatin1String("failed") && end.message.isEmpty() && !tail.isEmpty()) {
        end.message = tail;
    }
    finish(end);
}

void WorkerProcess::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return; // crashes arrive through finished()
    RunEndInfo end;
    end.status = QStringLiteral("failed");
    end.message = QStringLiteral("could not start the worker %1: %2")
                      .arg(m_cliPath, m_process ? m_process->errorString() : QString());
    finish(end);
}

void WorkerProcess::finish(RunEndInfo end)
{
    if (m_state == State::Ended)
        return;
    m_state = State::Ended;
    m_end = std::move(end);
    m_eventLog.close();
    if (m_paused) {
        m_paused = false;
        emit pausedChanged(false);
    }
    emit ended(m_end);
}

} // namespace ft
