#include "gguf/gguf_tensor_plan.h"

#include <QRegularExpression>

namespace ft {

GgufTensorName ggufTensorName(const QString& hf)
{
    GgufTensorName result;
    result.known = true;
    static const QRegularExpression suffixPattern(QStringLiteral("^(.*)\\.(weight|bias)$"));
    if (hf.endsWith(QLatin1String("rotary_emb.inv_freq")))
        return result; // recomputed by llama.cpp
    const QRegularExpressionMatch suffixMatch = suffixPattern.match(hf);
    if (!suffixMatch.hasMatch()) {
        result.known = false;
        return result;
    }
    const QString stem = suffixMatch.captured(1);
    const QString suffix = suffixMatch.captured(2);
    if (stem == QLatin1String("model.embed_tokens"))
        result.name = QStringLiteral("token_embd");
    else if (stem == QLatin1String("model.norm"))
        result.name = QStringLiteral("output_norm");
    else if (stem == QLatin1String("lm_head"))
        result.name = QStringLiteral("output");
    else {
        static const QRegularExpression layerPattern(QStringLiteral("^model\\.layers\\.(\\d+)\\.(.+)$"));
        const QRegularExpressionMatch match = layerPattern.match(stem);
        static const QList<QPair<QString, QString>> parts{
            {QStringLiteral("input_layernorm"), QStringLiteral("attn_norm")},
            {QStringLiteral("post_attention_layernorm"), QStringLiteral("ffn_norm")},
            {QStringLiteral("self_attn.q_proj"), QStringLiteral("attn_q")},
            {QStringLiteral("self_attn.k_proj"), QStringLiteral("attn_k")},
            {QStringLiteral("self_attn.v_proj"), QStringLiteral("attn_v")},
            {QStringLiteral("self_attn.o_proj"), QStringLiteral("attn_output")},
            {QStringLiteral("self_attn.q_norm"), QStringLiteral("attn_q_norm")},
            {QStringLiteral("self_attn.k_norm"), QStringLiteral("attn_k_norm")},
            {QStringLiteral("mlp.gate_proj"), QStringLiteral("ffn_gate")},
            {QStringLiteral("mlp.up_proj"), QStringLiteral("ffn_up")},
            {QStringLiteral("mlp.down_proj"), QStringLiteral("ffn_down")},
        };
        if (match.hasMatch()) {
            bool ok = false;
            const int layer = match.captured(1).toInt(&ok);
            for (const auto& [hfPart, ggufPart] : parts) {
                if (ok && match.captured(2) == hfPart) {
                    result.layer = layer;
                    result.name = QStringLiteral("blk.%1.%2").arg(layer).arg(ggufPart);
                }
            }
        }
    }
    if (result.name.isEmpty()) {
        result.known = false;
        return result;
    }
    result.name += QLatin1Char('.') + suffix;
    return result;
}

bool ggufUseMoreBits(int layer, int64_t layers)
{
    const int64_t i = layer;
    return i < layers / 8 || i >= 7 * layers / 8 || (i - layers / 8) % 3 == 2;
}

GgmlType ggufTensorType(GgufFileType fileType, const QString& name, const std::vector<int64_t>& shape, int layer,
                        int64_t layers, bool isOutput, GgufTypeFallback* fallback)
{
    if (shape.size() < 2)
        return GgmlType::F32;
    GgmlType wanted = GgmlType::F32;
    switch (fileType) {
    case GgufFileType::AllF32:
        wanted = GgmlType::F32;
        break;
    case GgufFileType::MostlyF16:
        wanted = GgmlType::F16;
        break;
    case GgufFileType::MostlyBF16:
        wanted = GgmlType::BF16;
        break;
    case GgufFileType::MostlyQ8_0:
        wanted = GgmlType::Q8_0;
        break;
    case GgufFileType::MostlyQ4_0:
        wanted = isOutput ? GgmlType::Q6_K : GgmlType::Q4_0;
        break;
    case GgufFileType::MostlyQ4_K_M: {
        const bool moreBits = (name.endsWith(QLatin1String(".attn_v.weight")) ||
                               name.endsWith(QLatin1String(".ffn_down.weight"))) &&
                              ggufUseMoreBits(layer, layers);
        wanted = isOutput || moreBits ? GgmlType::Q6_K : GgmlType::Q4_K;
        break;
    }
    }
    const int64_t rowLength = shape.back();
    GgmlType used = wanted;
    if (!ggmlRowFits(used, rowLength) && (used == GgmlType::Q4_K || used == GgmlType::Q6_K))
        used = GgmlType::Q8_0;
    if (!ggmlRowFits(used, rowLength))
        used = GgmlType::F16;
    if (used != wanted && fallback)
        *fallback = {name, wanted, used, rowLength};
    return used;
}

} // namespace ft
