#include "runs/gguf_export_process.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace ft {

QStringList GgufExportRequest::arguments() const
{
    QStringList args{QStringLiteral("export"), source, QStringLiteral("--gguf"), outPath,
                     QStringLiteral("--type"), type};
    if (!workspace.isEmpty())
        args << QStringLiteral("--workspace") << workspace;
    if (!checkpoint.isEmpty())
        args << QStringLiteral("--checkpoint") << checkpoint;
    if (!modelfile)
        args << QStringLiteral("--no-modelfile");
    return args;
}

QStringList GgufExportRequest::estimateArguments() const
{
    QStringList args{QStringLiteral("export"), source, QStringLiteral("--estimate"), QStringLiteral("--json")};
    if (!workspace.isEmpty())
        args << QStringLiteral("--workspace") << workspace;
    if (!checkpoint.isEmpty())
        args << QStringLiteral("--checkpoint") << checkpoint;
    return args;
}

QMap<QString, qint64> parseGgufEstimates(const QByteArray& json)
{
    QMap<QString, qint64> sizes;
    const QJsonArray rows = QJsonDocument::fromJson(json).object().value(QStringLiteral("estimates")).toArray();
    for (const QJsonValue& row : rows) {
        const QString type = row.toObject().value(QStringLiteral("type")).toString().toUpper();
        const double bytes = row.toObject().value(QStringLiteral("bytes")).toDouble(-1);
        if (!type.isEmpty() && bytes > 0)
            sizes.insert(type, static_cast<qint64>(bytes));
    }
    return sizes;
}

GgufExportProcess::GgufExportProcess(QObject* parent)
    : QObject(parent)
    , m_stream(new EventStreamProcess(this))
{
    qRegisterMetaType<GgufExportEnd>();
    connect(m_stream, &EventStreamProcess::event, this, &GgufExportProcess::handleEvent);
    connect(m_stream, &EventStreamProcess::exited, this, &GgufExportProcess::finish);
}

void GgufExportProcess::start(const GgufExportRequest& request)
{
    if (m_stream->isRunning())
        return;
    m_end = {};
    m_sawFinal = false;
    m_stream->start(request.arguments()); // no CLI: finish() reports it
}

void GgufExportProcess::handleEvent(const QJsonObject& event)
{
    const QString kind = event.value(QStringLiteral("event")).toString();
    if (kind == QLatin1String("progress")) {
        emit progress(event.value(QStringLiteral("done")).toInteger(),
                      event.value(QStringLiteral("total")).toInteger());
    } else if (kind == QLatin1String("finished")) {
        m_sawFinal = true;
        m_end.status = kind;
        m_end.path = event.value(QStringLiteral("path")).toString();
        m_end.bytes = event.value(QStringLiteral("bytes")).toInteger();
        m_end.modelfile = event.value(QStringLiteral("modelfile")).toString();
        for (const QJsonValue& fallback : event.value(QStringLiteral("fallbacks")).toArray())
            m_end.fallbacks << fallback.toString();
        m_end.message = tr("wrote %1 (%2, %3)")
                            .arg(m_end.path, event.value(QStringLiteral("type")).toString(),
                                 QLocale::c().formattedDataSize(m_end.bytes));
    } else if (kind == QLatin1String("cancelled") || kind == QLatin1String("failed")) {
        m_sawFinal = true;
        m_end.status = kind;
        m_end.message = event.value(QStringLiteral("message")).toString();
    }
}

void GgufExportProcess::finish(const EventStreamExit& exit)
{
    if (!m_sawFinal) {
        m_end.status = QStringLiteral("failed");
        m_end.message = exit.describe(tr("the export"));
    }
    emit ended(m_end);
}

} // namespace ft
