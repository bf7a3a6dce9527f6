#include "gguf/gguf_model_export.h"

#include <algorithm>
#include <memory>
#include <set>

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

#include "common/error.h"
#include "common/json_file.h"
#include "gguf/gguf_model_params.h"
#include "gguf/gguf_quant.h"
#include "gguf/gguf_vocab.h"
#include "gguf/gguf_writer.h"
#include "modelio/safetensors_file.h"

namespace ft {

namespace {

constexpr int64_t kChunkValues = 1 << 20; // fp32 values converted at a time (4 MiB)

// The safetensors files of a folder: model.safetensors, or the shards model.safetensors.index.json names.
std::vector<std::unique_ptr<SafetensorsFile>> openWeights(const QString& folder)
{
    const QDir dir(folder);
    QStringList files;
    const QString indexPath = dir.filePath(QStringLiteral("model.safetensors.index.json"));
    if (QFileInfo::exists(indexPath)) {
        const QJsonObject map =
            readJsonObjectFile(indexPath, 64 * 1024 * 1024).value(QStringLiteral("weight_map")).toObject();
        std::set<QString> shards;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString file = it->toString();
            if (file.isEmpty() || file.contains(QLatin1Char('/')) || file.contains(QLatin1Char('\\')) ||
                file.startsWith(QLatin1Char('.')))
                throw Error(QStringLiteral("%1: tensor \"%2\" maps to \"%3\", expected a file name in this folder")
                                .arg(indexPath, it.key(), file));
            shards.insert(file);
        }
        for (const QString& shard : shards)
            files << dir.filePath(shard);
        if (files.isEmpty())
            throw Error(QStringLiteral("%1: the weight_map is empty").arg(indexPath));
    } else if (QFileInfo::exists(dir.filePath(QStringLiteral("model.safetensors")))) {
        files << dir.filePath(QStringLiteral("model.safetensors"));
    } else {
        throw Error(QStringLiteral("%1: no model.safetensors or model.safetensors.index.json (GGUF export reads "
                                   "safetensors only)")
                        .arg(folder));
    }
    std::vector<std::unique_ptr<SafetensorsFile>> opened;
    for (const QString& file : files)
        opened.push_back(std::make_unique<SafetensorsFile>(file));
    return opened;
}

struct SourceTensor {
    const SafetensorsFile* file = nullptr;
    const SafetensorsEntry* entry = nullptr;
    QString hfName;
    GgufTensorName gguf;
};

// Row `row` of the entry, as fp32.
void readRow(const SourceTensor& source, int64_t row, int64_t rowLength, float* out)
{
    const uint8_t* base = static_cast<const uint8_t*>(source.file->data(*source.entry));
    const int64_t size = tensorDtypeSize(source.entry->dtype);
    const uint8_t* p = base + row * rowLength * size;
    switch (source.entry->dtype) {
    case TensorDtype::F32:
        std::memcpy(out, p, static_cast<size_t>(rowLength * 4));
        break;
    case TensorDtype::F16:
        for (int64_t i = 0; i < rowLength; ++i)
            out[i] = fp16ToFp32(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
        break;
    case TensorDtype::BF16:
        for (int64_t i = 0; i < rowLength; ++i)
            out[i] = bf16ToFp32(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
        break;
    case TensorDtype::F64:
        for (int64_t i = 0; i < rowLength; ++i) {
            double d = 0;
            std::memcpy(&d, p + 8 * i, 8);
            out[i] = static_cast<float>(d);
        }
        break;
    default:
        break; // refused in prepare()
    }
}

// The source row of output row `row` for llama.cpp's Q/K layout: HF keeps each head's rotary pairs as the two
// halves of the head (rotate-half); llama.cpp's llama architecture wants them interleaved. This is the inverse
// of HF's permutation, as convert_hf_to_gguf.py's permute() computes it.
int64_t permutedRow(int64_t row, int64_t heads, int64_t rows)
{
    const int64_t headDim = rows / heads;
    const int64_t head = row / headDim, within = row % headDim;
    return head * headDim + (within % 2) * (headDim / 2) + within / 2;
}

struct Prepared {
    std::vector<std::unique_ptr<SafetensorsFile>> files;
    GgufModelParams params;
    GgufMetadata metadata;
    std::vector<GgufTensorSource> tensors;
    std::vector<GgufTypeFallback> fallbacks;
    GgufVocab vocab;
};

int tensorOrder(const QString& name)
{
    static const QStringList order{
        QStringLiteral("attn_norm"),   QStringLiteral("attn_q."),     QStringLiteral("attn_k."),
        QStringLiteral("attn_v."),     QStringLiteral("attn_q_norm"), QStringLiteral("attn_k_norm"),
        QStringLiteral("attn_output"), QStringLiteral("ffn_norm"),    QStringLiteral("ffn_gate"),
        QStringLiteral("ffn_up"),      QStringLiteral("ffn_down")};
    for (int i = 0; i < order.size(); ++i)
        if (name.contains(QLatin1Char('.') + order[i]))
            return i;
    return order.size();
}

void addModelMetadata(const GgufModelParams& p, const QString& name, GgufFileType fileType, int64_t vocabRows,
                      GgufMetadata& m)
{
    const QByteArray arch = p.arch.toUtf8();
    auto key = [&](const char* suffix) { return arch + '.' + QByteArray(suffix); };
    auto u32 = [](int64_t v) { return GgufValue::uint32(static_cast<uint32_t>(v)); };
    m.set(QByteArrayLiteral("general.architecture"), GgufValue::string(arch));
    m.set(QByteArrayLiteral("general.name"), GgufValue::string(name));
    m.set(QByteArrayLiteral("general.file_type"), GgufValue::uint32(static_cast<uint32_t>(fileType)));
    m.set(QByteArrayLiteral("general.quantization_version"), GgufValue::uint32(kGgmlQuantizationVersion));
    m.set(key("block_count"), u32(p.numLayers));
    m.set(key("context_length"), u32(p.contextLength));
    m.set(key("embedding_length"), u32(p.hiddenSize));
    m.set(key("feed_forward_length"), u32(p.intermediateSize));
    m.set(key("attention.head_count"), u32(p.numHeads));
    m.set(key("attention.head_count_kv"), u32(p.numKvHeads));
    m.set(key("rope.freq_base"), GgufValue::float32(static_cast<float>(p.ropeTheta)));
    m.set(key("attention.layer_norm_rms_epsilon"), GgufValue::float32(static_cast<float>(p.rmsNormEps)));
    if (p.headDimExplicit) {
        m.set(key("attention.key_length"), u32(p.headDim));
        m.set(key("attention.value_length"), u32(p.headDim));
    }
    m.set(key("rope.dimension_count"), u32(p.headDim));
    m.set(key("vocab_size"), u32(vocabRows));
    if (p.ropeScaling.type == QLatin1String("linear")) {
        m.set(key("rope.scaling.type"), GgufValue::string(QByteArrayLiteral("linear")));
        m.set(key("rope.scaling.factor"), GgufValue::float32(static_cast<float>(p.ropeScaling.factor)));
    }
}

Prepared prepare(const QString& folder, GgufFileType fileType, const QString& name, const QString& chatTemplate)
{
    Prepared prepared;
    prepared.params = GgufModelParams::fromFolder(folder);
    const GgufModelParams& p = prepared.params;
    prepared.files = openWeights(folder);

    std::vector<SourceTensor> sources;
    std::set<QString> seen;
    bool hasOutput = false;
    for (const auto& file : prepared.files) {
        for (const SafetensorsEntry& entry : file->entries()) {
            SourceTensor source{file.get(), &entry, entry.name, ggufTensorName(entry.name)};
            if (!source.gguf.known)
                throw Error(QStringLiteral("%1: tensor %2 has no GGUF counterpart for architecture %3")
                                .arg(file->path(), entry.name, p.hfArchitecture));
            if (source.gguf.name.isEmpty())
                continue;
            if (source.gguf.name == QLatin1String("output.weight") && p.tieWordEmbeddings)
                continue; // tied: llama.cpp uses token_embd
            if (!seen.insert(source.gguf.name).second)
                continue; // a shard repeating a tensor
            if (!isFloatingDtype(entry.dtype) || entry.shape.empty() || entry.shape.size() > 2)
                throw Error(QStringLiteral("%1: tensor %2 is %3 %4; expected a float vector or matrix")
                                .arg(file->path(), entry.name, tensorDtypeName(entry.dtype), entry.shapeText()));
            if (source.gguf.layer >= p.numLayers)
                throw Error(QStringLiteral("%1: tensor %2 is past num_hidden_layers (%3)")
                                .arg(file->path(), entry.name)
                                .arg(p.numLayers));
            hasOutput = hasOutput || source.gguf.name == QLatin1String("output.weight");
            sources.push_back(source);
        }
    }
    std::sort(sources.begin(), sources.end(), [](const SourceTensor& a, const SourceTensor& b) {
        auto rank = [](const SourceTensor& s) {
            if (s.gguf.name.startsWith(QLatin1String("token_embd")))
                return std::make_tuple(0, 0, 0);
            if (s.gguf.layer >= 0)
                return std::make_tuple(1, s.gguf.layer, tensorOrder(s.gguf.name));
            return std::make_tuple(2, s.gguf.name.startsWith(QLatin1String("output_norm")) ? 0 : 1, 0);
        };
        return rank(a) < rank(b) || (rank(a) == rank(b) && a.gguf.name < b.gguf.name);
    });
    const auto embedding = std::find_if(sources.begin(), sources.end(), [](const SourceTensor& s) {
        return s.gguf.name == QLatin1String("token_embd.weight");
    });
    if (embedding == sources.end())
        throw Error(QStringLiteral("%1: no model.embed_tokens.weight").arg(folder));
    const int64_t vocabRows = embedding->entry->shape[0];
    if (embedding->entry->shape.size() != 2 || embedding->entry->shape[1] != p.hiddenSize)
        throw Error(QStringLiteral("%1: model.embed_tokens.weight is %2, expected [vocab, %3]")
                        .arg(folder, embedding->entry->shapeText())
                        .arg(p.hiddenSize));

    prepared.vocab = readGgufVocab(folder, p, vocabRows, chatTemplate);
    addModelMetadata(p, name, fileType, vocabRows, prepared.metadata);
    prepared.vocab.addTo(prepared.metadata);

    for (const SourceTensor& source : sources) {
        const std::vector<int64_t> shape = source.entry->shape;
        const bool isOutput = source.gguf.name == QLatin1String("output.weight") ||
                              (!hasOutput && source.gguf.name == QLatin1String("token_embd.weight"));
        GgufTypeFallback fallback;
        const GgmlType type =
            ggufTensorType(fileType, source.gguf.name, shape, source.gguf.layer, p.numLayers, isOutput, &fallback);
        if (!fallback.tensor.isEmpty())
            prepared.fallbacks.push_back(fallback);
        int64_t heads = 0;
        if (p.permutesQueryKey()) {
            if (source.gguf.name.endsWith(QLatin1String(".attn_q.weight")) ||
                source.gguf.name.endsWith(QLatin1String(".attn_q.bias")))
                heads = p.numHeads;
            else if (source.gguf.name.endsWith(QLatin1String(".attn_k.weight")) ||
                     source.gguf.name.endsWith(QLatin1String(".attn_k.bias")))
                heads = p.numKvHeads;
            if (heads > 0 && (shape[0] % heads != 0 || (shape[0] / heads) % 2 != 0))
                throw Error(QStringLiteral("%1: tensor %2 (%3) does not split into %4 heads of even size")
                                .arg(folder, source.hfName, source.entry->shapeText())
                                .arg(heads));
        }
        const QString ggufName = source.gguf.name;
        GgufTensorSource tensor;
        tensor.name = ggufName;
        tensor.shape = shape;
        tensor.type = type;
        tensor.produce = [source, shape, type, heads, ggufName](const GgufByteSink& write) {
            const int64_t rowLength = shape.back();
            const int64_t rows = shape.size() == 2 ? shape[0] : 1;
            const int64_t chunkRows = std::max<int64_t>(1, kChunkValues / rowLength);
            std::vector<float> values(static_cast<size_t>(std::min(rows, chunkRows) * rowLength));
            std::vector<uint8_t> bytes(static_cast<size_t>(std::min(rows, chunkRows) * ggmlRowBytes(type, rowLength)));
            for (int64_t first = 0; first < rows; first += chunkRows) {
                const int64_t count = std::min(chunkRows, rows - first);
                for (int64_t r = 0; r < count; ++r) {
                    const int64_t row = heads > 0 ? permutedRow(first + r, heads, rows) : first + r;
                    readRow(source, row, rowLength, values.data() + r * rowLength);
                }
                // A 1-D tensor permuted (a Q/K bias) is one "row" of rows values: reorder its values instead.
                if (heads > 0 && shape.size() == 1) {
                    std::vector<float> original(values.begin(), values.begin() + rowLength);
                    for (int64_t i = 0; i < rowLength; ++i)
                        values[static_cast<size_t>(i)] =
                            original[static_cast<size_t>(permutedRow(i, heads, rowLength))];
                }
                const QString problem = checkConvertible(type, values.data(), count * rowLength);
                if (!problem.isEmpty())
                    throw Error(QStringLiteral("tensor %1 (%2) cannot be written as %3: %4")
                                    .arg(source.hfName, ggufName, ggmlTypeName(type), problem));
                convertRows(type, values.data(), count, rowLength, bytes.data());
                write(reinterpret_cast<const char*>(bytes.data()), count * ggmlRowBytes(type, rowLength));
            }
            source.file->releasePages(*source.entry);
        };
        prepared.tensors.push_back(std::move(tensor));
    }

    if (p.ropeScaling.type == QLatin1String("llama3")) {
        const std::vector<float> factors = llama3FrequencyDivisors(p.headDim, p.ropeTheta, p.ropeScaling);
        GgufTensorSource tensor;
        tensor.name = QStringLiteral("rope_freqs.weight");
        tensor.shape = {static_cast<int64_t>(factors.size())};
        tensor.type = GgmlType::F32;
        tensor.produce = [factors](const GgufByteSink& write) {
            write(reinterpret_cast<const char*>(factors.data()), static_cast<int64_t>(factors.size() * 4));
        };
        prepared.tensors.insert(prepared.tensors.begin() + 1, std::move(tensor));
    }
    return prepared;
}

QString defaultName(const QString& folder, const QString& name)
{
    return name.isEmpty() ? QFileInfo(QDir(folder).absolutePath()).fileName() : name;
}

} // namespace

GgufExportResult exportGguf(const QString& modelFolder, const QString& outPath, const GgufExportOptions& options)
{
    Prepared prepared =
        prepare(modelFolder, options.fileType, defaultName(modelFolder, options.name), options.chatTemplate);
    GgufExportResult result;
    result.path = outPath;
    result.architecture = prepared.params.arch;
    result.fallbacks = prepared.fallbacks;
    result.warnings = prepared.vocab.warnings;
    result.stopTokens = prepared.vocab.stopTokens();
    if (prepared.vocab.eos >= 0 && prepared.vocab.eos < prepared.vocab.tokens.size())
        result.eosToken = QString::fromUtf8(prepared.vocab.tokens[prepared.vocab.eos]);
    result.chatTemplate = prepared.vocab.chatTemplate;
    for (const GgufTensorSource& tensor : prepared.tensors)
        ++result.tensorTypes[tensor.type];
    if (!writeGguf(outPath, prepared.metadata, prepared.tensors, options.progress)) {
        result.cancelled = true;
        return result;
    }
    result.bytes = static_cast<uint64_t>(QFileInfo(outPath).size());
    return result;
}

std::vector<GgufSizeEstimate> estimateGgufSize(const QString& modelFolder, const QList<GgufFileType>& fileTypes,
                                               const QString& chatTemplate)
{
    std::vector<GgufSizeEstimate> estimates;
    for (GgufFileType type : fileTypes) {
        const Prepared prepared = prepare(modelFolder, type, defaultName(modelFolder, {}), chatTemplate);
        estimates.push_back({type, planGguf(prepared.metadata, prepared.tensors).fileBytes, prepared.fallbacks});
    }
    return estimates;
}

} // namespace ft
