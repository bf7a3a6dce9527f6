#pragma once
// Numbers of runs: metrics per step (loss, lr, grad_norm, tokens/s, val_loss, ...) appended in
// batches by the worker and read back as curves by the GUI, and evaluations of checkpoints.

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

namespace ft {

struct MetricPoint {
    qint64 step = 0;
    QString name;        // "loss", "lr", "grad_norm", "tokens_per_second", "val_loss", ...
    double value = 0;    // NaN is stored as NULL and read back as NaN
    double wallTime = 0; // seconds since the Unix epoch; 0: now
};

struct MetricSeries {
    std::vector<qint64> steps; // ascending
    std::vector<double> values;
    std::vector<double> wallTimes;
};

struct EvaluationRecord {
    qint64 id = 0;
    qint64 runId = 0;
    QString checkpoint; // which weights: "final", "best", "step-200", or a checkpoint path
    QString split;      // "val", "test", ...
    QString metric;     // "loss", "perplexity", "bleu", "rouge-l", "exact-match", ...
    double value = 0;
    qint64 created = 0; // ms since the Unix epoch
};

class MetricStore {
public:
    explicit MetricStore(QSqlDatabase db);
    ~MetricStore();

    // Appends a batch in one transaction with one prepared statement (kept between calls). A step
    // recorded again for the same metric replaces the old value (a resumed run logs it anew).
    void append(qint64 runId, const std::vector<MetricPoint>& batch);
    // Forgets metrics after `step` (a run resumed from the checkpoint at `step`).
    void truncateAfter(qint64 runId, qint64 step);

    QStringList names(qint64 runId) const;
    // One metric's curve from `fromStep` on (a GUI that already has the earlier points asks for the rest).
    MetricSeries series(qint64 runId, const QString& name, qint64 fromStep = 0) const;
    // The last recorded point of each metric (the "final metrics" of a run).
    std::map<QString, MetricPoint> last(qint64 runId) const;
    qint64 count(qint64 runId) const;

    qint64 recordEvaluation(qint64 runId, const QString& checkpoint, const QString& split, const QString& metric,
                            double value);
    std::vector<EvaluationRecord> evaluations(qint64 runId) const;

private:
    QSqlDatabase m_db;
    std::unique_ptr<QSqlQuery> m_insert;
};

} // namespace ft
