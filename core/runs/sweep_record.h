#pragma once
// A sweep being run, on disk: <runs>/sweeps/<date>-<name>/sweep.json holds the spec, the base
// configuration, what the trials train on, and every trial with its settings, its run folder, its
// status and the validation losses it reported. Written atomically after every change, so a sweep
// whose studio (or CLI) died goes on from it: finished trials are kept, the one that was running is
// run again. Each trial is an ordinary run (in the runs folder, and in the workspace's history when
// there is one), named "<sweep> #N".

#include <map>
#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "contract/sweep_spec.h"
#include "contract/train_config.h"
#include "runs/run_data.h"

namespace ft {

struct SweepTrial {
    int index = 0; // 1-based, as named
    QJsonObject settings;
    // "pending", "running", "evaluating" (trained; its objective metric being measured), "finished",
    // "pruned" (stopped by the median rule), "stopped", "failed", "diverged", "interrupted".
    QString status = QStringLiteral("pending");
    QString runDir;
    QString message;                    // how it ended, when it did not finish
    std::map<qint64, double> valLosses; // step -> validation loss
    std::optional<double> objective;    // the best validation loss
    std::optional<qint64> bestStep;
    std::optional<double> metric; // with an evaluation objective: its value on the best checkpoint

    // finished, pruned, stopped, failed or diverged: not run again on resume (an "evaluating" trial is
    // evaluated again, not trained again)
    bool isDone() const;
};

class SweepRecord {
public:
    // Makes the sweep's folder under `runsDir`/sweeps and its first sweep.json: one pending trial per
    // combination. Validates the spec against the base first.
    static SweepRecord create(const QString& runsDir, const SweepSpec& spec, const TrainConfig& base,
                              const RunData& data);
    // Reads <folder>/sweep.json; errors name the file.
    static SweepRecord load(const QString& folder);
    // The record in `json` (sweep.json's content) for `folder`; `origin` names it in errors. Refuses
    // trials out of order (each index its position, from 1), unknown statuses, a base configuration
    // TrainConfig refuses, and a sweep without trials.
    static SweepRecord fromJson(const QJsonObject& json, const QString& folder, const QString& origin);
    void save() const;

    const QString& folder() const { return m_folder; }
    QString path() const; // sweep.json
    QString runsDir() const { return m_runsDir; }
    const SweepSpec& spec() const { return m_spec; }
    const TrainConfig& base() const { return m_base; }
    const RunData& data() const { return m_data; }
    std::vector<SweepTrial>& trials() { return m_trials; }
    const std::vector<SweepTrial>& trials() const { return m_trials; }

    // What the sweep's objective says of `trial`: its best validation loss, or its evaluation metric.
    std::optional<double> objectiveValue(const SweepTrial& trial) const;
    // The finished or pruned trial with the best objective value (lowest loss, highest metric), if any has one.
    std::optional<int> bestTrial() const;
    // The validation losses the finished trials (other than `except`) reported at `step`.
    std::vector<double> finishedLossesAt(qint64 step, int except) const;
    QString trialName(const SweepTrial& trial) const; // "<sweep> #N"
    QJsonObject toJson() const;

private:
    QString m_folder;
    QString m_runsDir;
    SweepSpec m_spec;
    TrainConfig m_base;
    RunData m_data;
    std::vector<SweepTrial> m_trials;
};

} // namespace ft
