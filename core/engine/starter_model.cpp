#include "engine/starter_model.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>

#include "common/app_paths.h"
#include "common/error.h"
#include "data/sample_dataset.h"
#include "engine/model_loader.h"
#include "engine/tensor_convert.h"

namespace ft {

QStringList starterPresets()
{
    return {QStringLiteral("tiny"),           QStringLiteral("small"),      QStringLiteral("stories15m"),
            QStringLiteral("tinyllama-1.1b"), QStringLiteral("qwen3-tiny"), QStringLiteral("llama3-tiny"),
            QStringLiteral("qwen2-tiny"),     QStringLiteral("qwen3-0.6b"), QStringLiteral("llama3.2-1b")};
}

bool starterPresetNeedsTokenizer(const QString& preset)
{
    return preset == QLatin1String("qwen3-tiny") || preset == QLatin1String("llama3-tiny") ||
           preset == QLatin1String("qwen2-tiny") || preset == QLatin1String("qwen3-0.6b") ||
           preset == QLatin1String("llama3.2-1b");
}

namespace {

// Llama 3.2's rotary embeddings: theta 500000 with the "llama3" frequency bands (its config.json).
void setLlama32Rope(ModelConfig& c)
{
    c.ropeTheta = 500000.0;
    c.ropeScaling.type = QStringLiteral("llama3");
    c.ropeScaling.factor = 32.0;
    c.ropeScaling.lowFreqFactor = 1.0;
    c.ropeScaling.highFreqFactor = 4.0;
    c.ropeScaling.originalContext = 8192;
}

} // namespace

ModelConfig starterPresetConfig(const QString& preset)
{
    ModelConfig c;
    c.rmsNormEps = 1e-5;
    c.bosTokenId = 1;
    c.eosTokenIds = {2};
    if (preset == QLatin1String("tiny")) { // ~0.2M parameters: trains in seconds, for tests and first steps
        c.hiddenSize = 64;
        c.intermediateSize = 176;
        c.numLayers = 4;
        c.numHeads = 4;
        c.numKvHeads = 2;
        c.vocabSize = 512;
        c.maxPositions = 512;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("small")) { // ~7M parameters
        c.hiddenSize = 256;
        c.intermediateSize = 688;
        c.numLayers = 8;
        c.numHeads = 8;
        c.numKvHeads = 4;
        c.vocabSize = 2048;
        c.maxPositions = 1024;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("stories15m")) { // the shape of llama2.c's stories15M
        c.hiddenSize = 288;
        c.intermediateSize = 768;
        c.numLayers = 6;
        c.numHeads = 6;
        c.numKvHeads = 6;
        c.vocabSize = 32000;
        c.maxPositions = 256;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("tinyllama-1.1b")) { // the shape of TinyLlama-1.1B
        c.hiddenSize = 2048;
        c.intermediateSize = 5632;
        c.numLayers = 22;
        c.numHeads = 32;
        c.numKvHeads = 4;
        c.vocabSize = 32000;
        c.maxPositions = 2048;
        c.tieWordEmbeddings = false;
    } else if (preset == QLatin1String("qwen3-tiny")) {
        // Qwen3's features at a tiny size: q/k norms, head_dim named apart from hidden_size / heads (as in
        // Qwen3-0.6B, where 16 heads of 128 exceed hidden 1024), theta 1e6, tied embeddings.
        c.architecture = QStringLiteral("Qwen3ForCausalLM");
        c.modelType = QStringLiteral("qwen3");
        c.qkNorm = true;
        c.hiddenSize = 64;
        c.intermediateSize = 176;
        c.numLayers = 4;
        c.numHeads = 4;
        c.numKvHeads = 2;
        c.headDim = 32;
        c.raw[QStringLiteral("head_dim")] = 32;
        c.vocabSize = 151669; // Qwen3's tokenizer; resized to the tokenizer given
        c.maxPositions = 2048;
        c.rmsNormEps = 1e-6;
        c.ropeTheta = 1000000.0;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("qwen2-tiny")) {
        // Qwen2/2.5's features at a tiny size: q/k/v biases, theta 1e6, tied embeddings (Qwen2.5-0.5B's).
        c.architecture = QStringLiteral("Qwen2ForCausalLM");
        c.modelType = QStringLiteral("qwen2");
        c.qkvBias = true;
        c.hiddenSize = 64;
        c.intermediateSize = 176;
        c.numLayers = 4;
        c.numHeads = 4;
        c.numKvHeads = 2;
        c.vocabSize = 151669; // the Qwen tokenizer; resized to the tokenizer given
        c.maxPositions = 2048;
        c.rmsNormEps = 1e-6;
        c.ropeTheta = 1000000.0;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("llama3-tiny")) {
        // Llama 3.2's features at a tiny size: rope theta 500000 with the "llama3" frequency bands, GQA.
        c.hiddenSize = 64;
        c.intermediateSize = 176;
        c.numLayers = 4;
        c.numHeads = 4;
        c.numKvHeads = 2;
        c.vocabSize = 128256; // Llama 3's tokenizer; resized to the tokenizer given
        c.maxPositions = 2048;
        setLlama32Rope(c);
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("qwen3-0.6b")) {
        // The shape of Qwen3-0.6B (its config.json): 28 layers of 16 query heads of 128 over hidden 1024,
        // its full vocabulary (151,936 rows, tied to the head). Random weights: for `bench train`.
        c.architecture = QStringLiteral("Qwen3ForCausalLM");
        c.modelType = QStringLiteral("qwen3");
        c.qkNorm = true;
        c.hiddenSize = 1024;
        c.intermediateSize = 3072;
        c.numLayers = 28;
        c.numHeads = 16;
        c.numKvHeads = 8;
        c.headDim = 128;
        c.raw[QStringLiteral("head_dim")] = 128;
        c.vocabSize = 151936;
        c.maxPositions = 40960;
        c.rmsNormEps = 1e-6;
        c.ropeTheta = 1000000.0;
        c.tieWordEmbeddings = true;
    } else if (preset == QLatin1String("llama3.2-1b")) {
        // The shape of Llama-3.2-1B (its config.json): 16 layers over hidden 2048, 32/8 heads, MLP 8192,
        // the llama3 frequency bands, its full vocabulary (128,256 rows, tied to the head).
        c.hiddenSize = 2048;
        c.intermediateSize = 8192;
        c.numLayers = 16;
        c.numHeads = 32;
        c.numKvHeads = 8;
        c.vocabSize = 128256;
        c.maxPositions = 131072;
        setLlama32Rope(c);
        c.tieWordEmbeddings = true;
    } else {
        throw Error(QStringLiteral("unknown model preset \"%1\" (expected one of %2)")
                        .arg(preset, starterPresets().join(QStringLiteral(", "))));
    }
    if (c.headDim == 0)
        c.headDim = c.hiddenSize / c.numHeads;
    c.validate(QStringLiteral("preset ") + preset);
    return c;
}

ModelConfig createStarterModel(const QString& outFolder, const StarterModelOptions& options)
{
    ModelConfig config = starterPresetConfig(options.preset);
    config.torchDtype = options.dtype;
    QTemporaryDir work;
    if (!work.isValid())
        throw Error(QStringLiteral("cannot create a temporary folder: %1").arg(work.errorString()));

    QString tokenizerPath = options.tokenizerPath;
    if (tokenizerPath.isEmpty() && starterPresetNeedsTokenizer(options.preset))
        throw Error(QStringLiteral("preset %1 needs a tokenizer.json: give --tokenizer a model folder that has one "
                                   "(e.g. a downloaded %2) or the tokenizer.json itself")
                        .arg(options.preset, options.preset.startsWith(QLatin1String("qwen"))
                                                 ? QStringLiteral("Qwen3-0.6B or Qwen2.5-0.5B")
                                                 : QStringLiteral("Llama-3.2-1B")));
    if (tokenizerPath.isEmpty()) {
        QString text = options.trainingText;
        if (text.isEmpty()) {
            text = work.filePath(QStringLiteral("sample.txt"));
            writeSampleText(text);
        }
        // Small presets use their own vocabulary size; the large shapes keep 32000 in the model but
        // train a small tokenizer (their tokens then index the first rows of the embedding).
        const int pieces = static_cast<int>(std::min<int64_t>(config.vocabSize, 2048));
        trainSentencepieceModel(text, work.filePath(QStringLiteral("tokenizer")), pieces);
        tokenizerPath = work.filePath(QStringLiteral("tokenizer.model"));
    }
    // A folder brings its tokenizer_config.json (special tokens, chat template) along.
    const auto tokenizer = QFileInfo(tokenizerPath).isDir() ? Tokenizer::fromModelFolder(tokenizerPath)
                                                            : Tokenizer::fromFile(tokenizerPath);
    // Shape presets (stories15m, tinyllama-1.1b) keep the full vocabulary of the model they imitate
    // unless a tokenizer is given; the others size their embedding to the tokenizer.
    const bool shapePreset = config.vocabSize == 32000;
    if (!shapePreset || !options.tokenizerPath.isEmpty())
        config.vocabSize = tokenizer->vocabSize();
    config.bosTokenId = tokenizer->bosId();
    config.eosTokenIds.clear();
    for (TokenId id : tokenizer->eosIds())
        config.eosTokenIds.push_back(id);
    if (config.eosTokenIds.empty() && tokenizer->eosId() >= 0)
        config.eosTokenIds = {tokenizer->eosId()};
    if (!(options.initStd > 0.0 && options.initStd <= 10.0))
        throw Error(
            QStringLiteral("the initial weights' standard deviation must be in (0, 10], not %1").arg(options.initStd));
    config.raw[QStringLiteral("initializer_range")] = options.initStd;

    LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, options.seed);
    if (config.qkvBias) {
        // Hugging Face starts biases at zero; a starter model draws them like the weights, so that whatever
        // runs it (training, generation, an export read by llama.cpp) exercises them.
        torch::NoGradGuard noGrad;
        auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed + 1);
        for (DecoderLayer& layer : model->model->layers)
            for (ProjectionKind kind : {ProjectionKind::Q, ProjectionKind::K, ProjectionKind::V})
                layer->projection(kind)->assignBias(
                    torch::empty_like(layer->projection(kind)->bias()).normal_(0.0, options.initStd, generator));
    }
    SaveOptions save;
    save.dtype = options.dtype;
    // A tokenizer.json given alone brings the tokenizer_config.json beside it (special tokens, chat template).
    const QFileInfo tokenizerFile(tokenizerPath);
    save.tokenizerSource =
        tokenizerFile.fileName() == QLatin1String("tokenizer.json") ? tokenizerFile.absolutePath() : tokenizerPath;
    save.replaceExisting = options.replaceExisting;
    saveModelFolder(*model, outFolder, save);
    return config;
}

} // namespace ft
