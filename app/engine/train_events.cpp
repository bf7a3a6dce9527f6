#include "train_events.h"

#include <cmath>

#include <unistd.h>

#include <QDateTime>

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

void WorkerReporter::publish(const WorkerEvent& event, const QString& human)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_json) {
        const QByteArray line = workerEventLine(event, now);
        std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
        std::fflush(stdout);
    }
    if (!human.isEmpty() && m_log.isOpen()) {
        m_log.write((now.toString(Qt::ISODate) + QLatin1Char(' ') + human + QLatin1Char('\n')).toUtf8());
        m_log.flush();
    }
    const bool isStep = std::holds_alternative<StepPoint>(event);
    if (!human.isEmpty() && !isStep && (!m_json || m_terminal)) {
        clearProgressLine();
        std::fprintf(stderr, "%s\n", human.toUtf8().constData());
    }
}

void WorkerReporter::started(const RunStartInfo& s)
{
    publish(s, QStringLiteral("%1 %2: %3 steps, %4 of %5 parameters trainable, %6 training / %7 validation examples, "
                              "%8 tokens per epoch")
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

void WorkerReporter::stepDone(const StepPoint& s)
{
    const QString human = QStringLiteral("step %1/%2 epoch %3 loss %4 lr %5 grad-norm %6 %7 tokens/s elapsed %8 eta %9")
                              .arg(s.step)
                              .arg(s.totalSteps)
                              .arg(s.epoch, 0, 'f', 2)
                              .arg(s.loss, 0, 'f', 4)
                              .arg(s.learningRate, 0, 'g', 3)
                              .arg(s.gradNorm, 0, 'f', 3)
                              .arg(s.tokensPerSecond, 0, 'f', 0)
                              .arg(duration(s.elapsed), duration(s.eta));
    const QString preference = std::isnan(s.rewardMargin) ? QString()
                                                          : QStringLiteral(" reward-margin %1 reward-accuracy %2")
                                                                .arg(s.rewardMargin, 0, 'f', 4)
                                                                .arg(s.rewardAccuracy, 0, 'f', 2);
    publish(s, human + preference);
    if (m_terminal && !m_json)
        showProgress(s, human);
}

void WorkerReporter::showProgress(const StepPoint& s, const QString& human)
{
    const int width = 24;
    const int filled = s.totalSteps > 0 ? static_cast<int>(width * s.step / s.totalSteps) : 0;
    std::fprintf(stderr, "\r\033[K[%s%s] %s", QString(filled, QLatin1Char('#')).toUtf8().constData(),
                 QString(width - filled, QLatin1Char('.')).toUtf8().constData(), human.toUtf8().constData());
    std::fflush(stderr);
    m_progressShown = true;
}

void WorkerReporter::evaluated(const EvalPoint& e)
{
    const QString measures = std::isnan(e.rewardMargin) ? QStringLiteral("perplexity %1").arg(e.perplexity, 0, 'f', 2)
                                                        : QStringLiteral("reward margin %1, reward accuracy %2")
                                                              .arg(e.rewardMargin, 0, 'f', 4)
                                                              .arg(e.rewardAccuracy, 0, 'f', 2);
    publish(e, QStringLiteral("eval at step %1: validation loss %2, %3%4")
                   .arg(e.step)
                   .arg(e.valLoss, 0, 'f', 4)
                   .arg(measures)
                   .arg(e.isBest ? QStringLiteral(" (best so far)")
                                 : QStringLiteral(" (best %1)").arg(e.bestValLoss, 0, 'f', 4)));
}

void WorkerReporter::sampled(const SamplePoint& s)
{
    publish(s, QStringLiteral("sample at step %1: %2 -> %3")
                   .arg(s.step)
                   .arg(s.prompt.left(60), s.text.left(120).replace(QLatin1Char('\n'), QLatin1Char(' '))));
}

void WorkerReporter::checkpointed(const CheckpointPoint& c)
{
    publish(c, QStringLiteral("checkpoint at step %1%2: %3")
                   .arg(c.step)
                   .arg(c.best ? QStringLiteral(" (best)") : QString(), c.path));
}

void WorkerReporter::log(const QString& level, const QString& message)
{
    publish(LogEvent{level, message}, QStringLiteral("%1: %2").arg(level, message));
}

void WorkerReporter::pausedChanged(bool paused)
{
    publish(PausedEvent{paused}, paused ? QStringLiteral("paused") : QStringLiteral("resumed"));
}

void WorkerReporter::ended(const RunEndInfo& e)
{
    m_ended = true;
    publish(e, QStringLiteral("%1: %2").arg(e.status, e.message));
}

void WorkerReporter::failed(const QString& message)
{
    if (m_ended)
        return;
    m_ended = true;
    RunEndInfo end;
    end.status = runOutcomeName(RunOutcome::Failed);
    end.message = message;
    publish(end, QStringLiteral("failed: %1").arg(message));
}

} // namespace ft::cli
