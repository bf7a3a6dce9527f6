#include "engine/training_model.h"

#include "common/error.h"
#include "engine/prompt_tuning.h"
#include "engine/tensor_convert.h"

namespace ft {

LoraSettings loraSettingsFrom(const TrainConfig& config)
{
    LoraSettings settings;
    settings.rank = static_cast<int>(config.loraRank);
    settings.alpha = config.loraAlpha;
    settings.dropout = config.loraDropout;
    settings.rsLora = config.useRsLora;
    settings.targets.clear();
    for (const QString& name : config.loraTargets) {
        const auto kind = projectionKindFromName(name);
        if (!kind)
            throw Error(
                QStringLiteral("training configuration: \"lora_targets\" has unknown projection \"%1\"").arg(name));
        settings.targets.push_back(*kind);
    }
    settings.validate();
    return settings;
}

SoftPromptSettings softPromptSettingsFrom(const TrainConfig& config)
{
    SoftPromptSettings settings;
    settings.virtualTokens = config.numVirtualTokens;
    settings.init = config.promptTuningInit;
    settings.initText = config.promptTuningInitText;
    return settings;
}

BaseQuantization baseQuantizationFrom(const TrainConfig& config)
{
    BaseQuantization quantization;
    if (config.baseQuantization == QLatin1String("nf4"))
        quantization.kind = BaseQuantizationKind::Nf4;
    else if (config.baseQuantization == QLatin1String("int8"))
        quantization.kind = BaseQuantizationKind::Int8;
    quantization.doubleQuant = config.doubleQuant;
    return quantization;
}

LoadedModel loadRunBaseModel(const TrainConfig& config)
{
    LoadOptions options;
    options.dtype = scalarTypeFromTorchName(config.computeDtype);
    const BaseQuantization quantization = baseQuantizationFrom(config);
    if (quantization.kind != BaseQuantizationKind::None)
        options.prepare = quantizingPrepare(quantization);
    return loadModel(config.model, options);
}

LoadedModel loadTrainingModel(const TrainConfig& config)
{
    LoadedModel loaded = loadRunBaseModel(config);
    if (config.trainable == QLatin1String("lora"))
        applyLora(*loaded.model, loraSettingsFrom(config), config.seed);
    if (config.trainable == QLatin1String("prompt"))
        applySoftPrompt(*loaded.model, softPromptSettingsFrom(config), loaded.tokenizer.get(), config.seed);
    return loaded;
}

} // namespace ft
