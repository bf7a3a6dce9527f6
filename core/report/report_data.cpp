#include "report/report_data.h"

#include <set>

#include <QDateTime>

#include "common/error.h"

namespace ft {

QString runLabel(const RunInfo& run) { return QStringLiteral("#%1 %2").arg(run.id).arg(run.name); }

namespace {

// The evaluation a run shows in the examples: the one asked for, else the newest with outputs.
std::optional<StoredEvaluation> chooseEvaluation(const EvaluationStore& store, qint64 runId, const QString& checkpoint,
                                                 const QString& split)
{
    for (const StoredEvaluation& e : store.runEvaluations(runId)) // newest first
        if ((checkpoint.isEmpty() || e.checkpoint == checkpoint) && (split.isEmpty() || e.split == split) &&
            store.outputCount(e) > 0)
            return e;
    return std::nullopt;
}

// Without a choice: the first run's newest evaluation with outputs that every other run also has
// (same checkpoint and split), else its newest with outputs.
std::optional<StoredEvaluation> chooseShared(const EvaluationStore& store, const std::vector<qint64>& runIds)
{
    std::optional<StoredEvaluation> newest;
    for (const StoredEvaluation& e : store.runEvaluations(runIds.front())) {
        if (store.outputCount(e) == 0)
            continue;
        if (!newest)
            newest = e;
        bool shared = true;
        for (size_t i = 1; i < runIds.size() && shared; ++i)
            shared = chooseEvaluation(store, runIds[i], e.checkpoint, e.split).has_value();
        if (shared)
            return e;
    }
    return newest;
}

} // namespace

ReportData collectReportData(QSqlDatabase db, const QString& workspaceDir, const std::vector<qint64>& runIds,
                             const ReportOptions& options)
{
    ReportData data;
    data.generated = QDateTime::currentMSecsSinceEpoch();
    RunStore runs(db, workspaceDir);
    const MetricStore metrics(db);
    const EvaluationStore evaluations(db);
    QStringList ids;
    std::vector<RunInfo> infos;
    for (qint64 id : runIds) {
        const auto info = runs.run(id);
        if (!info)
            throw Error(QStringLiteral("no run with id %1").arg(id));
        ReportRun run;
        run.info = *info;
        run.last = metrics.last(id);
        run.evaluations = metrics.evaluations(id);
        run.loss = metrics.series(id, QStringLiteral("loss"));
        run.valLoss = metrics.series(id, QStringLiteral("val_loss"));
        data.runs.push_back(run);
        infos.push_back(*info);
        ids << QString::number(id);
    }
    data.title =
        options.title.isEmpty() ? QStringLiteral("Runs %1").arg(ids.join(QStringLiteral(", "))) : options.title;
    data.differences = settingDifferences(infos);
    std::set<std::pair<QString, QString>> pairs;
    const RatingStore ratings(db);
    for (qint64 id : runIds)
        for (const PairTally& tally : ratings.talliesForRun(id))
            if (pairs.insert({tally.a.id, tally.b.id}).second) // stored order: each pair once
                data.ratings.push_back(tally.seenFrom(id));    // the report's run first

    if (options.examples <= 0 || data.runs.empty())
        return data;
    // One evaluation per run, of the same checkpoint and split as the first run's where they have it.
    const auto first = options.checkpoint.isEmpty() && options.split.isEmpty()
                           ? chooseShared(evaluations, runIds)
                           : chooseEvaluation(evaluations, runIds.front(), options.checkpoint, options.split);
    if (!first)
        return data;
    std::vector<ComparisonColumn> columns;
    if (const auto base = evaluations.baseEvaluationFor(*first))
        columns.push_back({*base, QStringLiteral("base"), evaluations.outputs(*base)});
    for (const ReportRun& run : data.runs) {
        auto chosen = chooseEvaluation(evaluations, run.info.id, first->checkpoint, first->split);
        if (!chosen)
            continue;
        columns.push_back({*chosen, QStringLiteral("%1 (%2)").arg(runLabel(run.info), chosen->checkpoint),
                           evaluations.outputs(*chosen)});
    }
    if (columns.empty())
        return data;
    Comparison comparison = compareEvaluations(columns, options.metric, ComparisonSort::Difference);
    if (static_cast<int>(comparison.rows.size()) > options.examples)
        comparison.rows.resize(static_cast<size_t>(options.examples));
    data.examplesCaption = QStringLiteral("%1 examples of %2 / %3 with the largest %4 differences%5")
                               .arg(comparison.rows.size())
                               .arg(first->checkpoint, first->split, options.metric,
                                    comparison.columns.front().evaluation.kind == EvaluationKind::Base
                                        ? QStringLiteral(" from the base model")
                                        : QStringLiteral(" from %1").arg(comparison.columns.front().label));
    data.examples = std::move(comparison);
    return data;
}

} // namespace ft
