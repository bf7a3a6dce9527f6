#pragma once
// The model a run trains, built as its configuration says: the base in the compute dtype or
// quantized (int8, NF4) while it loads, and LoRA adapters over it when the run trains adapters, or a
// soft prompt before it when the run tunes a prompt.
// The trainer, the evaluator and the playground all build run models through here.

#include "contract/train_config.h"
#include "engine/lora.h"
#include "engine/model_loader.h"
#include "engine/prompt_tuning.h"
#include "engine/quantized_projection.h"

namespace ft {

LoraSettings loraSettingsFrom(const TrainConfig& config);
BaseQuantization baseQuantizationFrom(const TrainConfig& config);
SoftPromptSettings softPromptSettingsFrom(const TrainConfig& config);

// Loads config.model, quantizing each projection straight from the file when base_quantization asks
// for it, and applies LoRA (seeded by config.seed) when trainable is "lora", a soft prompt (seeded
// likewise) when it is "prompt".
LoadedModel loadTrainingModel(const TrainConfig& config);
// The base alone, as loadTrainingModel loads it (dtype, quantization), without adapters or soft prompt.
LoadedModel loadRunBaseModel(const TrainConfig& config);

} // namespace ft
