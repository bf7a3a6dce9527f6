#include "engine/starter_model.h"

#include <QDir>
#include <QFile>
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
    return {QStringLiteral("tiny"), QStringLiteral("small"), QStringLiteral("stories15m"),
            QStringLiteral("tinyllama-1.1b")};
}

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
    } else {
        throw Error(QStringLiteral("unknown model preset \"%1\" (expected one of %2)")
                        .arg(preset, starterPresets().join(QStringLiteral(", "))));
    }
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
    const auto tokenizer = Tokenizer::fromFile(tokenizerPath);
    // Shape presets (stories15m, tinyllama-1.1b) keep the full vocabulary of the model they imitate
    // unless a tokenizer is given; the others size their embedding to the tokenizer.
    const bool shapePreset = config.vocabSize == 32000;
    if (!shapePreset || !options.tokenizerPath.isEmpty())
        config.vocabSize = tokenizer->vocabSize();
    config.bosTokenId = tokenizer->bosId();
    config.eosTokenIds = {tokenizer->eosId()};
    QJsonObject raw;
    raw[QStringLiteral("initializer_range")] = 0.02;
    config.raw = raw;

    LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, options.seed);
    SaveOptions save;
    save.dtype = options.dtype;
    save.tokenizerSource = tokenizerPath;
    save.replaceExisting = options.replaceExisting;
    saveModelFolder(*model, outFolder, save);
    return config;
}

} // namespace ft
