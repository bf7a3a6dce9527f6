#pragma once
// The weights an evaluation measures: a model (a Hugging Face folder or a llama2.c .bin), or a run
// folder at one of its checkpoints.
//
// For a run, "final" is the exported model (export/model: the adapters merged for LoRA/QLoRA runs; for a
// prompt-tuned run, whose export is only export/adapter, the run's base with that soft prompt;
// the best checkpoint's weights when the run validated and export_best was on). "best", "latest" and
// "step-N" rebuild the run's model as its configuration says (quantized base, LoRA adapters) with
// loadTrainingModel and restore that checkpoint's trainable weights, so an adapter run is measured
// exactly as it trained.

#include <optional>

#include <QString>

#include "contract/train_config.h"
#include "engine/model_loader.h"

namespace ft {

// Whether `path` is a run folder (config.json of a training configuration beside data/), as opposed
// to a model folder.
bool isRunFolder(const QString& path);

// "final", "best", "latest" or "step-N" (leading zeros dropped: "step-00000200" -> "step-200");
// throws ft::Error for anything else.
QString canonicalCheckpointName(const QString& name);

struct EvalModel {
    LoadedModel loaded;
    bool isRun = false;
    QString runDir;              // absolute, for runs
    TrainConfig runConfig;       // for runs: the resolved configuration it trained with
    QString checkpoint;          // for runs: canonical name ("final", "best", "step-200", ...)
    std::optional<int64_t> step; // the checkpoint's step (not known for "final")
    QString weightsPath;         // the model file or folder, export/model, or the checkpoint folder
};

// A run's configuration (runDir/config.json).
TrainConfig readRunConfig(const QString& runDir);

// Loads a model file or folder in `dtype`.
EvalModel loadEvalBaseModel(const QString& modelPath, const QString& dtype = QStringLiteral("float32"));

// Loads a run at `checkpoint` (see canonicalCheckpointName). Errors name the run folder and say which
// checkpoints exist, or that a run that did not finish has no export.
EvalModel loadEvalRunModel(const QString& runDir, const QString& checkpoint = QStringLiteral("final"));

} // namespace ft
