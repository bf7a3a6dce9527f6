#pragma once
// What a report on a set of runs holds, read from the workspace in one go: each run's row, final
// metrics, loss curves and evaluations, the settings that differ, and a few examples side by side
// (the stored outputs of one evaluation per run, with the base model's when it was evaluated on the
// same records with the same settings).

#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QString>

#include "store/evaluation_compare.h"
#include "store/metric_store.h"
#include "store/rating_store.h"
#include "store/run_settings.h"
#include "store/run_store.h"

namespace ft {

struct ReportOptions {
    QString title;      // empty: "Runs 3, 4"
    int examples = 5;   // example comparisons shown (0: none)
    QString checkpoint; // evaluation whose examples are shown; empty: the newest of the first run
    QString split;      // with checkpoint; empty: that evaluation's split
    QString metric = QStringLiteral("rouge-l"); // per-example score compared
};

struct ReportRun {
    RunInfo info;
    std::map<QString, MetricPoint> last; // final value of every metric
    std::vector<EvaluationRecord> evaluations;
    MetricSeries loss;    // training loss per step
    MetricSeries valLoss; // validation loss per evaluation
};

struct ReportData {
    QString title;
    qint64 generated = 0; // ms since the epoch
    std::vector<ReportRun> runs;
    std::vector<SettingRow> differences;
    // People's blind ratings of pairs involving the runs (rating_store.h), each with the report's run as
    // `a`: its win rate against the other.
    std::vector<PairTally> ratings;
    std::optional<Comparison> examples; // at most ReportOptions::examples rows, largest differences first
    QString examplesCaption;
};

// Throws ft::Error when a run id does not exist.
ReportData collectReportData(QSqlDatabase db, const QString& workspaceDir, const std::vector<qint64>& runIds,
                             const ReportOptions& options = {});

// "#3 name" as reports and comparisons label a run.
QString runLabel(const RunInfo& run);

} // namespace ft
