#include "gguf/gguf_model_params.h"

#include <QDir>

#include "common/error.h"
#include "common/json_file.h"
#include "modelio/model_config.h"

namespace ft {

GgufModelParams GgufModelParams::fromJson(const QJsonObject& json, const QString& origin)
{
    // config.json is read and checked once, as the engine reads it (modelio/model_config.h).
    const ModelConfig config = ModelConfig::fromJson(json, origin);
    GgufModelParams p;
    p.hfArchitecture = config.architecture;
    if (config.architecture == QLatin1String("Qwen2ForCausalLM"))
        p.arch = QStringLiteral("qwen2");
    else if (config.architecture == QLatin1String("Qwen3ForCausalLM"))
        p.arch = QStringLiteral("qwen3");
    else // LlamaForCausalLM, MistralForCausalLM
        p.arch = QStringLiteral("llama");
    p.hiddenSize = config.hiddenSize;
    p.intermediateSize = config.intermediateSize;
    p.numLayers = config.numLayers;
    p.numHeads = config.numHeads;
    p.numKvHeads = config.numKvHeads;
    p.headDim = config.headDim;
    p.headDimExplicit = json.value(QStringLiteral("head_dim")).isDouble();
    p.vocabSize = config.vocabSize;
    p.contextLength = config.maxPositions;
    p.rmsNormEps = config.rmsNormEps;
    p.ropeTheta = config.ropeTheta;
    p.tieWordEmbeddings = config.tieWordEmbeddings;
    p.ropeScaling = config.ropeScaling;
    if (p.ropeScaling.type == QLatin1String("dynamic"))
        throw Error(QStringLiteral("%1 rope_scaling: type \"dynamic\" cannot be exported (supported: linear, llama3)")
                        .arg(origin));
    p.bosTokenId = config.bosTokenId;
    p.eosTokenIds = config.eosTokenIds;
    p.padTokenId = config.padTokenId;
    return p;
}

GgufModelParams GgufModelParams::fromFolder(const QString& folder)
{
    const QString path = QDir(folder).filePath(QStringLiteral("config.json"));
    return fromJson(readJsonObjectFile(path, 4 * 1024 * 1024), path);
}

} // namespace ft
