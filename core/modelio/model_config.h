#pragma once
// The architecture of a decoder-only Llama-family model (Llama 2/3, Mistral, Qwen2/2.5, Qwen3, SmolLM2),
// read from a Hugging Face config.json.

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "modelio/rope_scaling.h"

namespace ft {

struct ModelConfig {
    QString architecture = QStringLiteral("LlamaForCausalLM");
    QString modelType = QStringLiteral("llama");
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKvHeads = 0;
    int64_t headDim = 0; // hiddenSize / numHeads unless config.json says otherwise
    int64_t vocabSize = 0;
    int64_t maxPositions = 2048;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    int64_t slidingWindow = 0; // 0: attend to the whole context
    bool tieWordEmbeddings = false;
    bool qkvBias = false;    // Qwen2, or Llama with attention_bias
    bool outputBias = false; // o_proj bias: Llama with attention_bias
    bool mlpBias = false;
    bool qkNorm = false; // Qwen3: RMSNorm over each head of q and k before the rotation
    int64_t bosTokenId = -1;
    std::vector<int64_t> eosTokenIds;
    int64_t padTokenId = -1;
    QString torchDtype = QStringLiteral("float32"); // the dtype the weights are stored in
    QJsonObject raw; // everything config.json held, so that writing it back keeps unknown keys

    // Parses and validates; `origin` names the file in errors.
    static ModelConfig fromJson(const QJsonObject& json, const QString& origin);
    static ModelConfig fromFile(const QString& configJsonPath);
    QJsonObject toJson() const;

    // Checks every size for sanity (positive, consistent, not absurd); throws ft::Error naming the field.
    void validate(const QString& origin) const;

    int64_t kvDim() const { return numKvHeads * headDim; }
    int64_t eosTokenId() const { return eosTokenIds.empty() ? -1 : eosTokenIds.front(); }
    int64_t parameterCount() const;

    static QStringList supportedArchitectures();
};

} // namespace ft
