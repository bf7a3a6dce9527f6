#pragma once
// Training checkpoints in a run folder: checkpoints/step-NNNNNNNN/ holding the trainable weights
// (trainable.safetensors), the optimizer state (optimizer.pt, LibTorch's archive), and state.json
// (format version, step, data position, schedule, random state, best validation loss). Each is
// written into a temporary folder and renamed into place, so a crash never leaves half a checkpoint.

#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "engine/trainable_setup.h"

namespace ft {

struct TrainingState {
    int64_t step = 0;  // optimizer steps completed
    int64_t epoch = 0; // data position: the epoch and micro-batch to continue from
    int64_t microBatch = 0;
    int64_t tokensSeen = 0;
    double elapsedSeconds = 0.0;
    double bestValLoss = 0.0; // meaningful when bestStep >= 0
    int64_t bestStep = -1;
    int64_t evalsWithoutImprovement = 0;
    std::optional<double> valLoss; // at this checkpoint, when it was evaluated
    QByteArray rngState;           // the default CPU generator's state (dropout)

    QJsonObject toJson() const;
    static TrainingState fromJson(const QJsonObject& json, const QString& origin);
};

struct SavedCheckpoint {
    QString path;
    int64_t step = 0;
    bool best = false;
    std::optional<double> valLoss;
};

// Writes an optimizer's state (LibTorch's archive) to `path`; a failed write (a full disk) throws
// ft::Error naming the file and the reason instead of ending the process.
void writeOptimizerState(torch::optim::Optimizer& optimizer, const QString& path);

class CheckpointStore {
public:
    explicit CheckpointStore(const QString& runDir);

    // Writes a checkpoint for state.step; `best` marks it as the best so far (the mark is moved).
    SavedCheckpoint save(const TrainingState& state, const std::vector<NamedParameter>& trainable,
                         torch::optim::Optimizer& optimizer, bool best);
    // Keeps the newest `keepLast` checkpoints and the best one; removes the rest.
    void prune(int64_t keepLast);

    std::vector<SavedCheckpoint> list() const; // ascending by step
    std::optional<SavedCheckpoint> latest() const;
    std::optional<SavedCheckpoint> best() const;

    // Restores trainable weights (names and shapes must match), and optionally the optimizer.
    TrainingState load(const SavedCheckpoint& checkpoint, const std::vector<NamedParameter>& trainable,
                       torch::optim::Optimizer* optimizer) const;

    static constexpr int kFormatVersion = 1;

private:
    QString m_runDir;
    QString m_dir; // runDir/checkpoints
};

} // namespace ft
