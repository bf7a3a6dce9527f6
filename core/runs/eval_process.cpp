#include "runs/eval_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include "runs/cli_locator.h"

namespace ft {

QStringList EvalRequest::arguments() const
{
    QStringList args{QStringLiteral("eval"), QString::number(runId)};
    if (!workspace.isEmpty())
        args << QStringLiteral("--workspace") << workspace;
    if (!checkpoint.isEmpty())
        args << QStringLiteral("--checkpoint") << checkpoint;
    if (base)
        args << QStringLiteral("--base");
    if (limit > 0)
        args << QStringLiteral("--limit") << QString::number(limit);
    return args;
}

EvalProcess::EvalProcess(QObject* parent)
    : QObject(parent)
    , m_cliPath(findCli())
{
}

EvalProcess::~EvalProcess()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->write("stop\n");
        m_process->closeWriteChannel();
        m_process->terminate(); // SIGTERM cancels too (nothing stored)
        m_process->waitForFinished(3000);
    }
}

void EvalProcess::start(const EvalRequest& request)
{
    if (m_process)
        return;
    m_end = {};
    m_sawFinal = false;
    m_stderr.clear();
    m_splitter = LineSplitter();
    if (m_cliPath.isEmpty()) {
        QTimer::singleShot(0, this, [this] {
            emit ended({QStringLiteral("failed"), tr("ftstudio-cli was not found (set FT_CLI to its path)"), {}});
        });
        return;
    }
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] {
        for (const QByteArray& line : m_splitter.feed(m_process->readAllStandardOutput()))
            handleLine(line);
    });
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(m_process, &QProcess::finished, this, &EvalProcess::finish);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(-1, QProcess::CrashExit);
    });
    m_process->start(m_cliPath, request.arguments() << QStringLiteral("--events") << QStringLiteral("jsonl"));
}

void EvalProcess::cancel()
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

void EvalProcess::handleLine(const QByteArray& line)
{
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    const QString kind = event.value(QStringLiteral("event")).toString();
    const QString target = event.value(QStringLiteral("target")).toString();
    if (kind == QLatin1String("progress")) {
        emit progress(target, event.value(QStringLiteral("phase")).toString(),
                      event.value(QStringLiteral("done")).toInteger(),
                      event.value(QStringLiteral("total")).toInteger());
    } else if (kind == QLatin1String("result")) {
        emit result(event);
    } else if (kind == QLatin1String("finished")) {
        m_sawFinal = true;
        m_end.status = kind;
        m_end.summary = event;
        QStringList parts;
        for (const QJsonValue& value : event.value(QStringLiteral("results")).toArray()) {
            const QJsonObject r = value.toObject();
            const QJsonObject metrics = r.value(QStringLiteral("metrics")).toObject();
            QStringList numbers;
            for (const QString& name : {QStringLiteral("loss"), QStringLiteral("bleu"), QStringLiteral("rouge-l")})
                if (metrics.contains(name))
                    numbers << QStringLiteral("%1 %2").arg(name,
                                                           QString::number(metrics.value(name).toDouble(), 'f', 3));
            parts << QStringLiteral("%1: %2").arg(r.value(QStringLiteral("target")).toString(),
                                                  numbers.join(QStringLiteral(", ")));
        }
        m_end.message = parts.join(QStringLiteral("; "));
    } else if (kind == QLatin1String("cancelled") || kind == QLatin1String("failed")) {
        m_sawFinal = true;
        m_end.status = kind;
        m_end.message = event.value(QStringLiteral("message")).toString();
    }
}

void EvalProcess::finish(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    for (const QByteArray& line : m_splitter.feed(m_process->readAllStandardOutput()))
        handleLine(line);
    if (const QByteArray rest = m_splitter.takeRest(); !rest.isEmpty())
        handleLine(rest);
    m_stderr += m_process->readAllStandardError();
    const QString startError = m_process->error() == QProcess::FailedToStart ? m_process->errorString() : QString();
    m_process->deleteLater();
    m_process = nullptr;
    if (!m_sawFinal) {
        m_end.status = QStringLiteral("failed");
        m_end.message = !startError.isEmpty() ? tr("ftstudio-cli could not be started: %1").arg(startError)
                        : status == QProcess::CrashExit
                            ? tr("the evaluation was killed")
                            : tr("the evaluation ended (exit status %1) without a result").arg(exitCode);
        const QString tail = QString::fromUtf8(m_stderr).trimmed().right(600);
        if (!tail.isEmpty())
            m_end.message += QStringLiteral(": ") + tail;
    }
    emit ended(m_end);
}

} // namespace ft
