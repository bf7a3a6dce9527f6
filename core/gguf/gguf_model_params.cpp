#include "gguf/gguf_model_params.h"

#include <cmath>

#include <QDir>
#include <QJsonArray>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

namespace {

std::vector<int64_t> tokenIds(const QJsonObject& json, const QString& key, const QString& origin)
{
    const QJsonValue value = json.value(key);
    if (value.isArray()) {
        std::vector<int64_t> ids;
        for (const QJsonValue& item : value.toArray()) {
            if (!item.isDouble())
                throw Error(QStringLiteral("%1: \"%2\" must hold integers").arg(origin, key));
            ids.push_back(item.toInteger());
        }
        return ids;
    }
    if (value.isDouble())
        return {value.toInteger()};
    return {};
}

void checkRange(const QString& origin, const char* field, int64_t value, int64_t maximum)
{
    if (value <= 0 || value > maximum)
        throw Error(QStringLiteral("%1: %2 = %3 is outside the sane range 1..%4")
                        .arg(origin, QLatin1String(field))
                        .arg(value)
                        .arg(maximum));
}

} // namespace

GgufModelParams GgufModelParams::fromJson(const QJsonObject& json, const QString& origin)
{
    GgufModelParams p;
    const QJsonArray architectures = json.value(QStringLiteral("architectures")).toArray();
    p.hfArchitecture = architectures.isEmpty() ? QString() : architectures.first().toString();
    if (p.hfArchitecture == QLatin1String("LlamaForCausalLM") ||
        p.hfArchitecture == QLatin1String("MistralForCausalLM"))
        p.arch = QStringLiteral("llama");
    else if (p.hfArchitecture == QLatin1String("Qwen2ForCausalLM"))
        p.arch = QStringLiteral("qwen2");
    else if (p.hfArchitecture == QLatin1String("Qwen3ForCausalLM"))
        p.arch = QStringLiteral("qwen3");
    else
        throw Error(QStringLiteral("%1: architecture \"%2\" cannot be exported to GGUF (supported: LlamaForCausalLM, "
                                   "MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)")
                        .arg(origin, p.hfArchitecture));

    p.hiddenSize = requireInt(json, QStringLiteral("hidden_size"), origin);
    p.intermediateSize = requireInt(json, QStringLiteral("intermediate_size"), origin);
    p.numLayers = requireInt(json, QStringLiteral("num_hidden_layers"), origin);
    p.numHeads = requireInt(json, QStringLiteral("num_attention_heads"), origin);
    p.numKvHeads = optionalInt(json, QStringLiteral("num_key_value_heads"), p.numHeads, origin);
    p.vocabSize = requireInt(json, QStringLiteral("vocab_size"), origin);
    p.contextLength = optionalInt(json, QStringLiteral("max_position_embeddings"), 2048, origin);
    p.rmsNormEps = optionalDouble(json, QStringLiteral("rms_norm_eps"), 1e-6, origin);
    p.ropeTheta = optionalDouble(json, QStringLiteral("rope_theta"), 10000.0, origin);
    p.tieWordEmbeddings = optionalBool(json, QStringLiteral("tie_word_embeddings"), false, origin);
    p.headDimExplicit = json.value(QStringLiteral("head_dim")).isDouble();
    p.headDim = p.headDimExplicit ? requireInt(json, QStringLiteral("head_dim"), origin)
                                  : (p.numHeads > 0 ? p.hiddenSize / p.numHeads : 0);
    p.bosTokenId = optionalInt(json, QStringLiteral("bos_token_id"), -1, origin);
    p.eosTokenIds = tokenIds(json, QStringLiteral("eos_token_id"), origin);
    p.padTokenId = optionalInt(json, QStringLiteral("pad_token_id"), -1, origin);

    const QJsonValue act = json.value(QStringLiteral("hidden_act"));
    if (act.isString() && act.toString() != QLatin1String("silu"))
        throw Error(
            QStringLiteral("%1: hidden_act \"%2\" is not supported (expected silu)").arg(origin, act.toString()));

    checkRange(origin, "hidden_size", p.hiddenSize, 65536);
    checkRange(origin, "intermediate_size", p.intermediateSize, 1 << 20);
    checkRange(origin, "num_hidden_layers", p.numLayers, 1024);
    checkRange(origin, "num_attention_heads", p.numHeads, 1024);
    checkRange(origin, "num_key_value_heads", p.numKvHeads, 1024);
    checkRange(origin, "head_dim", p.headDim, 4096);
    checkRange(origin, "vocab_size", p.vocabSize, 4 * 1024 * 1024);
    checkRange(origin, "max_position_embeddings", p.contextLength, 1ll << 30);
    if (p.headDim % 2 != 0 || p.numHeads % p.numKvHeads != 0)
        throw Error(QStringLiteral("%1: head_dim must be even and num_attention_heads a multiple of "
                                   "num_key_value_heads")
                        .arg(origin));
    if (!(p.rmsNormEps > 0 && p.rmsNormEps < 1) || !(p.ropeTheta > 0))
        throw Error(QStringLiteral("%1: rms_norm_eps must be in (0, 1) and rope_theta positive").arg(origin));

    p.ropeScaling = RopeScaling::fromConfig(json, origin);
    if (p.ropeScaling.type == QLatin1String("dynamic"))
        throw Error(QStringLiteral("%1 rope_scaling: type \"dynamic\" cannot be exported (supported: linear, llama3)")
                        .arg(origin));
    return p;
}

GgufModelParams GgufModelParams::fromFolder(const QString& folder)
{
    const QString path = QDir(folder).filePath(QStringLiteral("config.json"));
    return fromJson(readJsonObjectFile(path, 4 * 1024 * 1024), path);
}

} // namespace ft
