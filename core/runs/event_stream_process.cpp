#include "runs/event_stream_process.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include "runs/cli_locator.h"

namespace ft {

QString EventStreamExit::describe(const QString& what) const
{
    QString message = !startError.isEmpty() ? QObject::tr("ftstudio-cli could not be started: %1").arg(startError)
                      : crashed             ? QObject::tr("%1 was killed").arg(what)
                                : QObject::tr("%1 ended (exit status %2) without a result").arg(what).arg(exitCode);
    if (!stderrTail.isEmpty())
        message += QStringLiteral(": ") + stderrTail;
    return message;
}

EventStreamProcess::EventStreamProcess(QObject* parent)
    : QObject(parent)
    , m_cliPath(findCli())
{
    qRegisterMetaType<EventStreamExit>();
}

EventStreamProcess::~EventStreamProcess()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->write("stop\n");
        m_process->closeWriteChannel();
        m_process->terminate(); // SIGTERM cancels too
        m_process->waitForFinished(3000);
    }
}

bool EventStreamProcess::start(const QStringList& arguments)
{
    if (m_process)
        return false;
    if (m_cliPath.isEmpty()) {
        QTimer::singleShot(0, this, [this] {
            EventStreamExit exit;
            exit.crashed = true;
            exit.startError = tr("it was not found (set FT_CLI to its path)");
            emit exited(exit);
        });
        return true;
    }
    m_stderr.clear();
    m_splitter = LineSplitter();
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this,
            [this] { handleBytes(m_process->readAllStandardOutput()); });
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(m_process, &QProcess::finished, this, &EventStreamProcess::finish);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(-1, QProcess::CrashExit);
    });
    m_process->start(m_cliPath, QStringList(arguments) << QStringLiteral("--events") << QStringLiteral("jsonl"));
    return true;
}

void EventStreamProcess::cancel()
{
    if (!m_process)
        return;
    m_process->write("stop\n");
    QPointer<QProcess> process = m_process;
    QTimer::singleShot(10000, this, [process] {
        if (process)
            process->kill();
    });
}

void EventStreamProcess::handleBytes(const QByteArray& bytes)
{
    for (const QByteArray& line : m_splitter.feed(bytes)) {
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            emit event(document.object());
    }
}

void EventStreamProcess::finish(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    handleBytes(m_process->readAllStandardOutput());
    if (const QByteArray rest = m_splitter.takeRest(); !rest.isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(rest);
        if (document.isObject())
            emit event(document.object());
    }
    m_stderr += m_process->readAllStandardError();
    EventStreamExit exit;
    exit.exitCode = exitCode;
    exit.crashed = status == QProcess::CrashExit;
    exit.startError = m_process->error() == QProcess::FailedToStart ? m_process->errorString() : QString();
    exit.stderrTail = QString::fromUtf8(m_stderr).trimmed().right(600);
    m_process->deleteLater();
    m_process = nullptr;
    emit exited(exit);
}

} // namespace ft
