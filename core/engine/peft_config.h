#pragma once
// adapter_config.json of a PEFT LoRA adapter: what we write, and what we accept when reading one that
// PEFT or another tool wrote.

#include <QJsonObject>
#include <QString>

#include "engine/lora.h"

namespace ft {

struct PeftAdapterConfig {
    LoraSettings settings;
    QString baseModelNameOrPath;
};

// The JSON PEFT writes for a LoRA adapter of a causal language model (inference_mode true, bias
// "none", fan_in_fan_out false, empty rank/alpha patterns).
QJsonObject peftConfigJson(const PeftAdapterConfig& config);

// Parses and validates; `origin` (the file's path) names it in errors. Refuses what this engine cannot
// reproduce faithfully: another peft_type, DoRA, trained biases, fan_in_fan_out, per-module rank or
// alpha patterns, layers_to_transform, modules_to_save, and regular-expression target_modules
// ("all-linear" is accepted and means the seven projections).
PeftAdapterConfig parsePeftConfig(const QJsonObject& json, const QString& origin);

} // namespace ft
