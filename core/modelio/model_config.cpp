#include "modelio/model_config.h"

#include <QJsonArray>
#include <QStringList>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

QStringList ModelConfig::supportedArchitectures()
{
    return {QStringLiteral("LlamaForCausalLM"), QStringLiteral("MistralForCausalLM"),
            QStringLiteral("Qwen2ForCausalLM"), QStringLiteral("Qwen3ForCausalLM")};
}

namespace {

std::vector<int64_t> readTokenIds(const QJsonObject& json, const QString& key, const QString& origin)
{
    const QJsonValue value = json.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (value.isArray()) {
        std::vector<int64_t> ids;
        for (const QJsonValue& item : value.toArray()) {
            if (!item.isDouble())
                throw Error(QStringLiteral("%1: field \"%2\" must hold integers").arg(origin, key));
            ids.push_back(item.toInteger());
        }
        return ids;
    }
    return {optionalInt(json, key, -1, origin)};
}

} // namespace

ModelConfig ModelConfig::fromJson(const QJsonObject& json, const QString& origin)
{
    ModelConfig config;
    config.raw = json;

    const QJsonArray architectures = json.value(QStringLiteral("architectures")).toArray();
    if (architectures.isEmpty() || !architectures.first().isString())
        throw Error(QStringLiteral("%1: missing \"architectures\" (expected one of %2)")
                        .arg(origin, supportedArchitectures().join(QStringLiteral(", "))));
    config.architecture = architectures.first().toString();
    if (!supportedArchitectures().contains(config.architecture))
        throw Error(QStringLiteral("%1: architecture %2 is not supported (supported: %3)")
                        .arg(origin, config.architecture, supportedArchitectures().join(QStringLiteral(", "))));
    config.modelType = json.value(QStringLiteral("model_type")).toString(config.modelType);

    config.hiddenSize = requireInt(json, QStringLiteral("hidden_size"), origin);
    config.intermediateSize = requireInt(json, QStringLiteral("intermediate_size"), origin);
    config.numLayers = requireInt(json, QStringLiteral("num_hidden_layers"), origin);
    config.numHeads = requireInt(json, QStringLiteral("num_attention_heads"), origin);
    config.numKvHeads = optionalInt(json, QStringLiteral("num_key_value_heads"), config.numHeads, origin);
    config.vocabSize = requireInt(json, QStringLiteral("vocab_size"), origin);
    config.maxPositions = optionalInt(json, QStringLiteral("max_position_embeddings"), 2048, origin);
    config.rmsNormEps = optionalDouble(json, QStringLiteral("rms_norm_eps"), 1e-6, origin);
    config.ropeTheta = optionalDouble(json, QStringLiteral("rope_theta"), 10000.0, origin);
    config.tieWordEmbeddings = optionalBool(json, QStringLiteral("tie_word_embeddings"), false, origin);
    config.headDim = config.numHeads > 0 ? config.hiddenSize / config.numHeads : 0;
    config.headDim = optionalInt(json, QStringLiteral("head_dim"), config.headDim, origin);

    const QJsonValue act = json.value(QStringLiteral("hidden_act"));
    if (!act.isUndefined() && !act.isNull() && act.toString() != QLatin1String("silu"))
        throw Error(
            QStringLiteral("%1: hidden_act \"%2\" is not supported (expected \"silu\")").arg(origin, act.toString()));

    config.ropeScaling = RopeScaling::fromConfig(json, origin);

    const bool qwen3 = config.architecture == QLatin1String("Qwen3ForCausalLM");
    if (config.architecture == QLatin1String("Qwen2ForCausalLM") || qwen3) {
        config.qkvBias = qwen3 ? optionalBool(json, QStringLiteral("attention_bias"), false, origin) : true;
        config.qkNorm = qwen3;
        if (optionalBool(json, QStringLiteral("use_sliding_window"), false, origin))
            config.slidingWindow = optionalInt(json, QStringLiteral("sliding_window"), 0, origin);
    } else if (config.architecture == QLatin1String("MistralForCausalLM")) {
        config.slidingWindow = optionalInt(json, QStringLiteral("sliding_window"), 0, origin);
    } else {
        const bool bias = optionalBool(json, QStringLiteral("attention_bias"), false, origin);
        config.qkvBias = bias;
        config.outputBias = bias;
        config.mlpBias = optionalBool(json, QStringLiteral("mlp_bias"), false, origin);
    }

    config.bosTokenId = optionalInt(json, QStringLiteral("bos_token_id"), -1, origin);
    config.eosTokenIds = readTokenIds(json, QStringLiteral("eos_token_id"), origin);
    config.padTokenId = optionalInt(json, QStringLiteral("pad_token_id"), -1, origin);
    config.torchDtype = json.value(QStringLiteral("torch_dtype")).toString(QStringLiteral("float32"));

    config.validate(origin);
    return config;
}

ModelConfig ModelConfig::fromFile(const QString& configJsonPath)
{
    return fromJson(readJsonObjectFile(configJsonPath, 4 * 1024 * 1024), configJsonPath);
}

