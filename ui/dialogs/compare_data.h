#pragma once
// What the comparison of runs shows, read from the store in one go (on the store thread): each run's
// record, its loss and validation-loss curves with the tokens seen and the training seconds at every
// step (so the curves can be aligned by step, tokens or time), the settings that differ
// (store/run_settings.h), and the final metrics (last loss, best validation loss, tokens, time, and
// the latest evaluation's numbers). Also the CSV of the two tables. QtCore + the store only.

#include <map>
#include <vector>

#include <QString>
#include <QStringList>

#include "store/metric_store.h"
#include "store/run_settings.h"
#include "store/run_store.h"

namespace ft::ui {

enum class CompareAxis { Step, Tokens, Time };

struct ComparedRun {
    RunInfo info;
    MetricSeries loss;
    MetricSeries valLoss;
    std::map<qint64, double> tokensAt;  // step -> tokens seen
    std::map<qint64, double> secondsAt; // step -> training seconds
    QString evaluation;                 // "final / val" of the latest evaluation, if any
    std::map<QString, double> evalMetrics;
};

struct CompareData {
    std::vector<ComparedRun> runs;
    std::vector<SettingRow> differences;   // settings whose values differ
    QStringList metricNames;               // rows of the final-metrics table
    std::vector<QStringList> metricValues; // per metric, one text per run
};

// Reads the runs (in the order given) from the workspace at `workspacePath`. Throws ft::Error when a
// run does not exist. Call it on the store thread.
CompareData loadCompareData(const QString& workspacePath, const QList<qint64>& runIds);

// x of a curve's points on `axis` (steps without a tokens or time record are left out: `keep` says
// which points remain).
std::vector<double> alignedX(const ComparedRun& run, const MetricSeries& series, CompareAxis axis,
                             std::vector<bool>& keep);

// Both tables as CSV (RFC 4180 quoting): "section,key,<run names...>" with the settings that differ,
// then the final metrics.
QByteArray compareCsv(const CompareData& data);

} // namespace ft::ui
