#pragma once
// Evaluations with their per-example outputs, so that comparisons and reports never generate again.
//
// A run's evaluation is one checkpoint ("final", "best", "step-200") on one split: its header
// (run_evaluations: what was evaluated, on which records, with which settings), its numbers in the
// evaluations table (MetricStore::evaluations() reads them, as for the numbers training records),
// and its outputs. Evaluating the same (run, checkpoint, split) again replaces all three.
//
// A base model is not a run: its evaluation is cached in base_evaluations once per (model identity,
// split, records, settings key) with its numbers, and reused by every run of that base evaluated on
// the same records with the same settings. The model identity is modelio/model_identity.h's, the
// records digest data/eval_record.h's recordsSha256, the settings key EvalSettings::key().
//
// Thread rule as every store: one EvaluationStore per thread's connection (database.h).

#include <map>
#include <optional>
#include <vector>

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

namespace ft {

struct EvaluationOutput {
    qint64 example = 0; // index in the evaluated records
    QString key;        // SHA-256 of the record: the same example in every evaluation
    QString prompt;
    QString reference;
    QString output;
    qint64 promptTokens = 0;
    qint64 outputTokens = 0;
    QString stopReason; // "eos", "length", "context"
    QJsonObject scores; // {"bleu", "rouge-l", "exact-match", "f1"}
    double score(const QString& metric) const { return scores.value(metric).toDouble(); }
};

enum class EvaluationKind { Run, Base };

struct StoredEvaluation {
    EvaluationKind kind = EvaluationKind::Run;
    qint64 id = 0;              // of run_evaluations or base_evaluations, by kind
    qint64 runId = 0;           // runs only
    QString checkpoint;         // runs only: "final", "best", "step-200", ...
    std::optional<qint64> step; // runs only: the checkpoint's step when known
    QString modelId;            // base: the model's identity; run: its base model's
    QString modelPath;          // base: the model; run: its base model
    qint64 datasetId = 0;       // 0: not from a workspace dataset (a file, or the dataset is gone)
    QString datasetName;
    std::optional<qint64> datasetVersion;
    QString split;  // "val", "test", "train", or "file:<name>"
    QString source; // where the records came from: "run:data/val.jsonl", "dataset", "file:<path>"
    QString recordsSha256;
    qint64 examples = 0;
    QJsonObject settings; // EvalSettings::toJson()
    QString settingsKey;  // EvalSettings::key()
    std::map<QString, double>
        metrics; // "loss", "perplexity", "bleu", "rouge-l", "exact-match", "f1", "response-words", "response-tokens"
    double seconds = 0.0;
    qint64 created = 0; // ms since the Unix epoch
};

// A run's latest evaluation: the checkpoint and split of its newest row, and that evaluation's numbers.
struct LatestEvaluation {
    QString label; // "final / val"
    std::map<QString, double> metrics;
};

class EvaluationStore {
public:
    explicit EvaluationStore(QSqlDatabase db);

    // Records a run's evaluation (header, metrics into evaluations, outputs) in one transaction,
    // replacing an earlier evaluation of the same run, checkpoint and split. Returns the header id.
    qint64 saveRunEvaluation(const StoredEvaluation& evaluation, const std::vector<EvaluationOutput>& outputs);
    // Caches a base model's evaluation, replacing one with the same model, split, records and settings.
    qint64 saveBaseEvaluation(const StoredEvaluation& evaluation, const std::vector<EvaluationOutput>& outputs);

    std::optional<StoredEvaluation> runEvaluation(qint64 runId, const QString& checkpoint, const QString& split) const;
    // For a table of runs: every run's numbers for one checkpoint and split, in one query (run id ->
    // metric -> value), including those the trainer recorded.
    std::map<qint64, std::map<QString, double>> metricsByRun(const QString& checkpoint, const QString& split) const;
    // Every run's latest evaluation, in one query (the Runs page's columns); one run's (the comparison).
    std::map<qint64, LatestEvaluation> latestEvaluations() const;
    std::optional<LatestEvaluation> latestEvaluation(qint64 runId) const;
    // Every evaluation of a run with outputs, newest first.
    std::vector<StoredEvaluation> runEvaluations(qint64 runId) const;
    // The cached evaluation of a base model on these records with these settings, if any.
    std::optional<StoredEvaluation> findBaseEvaluation(const QString& modelId, const QString& split,
                                                       const QString& recordsSha256, const QString& settingsKey) const;
    // The base evaluation that matches a run's evaluation (same base model, split, records and settings).
    std::optional<StoredEvaluation> baseEvaluationFor(const StoredEvaluation& runEvaluation) const;
    // Cached base evaluations, newest first; all of them, or one model's.
    std::vector<StoredEvaluation> baseEvaluations(const QString& modelId = {}) const;
    void removeBaseEvaluation(qint64 id);

    // The evaluation's outputs in example order, and how many there are (0: only the loss was computed).
    std::vector<EvaluationOutput> outputs(const StoredEvaluation& evaluation) const;
    qint64 outputCount(const StoredEvaluation& evaluation) const;

private:
    void insertOutputs(const char* ownerColumn, qint64 ownerId, const std::vector<EvaluationOutput>& outputs);
    std::map<qint64, LatestEvaluation> selectLatestEvaluations(std::optional<qint64> runId) const;
    std::vector<StoredEvaluation> selectRunEvaluations(const QString& where, const QVariantList& binds) const;
    std::vector<StoredEvaluation> selectBaseEvaluations(const QString& where, const QVariantList& binds) const;
    QSqlDatabase m_db;
};

} // namespace ft
