#include "runs/run_trace.h"

#include <algorithm>

#include <QFile>

#include "common/error.h"
#include "contract/line_splitter.h"

namespace ft {

QString RunTrace::describe(const WorkerEvent& event)
{
    auto number = [](double v, int decimals = 4) {
        return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("?");
    };
    if (const auto* s = std::get_if<RunStartInfo>(&event))
        return s->resumedFromStep >= 0
                   ? QStringLiteral("resumed at step %1 of %2").arg(s->resumedFromStep).arg(s->totalSteps)
                   : QStringLiteral(
                         "started: %1 steps, %2 of %3 parameters trainable, %4 training / %5 validation examples%6")
                         .arg(s->totalSteps)
                         .arg(s->trainableParameters)
                         .arg(s->totalParameters)
                         .arg(s->trainExamples)
                         .arg(s->valExamples)
                         .arg(s->truncatedExamples > 0
                                  ? QStringLiteral(", %1 cut to the max length").arg(s->truncatedExamples)
                                  : QString());
    if (const auto* e = std::get_if<EvalPoint>(&event))
        return QStringLiteral("eval at step %1: validation loss %2, %3%4")
            .arg(e->step)
            .arg(number(e->valLoss),
                 std::isnan(e->rewardMargin) ? QStringLiteral("perplexity %1").arg(number(e->perplexity, 2))
                                             : QStringLiteral("reward margin %1, reward accuracy %2")
                                                   .arg(number(e->rewardMargin), number(e->rewardAccuracy, 2)),
                 e->isBest ? QStringLiteral(" (best so far)") : QString());
    if (const auto* c = std::get_if<CheckpointPoint>(&event))
        return QStringLiteral("checkpoint at step %1%2: %3")
            .arg(c->step)
            .arg(c->best ? QStringLiteral(" (best)") : QString(), c->path);
    if (const auto* p = std::get_if<PausedEvent>(&event))
        return p->paused ? QStringLiteral("paused") : QStringLiteral("resumed");
    if (const auto* end = std::get_if<RunEndInfo>(&event))
        return QStringLiteral("%1: %2").arg(end->status, end->message);
    return {};
}

void RunTrace::apply(const WorkerEvent& event)
{
    if (!std::holds_alternative<LogEvent>(event)) {
        const QString line = describe(event);
        if (!line.isEmpty())
            appendLog(QStringLiteral("studio"), line);
    }
    if (const auto* s = std::get_if<RunStartInfo>(&event)) {
        // A later session of the same run (resumed): it goes on from its checkpoint, the curve continues.
        if (s->resumedFromStep > 0 && (resumes.isEmpty() || resumes.constLast() != s->resumedFromStep))
            resumes.append(s->resumedFromStep);
        // What the earlier session did past its checkpoint was thrown away with it: its evaluations,
        // checkpoints and samples no longer belong to the run (its steps are replaced as they come).
        if (s->resumedFromStep >= 0) {
            const qint64 from = s->resumedFromStep;
            auto after = [from](const auto& point) { return point.step > from; };
            evals.erase(std::remove_if(evals.begin(), evals.end(), after), evals.end());
            checkpoints.erase(std::remove_if(checkpoints.begin(), checkpoints.end(), after), checkpoints.end());
            samples.erase(std::remove_if(samples.begin(), samples.end(), after), samples.end());
        }
        hasStart = true;
        start = *s;
        hasEnd = false; // the earlier session's ending is not this one's
        paused = false;
    } else if (const auto* point = std::get_if<StepPoint>(&event)) {
        appendSteps({*point});
    } else if (const auto* e = std::get_if<EvalPoint>(&event)) {
        evals.append(*e);
    } else if (const auto* sample = std::get_if<SamplePoint>(&event)) {
        samples.append(*sample);
    } else if (const auto* c = std::get_if<CheckpointPoint>(&event)) {
        checkpoints.append(*c);
    } else if (const auto* l = std::get_if<LogEvent>(&event)) {
        appendLog(l->level, l->message);
    } else if (const auto* p = std::get_if<PausedEvent>(&event)) {
        paused = p->paused;
    } else if (const auto* end = std::get_if<RunEndInfo>(&event)) {
        hasEnd = true;
        this->end = *end;
        paused = false;
    }
}

void RunTrace::appendSteps(const QVector<StepPoint>& points)
{
    for (const StepPoint& point : points) {
        // A resumed run repeats no step, but a hostile or restarted stream might: keep keys sorted.
        if (!steps.isEmpty() && point.step <= steps.constLast().step) {
            auto at = std::lower_bound(steps.begin(), steps.end(), point.step,
                                       [](const StepPoint& a, qint64 step) { return a.step < step; });
            steps.erase(at, steps.end());
        }
        steps.append(point);
    }
}

void RunTrace::appendLog(const QString& level, const QString& message)
{
    // Informational lines read best bare; warnings and the worker's stderr say what they are.
    const bool plain = level.isEmpty() || level == QLatin1String("studio") || level == QLatin1String("info");
    log.append(plain ? message : QStringLiteral("%1: %2").arg(level, message));
    ++logTotal;
    if (log.size() > kMaxLogLines)
        log.erase(log.begin(), log.begin() + (log.size() - kMaxLogLines));
}

qint64 RunTrace::totalSteps() const
{
    if (!steps.isEmpty() && steps.constLast().totalSteps > 0)
        return steps.constLast().totalSteps;
    return start.totalSteps;
}

const StepPoint* RunTrace::stepAt(qint64 step) const
{
    auto at =
        std::lower_bound(steps.begin(), steps.end(), step, [](const StepPoint& a, qint64 s) { return a.step < s; });
    return at != steps.end() && at->step == step ? &*at : nullptr;
}

const EvalPoint* RunTrace::bestEval() const
{
    const EvalPoint* best = nullptr;
    for (const EvalPoint& eval : evals)
        if (std::isfinite(eval.valLoss) && (!best || eval.valLoss < best->valLoss))
            best = &eval;
    return best;
}

RunTrace RunTrace::loadEventLog(const QString& path, int* skippedLines)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    RunTrace trace;
    LineSplitter splitter;
    int skipped = 0;
    int events = 0;
    auto take = [&](const QByteArray& line) {
        if (auto event = parseWorkerEvent(line)) {
            trace.apply(*event);
            ++events;
        } else {
            ++skipped;
        }
    };
    while (!file.atEnd()) {
        const QByteArray chunk = file.read(1 << 20);
        if (chunk.isEmpty())
            break;
        for (const QByteArray& line : splitter.feed(chunk))
            take(line);
    }
    const QByteArray rest = splitter.takeRest();
    if (!rest.isEmpty())
        take(rest);
    skipped += splitter.droppedLines();
    if (skippedLines)
        *skippedLines = skipped;
    if (events == 0)
        throw Error(QStringLiteral("%1 holds no training events").arg(path));
    return trace;
}

} // namespace ft
