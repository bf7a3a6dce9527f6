#include "modelio/llama2c_file.h"

#include <cstring>
#include <limits>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "common/error.h"

namespace ft {

Llama2cHeader readLlama2cHeader(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    const QByteArray raw = file.read(kLlama2cHeaderBytes);
    if (raw.size() != kLlama2cHeaderBytes)
        throw Error(QStringLiteral("%1: truncated: a llama2.c checkpoint starts with a 28-byte header").arg(path));
    int32_t values[7];
    std::memcpy(values, raw.constData(), sizeof(values));

    Llama2cHeader header;
    header.dim = values[0];
    header.hiddenDim = values[1];
    header.numLayers = values[2];
    header.numHeads = values[3];
    header.numKvHeads = values[4];
    header.sharedClassifier = values[5] > 0;
    // -INT32_MIN does not fit in 32 bits (found by fuzz_llama2c_header): no vocabulary is that large.
    if (values[5] == std::numeric_limits<int32_t>::min())
        throw Error(QStringLiteral("%1: header field vocab_size = %2 is not a vocabulary size (not a llama2.c "
                                   "checkpoint?)")
                        .arg(path)
                        .arg(values[5]));
    header.vocabSize = values[5] < 0 ? -values[5] : values[5];
    header.seqLen = values[6];

    auto check = [&](const char* field, int64_t value, int64_t maximum) {
        if (value <= 0 || value > maximum)
            throw Error(QStringLiteral("%1: header field %2 = %3 is outside 1..%4 (not a llama2.c checkpoint?)")
                            .arg(path, QLatin1String(field))
                            .arg(value)
                            .arg(maximum));
    };
    check("dim", header.dim, 65536);
    check("hidden_dim", header.hiddenDim, 1 << 20);
    check("n_layers", header.numLayers, 1024);
    check("n_heads", header.numHeads, 1024);
    check("n_kv_heads", header.numKvHeads, 1024);
    check("vocab_size", header.vocabSize, 4 * 1024 * 1024);
    check("seq_len", header.seqLen, 16 * 1024 * 1024);
    if (header.dim % header.numHeads != 0 || header.numHeads % header.numKvHeads != 0 ||
        (header.dim / header.numHeads) % 2 != 0)
        throw Error(QStringLiteral("%1: dim %2, n_heads %3, n_kv_heads %4 are inconsistent")
                        .arg(path)
                        .arg(header.dim)
                        .arg(header.numHeads)
                        .arg(header.numKvHeads));

    const int64_t expectedBytes = kLlama2cHeaderBytes + 4 * llama2cExpectedFloats(header);
    const int64_t actualBytes = QFileInfo(path).size();
    if (actualBytes != expectedBytes)
        throw Error(
            QStringLiteral("%1: %2 bytes, but its header describes %3 bytes (%4)")
                .arg(path)
                .arg(actualBytes)
                .arg(expectedBytes)
                .arg(actualBytes < expectedBytes ? QStringLiteral("truncated") : QStringLiteral("trailing data")));
    return header;
}

std::vector<Llama2cSection> llama2cSections(const Llama2cHeader& h)
{
    const int64_t dim = h.dim;
    const int64_t kvDim = static_cast<int64_t>(h.dim) / h.numHeads * h.numKvHeads;
    const int64_t hidden = h.hiddenDim;
    const int64_t layers = h.numLayers;
    const int64_t headSize = dim / h.numHeads;

    std::vector<Llama2cSection> sections = {
        {"token_embedding", {h.vocabSize, dim}, 1, 0},
        {"attention_norm", {dim}, layers, 0},
        {"wq", {dim, dim}, layers, 0},
        {"wk", {kvDim, dim}, layers, 0},
        {"wv", {kvDim, dim}, layers, 0},
        {"wo", {dim, dim}, layers, 0},
        {"ffn_norm", {dim}, layers, 0},
        {"w1", {hidden, dim}, layers, 0},
        {"w2", {dim, hidden}, layers, 0},
        {"w3", {hidden, dim}, layers, 0},
        {"final_norm", {dim}, 1, 0},
        {"rope_real", {h.seqLen * headSize / 2}, 1, 0},
        {"rope_imag", {h.seqLen * headSize / 2}, 1, 0},
    };
    if (!h.sharedClassifier)
        sections.push_back({"classifier", {h.vocabSize, dim}, 1, 0});

    int64_t offset = 0;
    for (Llama2cSection& section : sections) {
        section.floatOffset = offset;
        int64_t size = section.count;
        for (int64_t d : section.shape)
            size *= d;
        offset += size;
    }
    return sections;
}

int64_t llama2cExpectedFloats(const Llama2cHeader& header)
{
    const auto sections = llama2cSections(header);
    const Llama2cSection& last = sections.back();
    int64_t size = last.count;
    for (int64_t d : last.shape)
        size *= d;
    return last.floatOffset + size;
}

ModelConfig llama2cModelConfig(const Llama2cHeader& h)
{
    ModelConfig config;
    config.hiddenSize = h.dim;
    config.intermediateSize = h.hiddenDim;
    config.numLayers = h.numLayers;
    config.numHeads = h.numHeads;
    config.numKvHeads = h.numKvHeads;
    config.headDim = h.dim / h.numHeads;
    config.vocabSize = h.vocabSize;
    config.maxPositions = h.seqLen;
    config.rmsNormEps = 1e-5;
    config.ropeTheta = 10000.0;
    config.tieWordEmbeddings = h.sharedClassifier;
    config.bosTokenId = 1;
    config.eosTokenIds = {2};
    config.torchDtype = QStringLiteral("float32");
    config.validate(QStringLiteral("llama2.c header"));
    return config;
}

QString findLlama2cTokenizer(const QString& binPath, const QString& explicitPath)
{
    if (!explicitPath.isEmpty())
        return explicitPath;
    const QDir dir = QFileInfo(binPath).absoluteDir();
    if (QFileInfo::exists(dir.filePath(QStringLiteral("tokenizer.model"))))
        return dir.filePath(QStringLiteral("tokenizer.model"));
    const QStringList models = dir.entryList({QStringLiteral("*.model")}, QDir::Files);
    return models.size() == 1 ? dir.filePath(models.first()) : QString();
}

} // namespace ft
