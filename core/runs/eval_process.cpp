#include "runs/eval_process.h"

#include <QJsonArray>

namespace ft {

QStringList EvalRequest::arguments() const
{
    QStringList args{QStringLiteral("eval"), runId > 0 ? QString::number(runId) : run};
    if (!workspace.isEmpty())
        args << QStringLiteral("--workspace") << workspace;
    if (!checkpoint.isEmpty())
        args << QStringLiteral("--checkpoint") << checkpoint;
    if (base)
        args << QStringLiteral("--base");
    if (limit > 0)
        args << QStringLiteral("--limit") << QString::number(limit);
    if (!metrics.isEmpty())
        args << QStringLiteral("--metrics") << metrics.join(QLatin1Char(','));
    if (threads > 0)
        args << QStringLiteral("--threads") << QString::number(threads);
    return args;
}

EvalProcess::EvalProcess(QObject* parent)
    : QObject(parent)
    , m_stream(new EventStreamProcess(this))
{
    connect(m_stream, &EventStreamProcess::event, this, &EvalProcess::handleEvent);
    connect(m_stream, &EventStreamProcess::exited, this, &EvalProcess::finish);
}

void EvalProcess::start(const EvalRequest& request)
{
    if (m_stream->isRunning())
        return;
    m_end = {};
    m_sawFinal = false;
    m_stream->start(request.arguments()); // no CLI: finish() reports it
}

void EvalProcess::handleEvent(const QJsonObject& event)
{
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

void EvalProcess::finish(const EventStreamExit& exit)
{
    if (!m_sawFinal) {
        m_end.status = QStringLiteral("failed");
        m_end.message = exit.describe(tr("the evaluation"));
    }
    emit ended(m_end);
}

} // namespace ft