void ModelConfig::validate(const QString& origin) const
{
    auto check = [&](const char* field, int64_t value, int64_t maximum) {
        if (value <= 0 || value > maximum)
            throw Error(QStringLiteral("%1: %2 = %3 is outside the sane range 1..%4")
                            .arg(origin, QLatin1String(field))
                            .arg(value)
                            .arg(maximum));
    };
    check("hidden_size", hiddenSize, 65536);
    check("intermediate_size", intermediateSize, 1 << 20);
    check("num_hidden_layers", numLayers, 1024);
    check("num_attention_heads", numHeads, 1024);
    check("num_key_value_heads", numKvHeads, 1024);
    check("head_dim", headDim, 4096);
    check("vocab_size", vocabSize, 4 * 1024 * 1024);
    check("max_position_embeddings", maxPositions, 16 * 1024 * 1024);
    if (headDim % 2 != 0)
        throw Error(QStringLiteral("%1: head_dim %2 must be even for rotary embeddings").arg(origin).arg(headDim));
    if (numHeads % numKvHeads != 0)
        throw Error(QStringLiteral("%1: num_attention_heads (%2) must be a multiple of num_key_value_heads (%3)")
                        .arg(origin)
                        .arg(numHeads)
                        .arg(numKvHeads));
    if (!raw.contains(QStringLiteral("head_dim")) && hiddenSize % numHeads != 0)
        throw Error(QStringLiteral("%1: hidden_size (%2) must be a multiple of num_attention_heads (%3)")
                        .arg(origin)
                        .arg(hiddenSize)
                        .arg(numHeads));
    if (!(rmsNormEps > 0.0 && rmsNormEps < 1.0))
        throw Error(QStringLiteral("%1: rms_norm_eps must be in (0, 1)").arg(origin));
    if (!(ropeTheta > 0.0) || !(ropeScaling.factor > 0.0))
        throw Error(QStringLiteral("%1: rope_theta and the rope scaling factor must be positive").arg(origin));
    if (parameterCount() > 1'000'000'000'000LL)
        throw Error(QStringLiteral("%1: these sizes describe over a trillion parameters").arg(origin));
    static const QStringList dtypes{QStringLiteral("float32"), QStringLiteral("float16"), QStringLiteral("bfloat16")};
    if (!dtypes.contains(torchDtype))
        throw Error(QStringLiteral("%1: torch_dtype \"%2\" is not supported (expected float32, float16 or bfloat16)")
                        .arg(origin, torchDtype));
}

int64_t ModelConfig::parameterCount() const
{
    const int64_t qDim = numHeads * headDim;
    int64_t attention = hiddenSize * qDim + 2 * hiddenSize * kvDim() + qDim * hiddenSize;
    if (qkvBias)
        attention += qDim + 2 * kvDim();
    if (outputBias)
        attention += hiddenSize;
    int64_t mlp = 3 * hiddenSize * intermediateSize;
    if (mlpBias)
        mlp += 2 * intermediateSize + hiddenSize;
    if (qkNorm)
        attention += 2 * headDim;
    const int64_t perLayer = attention + mlp + 2 * hiddenSize;
    const int64_t embeddings = vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2);
    return numLayers * perLayer + embeddings + hiddenSize;
}

QJsonObject ModelConfig::toJson() const
{
    QJsonObject json = raw;
    json[QStringLiteral("architectures")] = QJsonArray{architecture};
    json[QStringLiteral("model_type")] = modelType;
    json[QStringLiteral("hidden_size")] = static_cast<qint64>(hiddenSize);
    json[QStringLiteral("intermediate_size")] = static_cast<qint64>(intermediateSize);
    json[QStringLiteral("num_hidden_layers")] = static_cast<qint64>(numLayers);
    json[QStringLiteral("num_attention_heads")] = static_cast<qint64>(numHeads);
    json[QStringLiteral("num_key_value_heads")] = static_cast<qint64>(numKvHeads);
    if (raw.contains(QStringLiteral("head_dim")) || headDim * numHeads != hiddenSize)
        json[QStringLiteral("head_dim")] = static_cast<qint64>(headDim);
    json[QStringLiteral("vocab_size")] = static_cast<qint64>(vocabSize);
    json[QStringLiteral("max_position_embeddings")] = static_cast<qint64>(maxPositions);
    json[QStringLiteral("rms_norm_eps")] = rmsNormEps;
    json[QStringLiteral("rope_theta")] = ropeTheta;
    json[QStringLiteral("tie_word_embeddings")] = tieWordEmbeddings;
    json[QStringLiteral("hidden_act")] = QStringLiteral("silu");
    if (bosTokenId >= 0)
        json[QStringLiteral("bos_token_id")] = static_cast<qint64>(bosTokenId);
    if (eosTokenIds.size() == 1)
        json[QStringLiteral("eos_token_id")] = static_cast<qint64>(eosTokenIds.front());
    else if (!eosTokenIds.empty()) {
        QJsonArray ids;
        for (int64_t id : eosTokenIds)
            ids.append(static_cast<qint64>(id));
        json[QStringLiteral("eos_token_id")] = ids;
    }
    if (padTokenId >= 0)
        json[QStringLiteral("pad_token_id")] = static_cast<qint64>(padTokenId);
    json[QStringLiteral("torch_dtype")] = torchDtype;
    if (!ropeScaling.type.isEmpty() && !raw.contains(QStringLiteral("rope_scaling"))) {
        QJsonObject scaling{{QStringLiteral("rope_type"), ropeScaling.type},
                            {QStringLiteral("factor"), ropeScaling.factor}};
        if (ropeScaling.type == QLatin1String("llama3")) {
            scaling[QStringLiteral("low_freq_factor")] = ropeScaling.lowFreqFactor;
            scaling[QStringLiteral("high_freq_factor")] = ropeScaling.highFreqFactor;
            scaling[QStringLiteral("original_max_position_embeddings")] =
                static_cast<qint64>(ropeScaling.originalContext);
        }
        json[QStringLiteral("rope_scaling")] = scaling;
    }
    if (architecture == QLatin1String("LlamaForCausalLM")) {
        json[QStringLiteral("attention_bias")] = qkvBias;
        json[QStringLiteral("mlp_bias")] = mlpBias;
    }
    return json;
}

} // namespace ft
