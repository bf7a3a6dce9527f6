#pragma once
// Randomly initialised Llama-family models with a sentencepiece tokenizer trained on the project's own
// sample text: a model for people who have none yet, and the tests' tiny models. qwen3-tiny and llama3-tiny
// carry those architectures' features (q/k norms; llama3 rope scaling) and take a real tokenizer.json.

#include <QString>
#include <QStringList>

#include "modelio/model_config.h"

namespace ft {

struct StarterModelOptions {
    QString preset = QStringLiteral("tiny"); // see starterPresets()
    // An existing tokenizer: a sentencepiece .model, a tokenizer.json, or a model folder holding either (its
    // tokenizer_config.json comes along). Trained on the sample text (sentencepiece) if empty; qwen3-tiny and
    // llama3-tiny need one (a Qwen3 / Llama 3 tokenizer.json).
    QString tokenizerPath;
    QString trainingText; // text file (one passage per line) for the tokenizer; the sample dataset if empty
    QString dtype = QStringLiteral("float32");
    uint64_t seed = 1234;
    // Standard deviation of the random weights (Hugging Face's initializer_range). Larger values give peaked,
    // context-dependent logits: what a numerics cross-check with greedy decoding needs.
    double initStd = 0.02;
    bool replaceExisting = false;
};

QStringList starterPresets(); // tiny, small, stories15m, tinyllama-1.1b, qwen3-tiny, llama3-tiny, qwen2-tiny
bool starterPresetNeedsTokenizer(const QString& preset); // qwen3-tiny, llama3-tiny, qwen2-tiny: a tokenizer.json
// The architecture of a preset (vocabulary size as the preset wants it; see createStarterModel).
ModelConfig starterPresetConfig(const QString& preset);

// Writes a Hugging Face model folder at `outFolder` and returns its configuration.
ModelConfig createStarterModel(const QString& outFolder, const StarterModelOptions& options);

} // namespace ft
