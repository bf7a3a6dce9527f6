#pragma once
// How an evaluation is run: the template and loss settings that turn records into tokens (a run's
// own, so that it is measured on what it learned), how answers are generated, and which metrics are
// computed. The settings that decide the numbers form a key: a base model's evaluation is reused
// only under the same key.

#include <vector>

#include <QJsonObject>
#include <QString>

#include "contract/train_config.h"
#include "data/generation_scores.h"
#include "engine/generation.h"

namespace ft {

struct EvalSettings {
    QString promptTemplate = QStringLiteral("alpaca"); // built-in name, custom text with {response}, or "model"
    QString templateModelFolder; // whose own chat template "model" is (the base model); not part of the key
    QString lossOn = QStringLiteral("response"); // "response" | "all"
    int64_t maxLength = 512;                     // tokens per example for the loss (longer ones are cut as in training)
    bool packing = true;   // loss batches packed as the trainer packs them (no effect on the value)
    int64_t batchSize = 4; // rows per loss batch (no effect on the value)
    SamplingOptions sampling = defaultSampling();
    std::vector<EvalMetric> metrics = allEvalMetrics();

    // Greedy, at most 128 new tokens, stopping at end-of-sequence.
    static SamplingOptions defaultSampling();
    // The run's template, loss_on, max_length, packing and batch size; generation as default.
    static EvalSettings fromRunConfig(const TrainConfig& config);

    bool wants(EvalMetric metric) const;
    bool wantsLoss() const { return wants(EvalMetric::Loss); }
    bool wantsGeneration() const;

    // What decides the numbers: template, loss_on, max_length and the generation settings (sampling
    // parameters only when not greedy). Not the metrics, batch size or packing.
    QJsonObject keyJson() const;
    QString key() const; // SHA-256 (hex) of keyJson()'s compact text
    // keyJson() plus the metrics, batch size and packing: what is shown and stored with results.
    QJsonObject toJson() const;
    // Throws ft::Error naming the setting that is out of range.
    void validate() const;
};

} // namespace ft
