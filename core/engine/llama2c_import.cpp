#include "engine/llama2c_import.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "common/error.h"
#include "modelio/llama2c_file.h"

namespace ft {

torch::Tensor permuteInterleavedToHalves(const torch::Tensor& weight, int64_t heads)
{
    const int64_t rows = weight.size(0);
    const int64_t cols = weight.size(1);
    // (heads, headDim/2, 2, in) -> (heads, 2, headDim/2, in): pair members become the two halves.
    return weight.view({heads, rows / heads / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

LoadedModel loadLlama2c(const QString& binPath, const LoadOptions& options)
{
    const Llama2cHeader header = readLlama2cHeader(binPath);
    LoadedModel loaded;
    loaded.config = llama2cModelConfig(header);
    loaded.sourcePath = QFileInfo(binPath).absoluteFilePath();

    const QString tokenizerPath = findLlama2cTokenizer(binPath, options.tokenizerPath);
    if (!tokenizerPath.isEmpty())
        loaded.tokenizer = Tokenizer::fromFile(tokenizerPath);
    else if (options.requireTokenizer)
        throw Error(
            QStringLiteral("%1: no sentencepiece tokenizer found beside it (give one with --tokenizer)").arg(binPath));
    if (loaded.tokenizer && loaded.tokenizer->vocabSize() != loaded.config.vocabSize)
        throw Error(QStringLiteral("%1: the tokenizer %2 has %3 pieces but the checkpoint's vocabulary is %4")
                        .arg(binPath, loaded.tokenizer->path())
                        .arg(loaded.tokenizer->vocabSize())
                        .arg(loaded.config.vocabSize));

    QFile file(binPath);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(binPath, file.errorString()));
    uchar* map = file.map(0, file.size());
    if (!map)
        throw Error(QStringLiteral("%1: cannot map: %2").arg(binPath, file.errorString()));
    float* weights = reinterpret_cast<float*>(map + kLlama2cHeaderBytes);

    loaded.model = LlamaForCausalLM(loaded.config, options.dtype, WeightInit::Empty);
    LlamaForCausalLMImpl& model = *loaded.model;
    if (options.prepare)
        options.prepare(model);
    auto section = [&](const char* name, int64_t layer) {
        for (const Llama2cSection& s : llama2cSections(header)) {
            if (std::string(s.name) != name)
                continue;
            int64_t size = 1;
            for (int64_t d : s.shape)
                size *= d;
            return torch::from_blob(weights + s.floatOffset + layer * size, s.shape, torch::kFloat32);
        }
        throw Error(QStringLiteral("llama2.c section %1 missing").arg(QLatin1String(name)));
    };

    torch::NoGradGuard noGrad;
    model.model->embed_tokens->weight.copy_(section("token_embedding", 0));
    for (int64_t i = 0; i < loaded.config.numLayers; ++i) {
        DecoderLayer& layer = model.model->layers[static_cast<size_t>(i)];
        layer->input_layernorm->weight.copy_(section("attention_norm", i));
        layer->self_attn->q_proj->assignWeight(permuteInterleavedToHalves(section("wq", i), loaded.config.numHeads));
        layer->self_attn->k_proj->assignWeight(permuteInterleavedToHalves(section("wk", i), loaded.config.numKvHeads));
        layer->self_attn->v_proj->assignWeight(section("wv", i));
        layer->self_attn->o_proj->assignWeight(section("wo", i));
        layer->post_attention_layernorm->weight.copy_(section("ffn_norm", i));
        layer->mlp->gate_proj->assignWeight(section("w1", i));
        layer->mlp->down_proj->assignWeight(section("w2", i));
        layer->mlp->up_proj->assignWeight(section("w3", i));
    }
    model.model->norm->weight.copy_(section("final_norm", 0));
    if (model.lm_head)
        model.lm_head->assignWeight(section("classifier", 0));
    file.unmap(map);
    model.eval();
    return loaded;
}

} // namespace ft
