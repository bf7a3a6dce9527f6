#include "engine_test_support.h"

#include <QTemporaryDir>

#include "data/sample_dataset.h"
#include "engine/model_loader.h"
#include "engine/starter_model.h"
#include "engine/tensor_convert.h"
#include "modelio/safetensors_file.h"
#include "support/test_support.h"

namespace ft::test {

QString testTokenizerPath()
{
    static QTemporaryDir dir;
    static QString path;
    if (path.isEmpty()) {
        const QString text = dir.filePath(QStringLiteral("sample.txt"));
        writeSampleText(text);
        trainSentencepieceModel(text, dir.filePath(QStringLiteral("tok")), 384);
        path = dir.filePath(QStringLiteral("tok.model"));
    }
    return path;
}

ModelConfig tinyConfig(const QString& architecture)
{
    ModelConfig c;
    c.architecture = architecture;
    c.hiddenSize = 64;
    c.intermediateSize = 96;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.headDim = 16;
    c.vocabSize = Tokenizer::fromFile(testTokenizerPath())->vocabSize();
    c.maxPositions = 256;
    c.rmsNormEps = 1e-5;
    c.tieWordEmbeddings = true;
    c.bosTokenId = 1;
    c.eosTokenIds = {2};
    if (architecture == QLatin1String("Qwen2ForCausalLM")) {
        c.qkvBias = true;
        c.modelType = QStringLiteral("qwen2");
        c.ropeTheta = 1000000.0;
    }
    if (architecture == QLatin1String("Qwen3ForCausalLM")) {
        c.qkNorm = true;
        c.modelType = QStringLiteral("qwen3");
        c.ropeTheta = 1000000.0;
        c.headDim = 32; // named apart from hidden / heads (16), as Qwen3 does
        c.raw[QStringLiteral("head_dim")] = 32;
    }
    if (architecture == QLatin1String("MistralForCausalLM"))
        c.modelType = QStringLiteral("mistral");
    return c;
}

QString writeRandomModel(const QString& folder, const ModelConfig& config, const QString& dtype, uint64_t seed)
{
    LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, seed);
    if (config.qkvBias || config.outputBias) {
        // Non-zero biases, so that a loader that drops them would be caught.
        torch::NoGradGuard noGrad;
        for (auto& p : model->named_parameters())
            if (p.key().find("bias") != std::string::npos)
                p.value().normal_(0.0, 0.1);
    }
    SaveOptions save;
    save.dtype = dtype;
    save.tokenizerSource = testTokenizerPath();
    save.replaceExisting = true;
    saveModelFolder(*model, folder, save);
    return folder;
}

torch::Tensor referenceTensor(const QString& name)
{
    static SafetensorsFile file(sharedPath(QStringLiteral("fixtures/stories260K/reference.safetensors")));
    const SafetensorsEntry& entry = file.require(name);
    return readEntry(file, entry, scalarTypeOf(entry.dtype));
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

} // namespace ft::test
