#include "eval_events.h"

#include <cmath>
#include <cstdio>

#include <unistd.h>

#include <QDateTime>
#include <QJsonDocument>

namespace ft::cli {

QJsonObject exampleJson(const EvalExample& e)
{
    return {{QStringLiteral("index"), static_cast<qint64>(e.index)},
            {QStringLiteral("key"), e.key},
            {QStringLiteral("prompt"), e.prompt},
            {QStringLiteral("reference"), e.reference},
            {QStringLiteral("output"), e.output},
            {QStringLiteral("prompt_tokens"), static_cast<qint64>(e.promptTokens)},
            {QStringLiteral("output_tokens"), static_cast<qint64>(e.outputTokens)},
            {QStringLiteral("prompt_truncated"), e.promptTruncated},
            {QStringLiteral("stop_reason"), e.stopReason},
            {QStringLiteral("scores"), e.scores.toJson()}};
}

QJsonObject metricsJson(const std::map<QString, double>& metrics)
{
    QJsonObject json;
    for (const auto& [name, value] : metrics)
        json[name] = std::isfinite(value) ? QJsonValue(value) : QJsonValue();
    return json;
}

EvalReporter::EvalReporter(bool jsonEvents)
    : m_json(jsonEvents)
    , m_terminal(::isatty(STDERR_FILENO) == 1)
{
}

EvalReporter::~EvalReporter() { clearProgressLine(); }

void EvalReporter::clearProgressLine()
{
    if (m_progressShown) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        m_progressShown = false;
    }
}

void EvalReporter::publish(const QString& event, const QJsonObject& fields)
{
    if (!m_json)
        return;
    QJsonObject line{{QStringLiteral("event"), event},
                     {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        line[it.key()] = it.value();
    const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

void EvalReporter::started(const QJsonObject& fields) { publish(QStringLiteral("started"), fields); }

void EvalReporter::progress(const QString& target, EvalPhase phase, int64_t done, int64_t total)
{
    publish(QStringLiteral("progress"), {{QStringLiteral("target"), target},
                                         {QStringLiteral("phase"), evalPhaseName(phase)},
                                         {QStringLiteral("done"), static_cast<qint64>(done)},
                                         {QStringLiteral("total"), static_cast<qint64>(total)}});
    if (m_json || !m_terminal)
        return;
    const int width = 24;
    const int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
    const QString label = phase == EvalPhase::Loss ? QStringLiteral("loss") : QStringLiteral("generating");
    std::fprintf(stderr, "\r\033[K%s [%s%s] %s %lld/%lld", target.toUtf8().constData(),
                 QString(filled, QLatin1Char('#')).toUtf8().constData(),
                 QString(width - filled, QLatin1Char('.')).toUtf8().constData(), label.toUtf8().constData(),
                 static_cast<long long>(done), static_cast<long long>(total));
    std::fflush(stderr);
    m_progressShown = true;
}

void EvalReporter::example(const QString& target, const EvalExample& e)
{
    QJsonObject fields = exampleJson(e);
    fields[QStringLiteral("target")] = target;
    publish(QStringLiteral("example"), fields);
}

void EvalReporter::result(const QString& target, const QJsonObject& fields)
{
    QJsonObject all = fields;
    all[QStringLiteral("target")] = target;
    publish(QStringLiteral("result"), all);
    clearProgressLine();
}

void EvalReporter::log(const QString& level, const QString& message)
{
    publish(QStringLiteral("log"), {{QStringLiteral("level"), level}, {QStringLiteral("message"), message}});
    if (!m_json || m_terminal) {
        clearProgressLine();
        std::fprintf(stderr, "%s: %s\n", level.toUtf8().constData(), message.toUtf8().constData());
    }
}

void EvalReporter::finished(const QJsonObject& fields)
{
    m_ended = true;
    clearProgressLine();
    publish(QStringLiteral("finished"), fields);
}

void EvalReporter::failed(const QString& message)
{
    if (m_ended)
        return;
    m_ended = true;
    clearProgressLine();
    publish(QStringLiteral("failed"), {{QStringLiteral("message"), message}});
}

void EvalReporter::cancelled(const QString& message)
{
    m_ended = true;
    clearProgressLine();
    publish(QStringLiteral("cancelled"), {{QStringLiteral("message"), message}});
    if (!m_json)
        std::fprintf(stderr, "%s\n", message.toUtf8().constData());
}

} // namespace ft::cli
