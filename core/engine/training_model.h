#pragma once
// The model a run trains, built as its configuration says: the base in the compute dtype or
// quantized (int8, NF4) while it loads, and LoRA adapters over it when the run trains adapters.
// The trainer, the evaluator and the playground all build run models through here.

#include "engine/lora.h"
#include "engine/model_loader.h"
#include "engine/quantized_projection.h"
#include "contract/train_config.h"

namespace ft {

LoraSettings loraSettingsFrom(const TrainConfig& config);
BaseQuantization baseQuantizationFrom(const TrainConfig& config);

// Loads config.model, quantizing each projection straight from the file when base_quantization asks
// for it, and applies LoRA (seeded by config.seed) when trainable is "lora".
LoadedModel loadTrainingModel(const TrainConfig& config);

} // namespace ft
