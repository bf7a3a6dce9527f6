#include "engine/peft_config.h"

#include <algorithm>

#include <QJsonArray>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

namespace {

bool isAbsentOrEmpty(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    return value.isUndefined() || value.isNull() || (value.isObject() && value.toObject().isEmpty()) ||
           (value.isArray() && value.toArray().isEmpty());
}

std::vector<ProjectionKind> parseTargets(const QJsonValue& value, const QString& origin)
{
    if (value.isString()) {
        if (value.toString() == QLatin1String("all-linear"))
            return allProjectionKinds();
        throw Error(QStringLiteral("%1: target_modules \"%2\" is a regular expression; only a list of module names "
                                   "(q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj) or \"all-linear\" "
                                   "is supported")
                        .arg(origin, value.toString()));
    }
    if (!value.isArray() || value.toArray().isEmpty())
        throw Error(QStringLiteral("%1: target_modules must be a non-empty list of module names").arg(origin));
    std::vector<ProjectionKind> targets;
    for (const QJsonValue& item : value.toArray()) {
        const std::optional<ProjectionKind> kind = projectionKindFromName(item.toString());
        if (!item.isString() || !kind)
            throw Error(QStringLiteral("%1: unknown target module \"%2\" in target_modules (expected q_proj, k_proj, "
                                       "v_proj, o_proj, gate_proj, up_proj or down_proj)")
                            .arg(origin, item.isString() ? item.toString() : QStringLiteral("<not a string>")));
        if (std::find(targets.begin(), targets.end(), *kind) == targets.end())
            targets.push_back(*kind);
    }
    return targets;
}

} // namespace

QJsonObject peftConfigJson(const PeftAdapterConfig& config)
{
    const LoraSettings& s = config.settings;
    QJsonArray targets;
    for (ProjectionKind kind : s.targets)
        targets.append(QLatin1String(projectionName(kind)));
    QJsonObject json;
    json[QStringLiteral("peft_type")] = QStringLiteral("LORA");
    json[QStringLiteral("task_type")] = QStringLiteral("CAUSAL_LM");
    json[QStringLiteral("r")] = s.rank;
    json[QStringLiteral("lora_alpha")] = s.alpha;
    json[QStringLiteral("lora_dropout")] = s.dropout;
    json[QStringLiteral("target_modules")] = targets;
    json[QStringLiteral("use_rslora")] = s.rsLora;
    json[QStringLiteral("use_dora")] = false;
    json[QStringLiteral("base_model_name_or_path")] = config.baseModelNameOrPath;
    json[QStringLiteral("bias")] = QStringLiteral("none");
    json[QStringLiteral("fan_in_fan_out")] = false;
    json[QStringLiteral("inference_mode")] = true;
    json[QStringLiteral("init_lora_weights")] = true;
    json[QStringLiteral("rank_pattern")] = QJsonObject();
    json[QStringLiteral("alpha_pattern")] = QJsonObject();
    json[QStringLiteral("layers_to_transform")] = QJsonValue::Null;
    json[QStringLiteral("layers_pattern")] = QJsonValue::Null;
    json[QStringLiteral("modules_to_save")] = QJsonValue::Null;
    json[QStringLiteral("revision")] = QJsonValue::Null;
    return json;
}

PeftAdapterConfig parsePeftConfig(const QJsonObject& json, const QString& origin)
{
    const QString peftType = requireString(json, QStringLiteral("peft_type"), origin);
    if (peftType != QLatin1String("LORA"))
        throw Error(QStringLiteral("%1: peft_type is \"%2\"; only LORA adapters can be loaded").arg(origin, peftType));
    const QJsonValue task = json.value(QStringLiteral("task_type"));
    if (!task.isUndefined() && !task.isNull() && task.toString() != QLatin1String("CAUSAL_LM"))
        throw Error(QStringLiteral("%1: task_type is \"%2\"; only CAUSAL_LM adapters fit this model")
                        .arg(origin, task.isString() ? task.toString() : QStringLiteral("<not a string>")));

    PeftAdapterConfig config;
    LoraSettings& s = config.settings;
    const qint64 rank = requireInt(json, QStringLiteral("r"), origin);
    if (rank < 1 || rank > 65536)
        throw Error(QStringLiteral("%1: r must be between 1 and 65536, got %2").arg(origin).arg(rank));
    s.rank = static_cast<int>(rank);
    s.alpha = requireDouble(json, QStringLiteral("lora_alpha"), origin);
    s.dropout = optionalDouble(json, QStringLiteral("lora_dropout"), 0.0, origin);
    s.rsLora = optionalBool(json, QStringLiteral("use_rslora"), false, origin);
    s.targets = parseTargets(json.value(QStringLiteral("target_modules")), origin);
    config.baseModelNameOrPath = json.value(QStringLiteral("base_model_name_or_path")).toString();

    const QJsonValue bias = json.value(QStringLiteral("bias"));
    if (!bias.isUndefined() && !bias.isNull() && bias.toString() != QLatin1String("none"))
        throw Error(QStringLiteral("%1: bias is \"%2\"; only adapters without trained biases (\"none\") are supported")
                        .arg(origin, bias.toString()));
    if (optionalBool(json, QStringLiteral("fan_in_fan_out"), false, origin))
        throw Error(QStringLiteral("%1: fan_in_fan_out is true (a GPT-2 style Conv1D base); Llama projections are "
                                   "plain linear layers")
                        .arg(origin));
    if (optionalBool(json, QStringLiteral("use_dora"), false, origin))
        throw Error(QStringLiteral("%1: use_dora is true; DoRA adapters are not supported").arg(origin));
    for (const char* key : {"rank_pattern", "alpha_pattern", "layers_to_transform", "modules_to_save"})
        if (!isAbsentOrEmpty(json, QLatin1String(key)))
            throw Error(QStringLiteral("%1: \"%2\" is set; adapters with per-module ranks, selected layers or saved "
                                       "modules are not supported")
                            .arg(origin, QLatin1String(key)));
    try {
        s.validate();
    } catch (const Error& error) {
        throw Error(QStringLiteral("%1: %2").arg(origin, error.message()));
    }
    return config;
}

} // namespace ft
