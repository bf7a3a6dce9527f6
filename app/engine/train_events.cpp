#include "train_events.h"

#include <cmath>

#include <unistd.h>

#include <QDateTime>
#include <QJsonDocument>

namespace ft::cli {

namespace {

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("?");
    const auto s = static_cast<qint64>(seconds);
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

WorkerReporter::WorkerReporter(bool jsonEvents, const QString& logPath)
    : m_json(jsonEvents)
    , m_terminal(::isatty(STDERR_FILENO) == 1)
{
    if (!logPath.isEmpty())
        openLog(logPath);
}

WorkerReporter::~WorkerReporter() { clearProgressLine(); }

void WorkerReporter::openLog(const QString& logPath)
{
    if (m_log.isOpen())
        return;
    m_log.setFileName(logPath);
    m_log.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

void WorkerReporter::clearProgressLine()
{
    if (m_progressShown) {
        std::fputs("\r\033[K", stderr);
        m_progressShown = false;
    }
}

void WorkerReporter::publish(const QString& event, QJsonObject fields, const QString& human)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_json) {
        QJsonObject line{{QStringLiteral("event"), event}, {QStringLiteral("time"), now.toString(Qt::ISODateWithMs)}};
        for (auto it = fields.begin(); it != fields.end(); ++it)
            line[it.key()] = it.value();
        const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
        std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
        std::fflush(stdout);
    }
    if (!human.isEmpty() && m_log.isOpen()) {
        m_log.write((now.toString(Qt::ISODate) + QLatin1Char(' ') + human + QLatin1Char('\n')).toUtf8());
        m_log.flush();
    }
    if (!human.isEmpty() && event != QLatin1String("step") && (!m_json || m_terminal)) {
        clearProgressLine();
        std::fprintf(stderr, "%s\n", human.toUtf8().constData());
    }
}

void WorkerReporter::started(const RunStart& s)
{
    publish(
        QStringLiteral("started"),
        {{QStringLiteral("run_dir"), s.runDir},
         {QStringLiteral("config"), s.config},
         {QStringLiteral("parameters"),
          QJsonObject{{QStringLiteral("total"), static_cast<qint64>(s.totalParameters)},
                      {QStringLiteral("trainable"), static_cast<qint64>(s.trainableParameters)}}},
         {QStringLiteral("train_examples"), static_cast<qint64>(s.trainExamples)},
         {QStringLiteral("val_examples"), static_cast<qint64>(s.valExamples)},
         {QStringLiteral("truncated_examples"), static_cast<qint64>(s.truncatedExamples)},
         {QStringLiteral("tokens_per_epoch"), static_cast<qint64>(s.tokensPerEpoch)},
         {QStringLiteral("total_steps"), static_cast<qint64>(s.totalSteps)},
         {QStringLiteral("resumed_from_step"), static_cast<qint64>(s.resumedFromStep)},
         {QStringLiteral("world_size"), s.worldSize}},
        QStringLiteral(
            "%1 %2: %3 steps, %4 of %5 parameters trainable, %6 training / %7 validation examples, %8 tokens per epoch")
            .arg(s.resumedFromStep >= 0 ? QStringLiteral("resumed at step %1").arg(s.resumedFromStep)
                                        : QStringLiteral("started"),
                 s.runDir)
            .arg(s.totalSteps)
            .arg(s.trainableParameters)
            .arg(s.totalParameters)
            .arg(s.trainExamples)
            .arg(s.valExamples)
            .arg(s.tokensPerEpoch));
}

void WorkerReporter::stepDone(const StepReport& s)
{
    const QString human = QStringLiteral("step %1/%2 epoch %3 loss %4 lr %5 grad-norm %6 %7 tokens/s elapsed %8 eta %9")
                              .arg(s.step)
                              .arg(s.totalSteps)
                              .arg(s.epoch, 0, 'f', 2)
                              .arg(s.loss, 0, 'f', 4)
                              .arg(s.learningRate, 0, 'g', 3)
                              .arg(s.gradNorm, 0, 'f', 3)
                              .arg(s.tokensPerSecond, 0, 'f', 0)
                              .arg(duration(s.elapsedSeconds), duration(s.etaSeconds));
    publish(QStringLiteral("step"),
            {{QStringLiteral("step"), static_cast<qint64>(s.step)},
             {QStringLiteral("total_steps"), static_cast<qint64>(s.totalSteps)},
             {QStringLiteral("epoch"), s.epoch},
             {QStringLiteral("loss"), s.loss},
             {QStringLiteral("lr"), s.learningRate},
             {QStringLiteral("grad_norm"), s.gradNorm},
             {QStringLiteral("tokens"), static_cast<qint64>(s.tokensSeen)},
             {QStringLiteral("tokens_per_second"), s.tokensPerSecond},
             {QStringLiteral("elapsed"), s.elapsedSeconds},
             {QStringLiteral("eta"), s.etaSeconds}},
            human);
    if (m_terminal && (!m_json)) {
        const int width = 24;
        const int filled = s.totalSteps > 0 ? static_cast<int>(width * s.step / s.totalSteps) : 0;
        std::fprintf(stderr, "\r\033[K[%s%s] %s", QString(filled, QLatin1Char('#')).toUtf8().constData(),
                     QString(width - filled, QLatin1Char('.')).toUtf8().constData(), human.toUtf8().constData());
        std::fflush(stderr);
        m_progressShown = true;
    }
}

void WorkerReporter::evaluated(const EvalReport& e)
{
    publish(QStringLiteral("eval"),
            {{QStringLiteral("step"), static_cast<qint64>(e.step)},
             {QStringLiteral("val_loss"), e.valLoss},
             {QStringLiteral("perplexity"), e.perplexity},
             {QStringLiteral("best_val_loss"), e.bestValLoss},
             {QStringLiteral("is_best"), e.isBest}},
            QStringLiteral("eval at step %1: validation loss %2, perplexity %3%4")
                .arg(e.step)
                .arg(e.valLoss, 0, 'f', 4)
                .arg(e.perplexity, 0, 'f', 2)
                .arg(e.isBest ? QStringLiteral(" (best so far)")
                              : QStringLiteral(" (best %1)").arg(e.bestValLoss, 0, 'f', 4)));
}

void WorkerReporter::sampled(const SampleReport& s)
{
    publish(QStringLiteral("sample"),
            {{QStringLiteral("step"), static_cast<qint64>(s.step)},
             {QStringLiteral("prompt"), s.prompt},
             {QStringLiteral("reference"), s.reference},
             {QStringLiteral("text"), s.text}},
            QStringLiteral("sample at step %1: %2 -> %3")
                .arg(s.step)
                .arg(s.prompt.left(60), s.text.left(120).replace(QLatin1Char('\n'), QLatin1Char(' '))));
}

void WorkerReporter::checkpointed(const CheckpointReport& c)
{
    QJsonObject fields{{QStringLiteral("step"), static_cast<qint64>(c.step)},
                       {QStringLiteral("path"), c.path},
                       {QStringLiteral("best"), c.best}};
    if (c.hasValLoss)
        fields[QStringLiteral("val_loss")] = c.valLoss;
    publish(QStringLiteral("checkpoint"), fields,
            QStringLiteral("checkpoint at step %1%2: %3")
                .arg(c.step)
                .arg(c.best ? QStringLiteral(" (best)") : QString(), c.path));
}

void WorkerReporter::log(const QString& level, const QString& message)
{
    publish(QStringLiteral("log"), {{QStringLiteral("level"), level}, {QStringLiteral("message"), message}},
            QStringLiteral("%1: %2").arg(level, message));
}

void WorkerReporter::pausedChanged(bool paused)
{
    publish(paused ? QStringLiteral("paused") : QStringLiteral("resumed"), {},
            paused ? QStringLiteral("paused") : QStringLiteral("resumed"));
}

void WorkerReporter::ended(const RunEnd& e)
{
    m_ended = true;
    QJsonObject fields{{QStringLiteral("step"), static_cast<qint64>(e.step)},
                       {QStringLiteral("message"), e.message},
                       {QStringLiteral("tokens"), static_cast<qint64>(e.tokensSeen)}};
    if (!e.exportPath.isEmpty())
        fields[QStringLiteral("export")] = e.exportPath;
    if (e.hasBestValLoss)
        fields[QStringLiteral("best_val_loss")] = e.bestValLoss;
    publish(runOutcomeName(e.status), fields, QStringLiteral("%1: %2").arg(runOutcomeName(e.status), e.message));
}

void WorkerReporter::failed(const QString& message)
{
    if (m_ended)
        return;
    m_ended = true;
    publish(QStringLiteral("failed"), {{QStringLiteral("message"), message}},
            QStringLiteral("failed: %1").arg(message));
}

} // namespace ft::cli
