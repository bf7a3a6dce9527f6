#pragma once
// Randomly initialised Llama-architecture models with a sentencepiece tokenizer trained on the
// project's own sample text: a model for people who have none yet, and the tests' tiny models.

#include <QString>
#include <QStringList>

#include "modelio/model_config.h"

namespace ft {

struct StarterModelOptions {
    QString preset = QStringLiteral("tiny"); // see starterPresets()
    QString tokenizerPath;                   // an existing sentencepiece .model; trained on the sample text if empty
    QString trainingText; // text file (one passage per line) for the tokenizer; the sample dataset if empty
    QString dtype = QStringLiteral("float32");
    uint64_t seed = 1234;
    bool replaceExisting = false;
};

QStringList starterPresets(); // tiny, small, stories15m, tinyllama-1.1b
// The architecture of a preset (vocabulary size as the preset wants it; see createStarterModel).
ModelConfig starterPresetConfig(const QString& preset);

// Writes a Hugging Face model folder at `outFolder` and returns its configuration.
ModelConfig createStarterModel(const QString& outFolder, const StarterModelOptions& options);

} // namespace ft
