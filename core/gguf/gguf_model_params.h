#pragma once
// What the GGUF exporter needs from a Hugging Face model folder's config.json, in llama.cpp's terms: read
// through the engine's ModelConfig (one reading of config.json), with the architecture's llama.cpp name.

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "modelio/rope_scaling.h"

namespace ft {

struct GgufModelParams {
    QString arch; // llama.cpp's architecture: "llama" (Llama, Mistral), "qwen2" or "qwen3"
    QString hfArchitecture;
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0;
    int64_t headDim = 0;
    bool headDimExplicit = false; // config.json names head_dim
    int64_t vocabSize = 0;
    int64_t contextLength = 0;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    bool tieWordEmbeddings = false;
    RopeScaling ropeScaling; // none, linear or llama3 (dynamic NTK has no GGUF form)
    int64_t bosTokenId = -1;
    std::vector<int64_t> eosTokenIds;
    int64_t padTokenId = -1;

    // Throws ft::Error naming `origin` and the field for anything unsupported or out of range.
    static GgufModelParams fromJson(const QJsonObject& config, const QString& origin);
    static GgufModelParams fromFolder(const QString& folder); // folder/config.json

    bool permutesQueryKey() const { return arch == QLatin1String("llama"); }
};

} // namespace ft
