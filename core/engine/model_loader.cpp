#include "engine/model_loader.h"

#include <set>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include "common/atomic_write.h"
#include "common/error.h"
#include "engine/llama2c_import.h"
#include "engine/tensor_convert.h"
#include "modelio/safetensors_writer.h"

namespace ft {

namespace {

bool isIgnorableTensor(const QString& name, const ModelConfig& config)
{
    return name.endsWith(QLatin1String(".rotary_emb.inv_freq")) ||
           (config.tieWordEmbeddings && name == QLatin1String("lm_head.weight"));
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

} // namespace

QStringList loadSafetensorsWeights(LlamaForCausalLMImpl& model, const ModelFolder& folder)
{
    std::map<QString, std::unique_ptr<SafetensorsFile>> files;
    for (const QString& path : folder.weightFiles)
        files[path] = std::make_unique<SafetensorsFile>(path);

    auto fileFor = [&](const QString& name) -> SafetensorsFile& {
        if (folder.sharded) {
            const auto it = folder.weightMap.find(name);
            if (it == folder.weightMap.end())
                throw Error(
                    QStringLiteral("%1/model.safetensors.index.json: missing tensor \"%2\"").arg(folder.path, name));
            return *files.at(it->second);
        }
        return *files.begin()->second;
    };

    std::set<QString> used;
    for (const WeightSlot& slot : model.weightSlots()) {
        const QString name = QString::fromStdString(slot.name);
        SafetensorsFile& file = fileFor(name);
        const SafetensorsEntry* entry = file.find(name);
        if (!entry)
            throw Error(QStringLiteral("%1: missing tensor \"%2\" (expected shape %3)")
                            .arg(file.path(), name, shapeText(slot.shape)));
        if (entry->shape != slot.shape)
            throw Error(QStringLiteral("%1: tensor \"%2\" has shape %3 but config.json implies %4")
                            .arg(file.path(), name, entry->shapeText(), shapeText(slot.shape)));
        if (!isFloatingDtype(entry->dtype) || entry->dtype == TensorDtype::F64)
            throw Error(QStringLiteral("%1: tensor \"%2\" is %3; model weights must be F32, F16 or BF16")
                            .arg(file.path(), name, tensorDtypeName(entry->dtype)));
        slot.assign(viewEntry(file, *entry));
        file.releasePages(*entry);
        used.insert(name);
    }

    QStringList warnings;
    for (const auto& [path, file] : files)
        for (const SafetensorsEntry& entry : file->entries())
            if (!used.count(entry.name) && !isIgnorableTensor(entry.name, folder.config))
                warnings << QStringLiteral("%1: tensor \"%2\" is not used by this model").arg(path, entry.name);
    return warnings;
}

LoadedModel loadModel(const QString& path, const LoadOptions& options)
{
    if (QFileInfo(path).isFile() && path.endsWith(QLatin1String(".bin")))
        return loadLlama2c(path, options);

    const ModelFolder folder = ModelFolder::inspect(path);
    LoadedModel loaded;
    loaded.config = folder.config;
    loaded.sourcePath = folder.path;
    if (options.requireTokenizer || !folder.tokenizerPath.isEmpty())
        loaded.tokenizer = Tokenizer::fromModelFolder(folder.path, &folder.config);
    loaded.model = LlamaForCausalLM(folder.config, options.dtype, WeightInit::Empty);
    if (options.prepare)
        options.prepare(*loaded.model);
    loaded.warnings = loadSafetensorsWeights(*loaded.model, folder);
    loaded.model->eval();
    return loaded;
}

void saveModelFolder(LlamaForCausalLMImpl& model, const QString& outFolder, const SaveOptions& options)
{
    // A model folder has no place for virtual tokens: written, the soft prompt would silently be lost.
    if (model.virtualTokenCount() > 0)
        throw Error(QStringLiteral("%1: a prompt-tuned model cannot be written as a plain model folder (or GGUF): its "
                                   "soft prompt has no place there. Use its PEFT folder (export/adapter) on the base "
                                   "model")
                        .arg(outFolder));
    ModelConfig config = model.config();
    if (!options.dtype.isEmpty())
        config.torchDtype = options.dtype;
    const torch::ScalarType dtype = scalarTypeFromTorchName(config.torchDtype);
    const TensorDtype fileDtype = tensorDtypeOf(dtype);

    writeFolderAtomically(outFolder, options.replaceExisting, [&](const QString& staging) {
        const QDir dir(staging);
        writeFileAtomically(dir.filePath(QStringLiteral("config.json")), QJsonDocument(config.toJson()).toJson());

        std::vector<SafetensorsOutput> outputs;
        for (const WeightSlot& slot : model.weightSlots()) {
            auto read = slot.read;
            outputs.push_back({QString::fromStdString(slot.name), fileDtype, slot.shape,
                               [read, dtype]() { return tensorBytes(read(), dtype); }});
        }
        writeSafetensors(dir.filePath(QStringLiteral("model.safetensors")), outputs,
                         {{QStringLiteral("format"), QStringLiteral("pt")}});

        const QFileInfo source(options.tokenizerSource);
        if (source.isFile()) {
            // A single file keeps its kind: tokenizer.json or a sentencepiece model.
            const QString name = source.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0
                                     ? QStringLiteral("tokenizer.json")
                                     : QStringLiteral("tokenizer.model");
            if (!QFile::copy(source.absoluteFilePath(), dir.filePath(name)))
                throw Error(QStringLiteral("%1: cannot copy the tokenizer").arg(source.absoluteFilePath()));
        } else if (source.isDir()) {
            for (const QString& name : tokenizerSideFiles()) {
                const QString from = QDir(source.absoluteFilePath()).filePath(name);
                if (QFileInfo::exists(from) && !QFile::copy(from, dir.filePath(name)))
                    throw Error(QStringLiteral("%1: cannot copy into the new model folder").arg(from));
            }
        }
    });
}

} // namespace ft
