#include "engine/peft_adapter.h"

#include <array>
#include <cmath>
#include <map>
#include <set>

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "engine/quantized_projection.h"
#include "engine/tensor_convert.h"
#include "modelio/safetensors_file.h"
#include "modelio/safetensors_writer.h"

namespace ft {

namespace {

const QString kConfigFile = QStringLiteral("adapter_config.json");
const QString kWeightsFile = QStringLiteral("adapter_model.safetensors");

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// Checks that `config` describes the adapters the model holds, so that the written files load back
// into the same model.
void checkSettingsMatch(LlamaForCausalLMImpl& model, const std::vector<LoraSite>& sites, const LoraSettings& settings)
{
    settings.validate();
    const std::set<ProjectionKind> targets(settings.targets.begin(), settings.targets.end());
    if (sites.size() != targets.size() * model.model->layers.size())
        throw Error(QStringLiteral("the adapter settings list %1 target projections per layer but the model has %2 "
                                   "adapters over %3 layers")
                        .arg(targets.size())
                        .arg(sites.size())
                        .arg(model.model->layers.size()));
    for (const LoraSite& site : sites) {
        const LoraProjectionImpl& p = *site.projection;
        if (!targets.count(site.kind) || p.rank() != settings.rank ||
            std::abs(p.scale() - settings.scale()) > 1e-12 * std::abs(settings.scale()))
            throw Error(QStringLiteral("%1: the adapter (rank %2, scale %3) does not match the settings (rank %4, "
                                       "scale %5, targets as given)")
                            .arg(QString::fromStdString(site.path))
                            .arg(p.rank())
                            .arg(p.scale())
                            .arg(settings.rank)
                            .arg(settings.scale()));
    }
}

struct AdapterEntries {
    std::array<const SafetensorsEntry*, 2> ab{nullptr, nullptr};
    std::array<QString, 2> names;
};

// Reads the names of adapter_model.safetensors into (layer, kind) -> entries, refusing anything else.
std::map<std::pair<size_t, ProjectionKind>, AdapterEntries>
indexEntries(const SafetensorsFile& file, const LoraSettings& settings, size_t layerCount)
{
    static const QRegularExpression pattern(QStringLiteral("^base_model\\.model\\.model\\.layers\\.(\\d+)\\.(self_attn|"
                                                           "mlp)\\.(\\w+?)\\.lora_(A|B)(\\.default)?\\.weight$"));
    const std::set<ProjectionKind> targets(settings.targets.begin(), settings.targets.end());
    std::map<std::pair<size_t, ProjectionKind>, AdapterEntries> index;
    for (const SafetensorsEntry& entry : file.entries()) {
        const QRegularExpressionMatch m = pattern.match(entry.name);
        if (!m.hasMatch())
            throw Error(QStringLiteral("%1: tensor \"%2\" is not a LoRA weight of a decoder projection (expected names "
                                       "like base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight)")
                            .arg(file.path(), entry.name));
        bool ok = false;
        const qulonglong layer = m.captured(1).toULongLong(&ok);
        if (!ok || layer >= layerCount)
            throw Error(QStringLiteral("%1: tensor \"%2\" refers to layer %3 but the model has %4 layers")
                            .arg(file.path(), entry.name, m.captured(1))
                            .arg(layerCount));
        const std::optional<ProjectionKind> kind = projectionKindFromName(m.captured(3));
        if (!kind ||
            projectionPath(layer, *kind) !=
                QStringLiteral("model.layers.%1.%2.%3").arg(m.captured(1), m.captured(2), m.captured(3)).toStdString())
            throw Error(QStringLiteral("%1: tensor \"%2\": unknown target module \"%3.%4\"")
                            .arg(file.path(), entry.name, m.captured(2), m.captured(3)));
        if (!targets.count(*kind))
            throw Error(QStringLiteral("%1: tensor \"%2\" adapts %3, which target_modules in %4 does not list")
                            .arg(file.path(), entry.name, m.captured(3), kConfigFile));
        if (entry.dtype != TensorDtype::F32 && entry.dtype != TensorDtype::F16 && entry.dtype != TensorDtype::BF16)
            throw Error(QStringLiteral("%1: tensor \"%2\" is %3; adapter weights must be F32, F16 or BF16")
                            .arg(file.path(), entry.name, tensorDtypeName(entry.dtype)));
        AdapterEntries& slot = index[{static_cast<size_t>(layer), *kind}];
        const int which = m.captured(4) == QLatin1String("B") ? 1 : 0;
        if (slot.ab[which])
            throw Error(QStringLiteral("%1: tensors \"%2\" and \"%3\" are the same adapter weight")
                            .arg(file.path(), slot.names[which], entry.name));
        slot.ab[which] = &entry;
        slot.names[which] = entry.name;
    }
    return index;
}

void checkShape(const SafetensorsFile& file, const SafetensorsEntry& entry, const std::vector<int64_t>& expected,
                int rankAxis, int rank)
{
    if (entry.shape == expected)
        return;
    const int otherAxis = 1 - rankAxis;
    if (entry.shape.size() == 2 && entry.shape[otherAxis] == expected[otherAxis])
        throw Error(QStringLiteral("%1: tensor \"%2\" has shape %3, rank %4, but %5 says r = %6 (rank mismatch)")
                        .arg(file.path(), entry.name, entry.shapeText())
                        .arg(entry.shape[rankAxis])
                        .arg(kConfigFile)
                        .arg(rank));
    throw Error(QStringLiteral("%1: tensor \"%2\" has shape %3 where %4 is expected")
                    .arg(file.path(), entry.name, entry.shapeText(), shapeText(expected)));
}

} // namespace

QString peftTensorName(const std::string& projectionPath, bool isB)
{
    return QStringLiteral("base_model.model.%1.lora_%2.weight")
        .arg(QString::fromStdString(projectionPath), isB ? QStringLiteral("B") : QStringLiteral("A"));
}

void saveAdapter(LlamaForCausalLMImpl& model, const QString& folder, const PeftAdapterConfig& config,
                 bool replaceExisting)
{
    const std::vector<LoraSite> sites = loraSites(model);
    if (sites.empty())
        throw Error(QStringLiteral("%1: the model has no LoRA adapters to save").arg(folder));
    checkSettingsMatch(model, sites, config.settings);

    writeFolderAtomically(folder, replaceExisting, [&](const QString& staging) {
        const QDir dir(staging);
        writeFileAtomically(dir.filePath(kConfigFile), QJsonDocument(peftConfigJson(config)).toJson());
        std::vector<SafetensorsOutput> outputs;
        for (const LoraSite& site : sites) {
            for (bool isB : {false, true}) {
                const torch::Tensor t = isB ? site.projection->loraB() : site.projection->loraA();
                outputs.push_back({peftTensorName(site.path, isB), TensorDtype::F32, t.sizes().vec(),
                                   [t] { return tensorBytes(t, torch::kFloat32); }});
            }
        }
        writeSafetensors(dir.filePath(kWeightsFile), outputs, {{QStringLiteral("format"), QStringLiteral("pt")}});
    });
}

PeftAdapterConfig readAdapterConfig(const QString& folder)
{
    const QString path = QDir(folder).filePath(kConfigFile);
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: no %2 (not a PEFT adapter folder)").arg(folder, kConfigFile));
    return parsePeftConfig(readJsonObjectFile(path, 1024 * 1024), path);
}

PeftAdapterConfig loadAdapter(LlamaForCausalLMImpl& model, const QString& folder)
{
    const PeftAdapterConfig config = readAdapterConfig(folder);
    const LoraSettings& settings = config.settings;
    const QString path = QDir(folder).filePath(kWeightsFile);
    if (!QFileInfo::exists(path)) {
        if (QFileInfo::exists(QDir(folder).filePath(QStringLiteral("adapter_model.bin"))))
            throw Error(QStringLiteral("%1: only adapter_model.bin (a pickle) is present; pickles are never loaded. "
                                       "Save the adapter with safe_serialization=True")
                            .arg(folder));
        throw Error(QStringLiteral("%1: missing %2").arg(folder, kWeightsFile));
    }
    if (hasLora(model))
        throw Error(QStringLiteral("%1: the model already has LoRA adapters").arg(folder));

    const SafetensorsFile file(path);
    const size_t layerCount = model.model->layers.size();
    auto index = indexEntries(file, settings, layerCount);
    for (size_t i = 0; i < layerCount; ++i) {
        DecoderLayer& layer = model.model->layers[i];
        for (ProjectionKind kind : settings.targets) {
            const Projection& p = layer->projection(kind);
            AdapterEntries& entries = index[{i, kind}];
            for (int which : {0, 1}) {
                if (!entries.ab[which])
                    throw Error(QStringLiteral("%1: missing tensor \"%2\"")
                                    .arg(path, peftTensorName(projectionPath(i, kind), which == 1)));
                const std::vector<int64_t> expected = which == 0
                                                          ? std::vector<int64_t>{settings.rank, p->inFeatures()}
                                                          : std::vector<int64_t>{p->outFeatures(), settings.rank};
                checkShape(file, *entries.ab[which], expected, which == 0 ? 0 : 1, settings.rank);
            }
        }
    }

    torch::NoGradGuard noGrad;
    for (const LoraSite& site : applyLora(model, settings, /*seed=*/0)) {
        const AdapterEntries& entries = index.at({site.layer, site.kind});
        site.projection->loraA().copy_(readEntry(file, *entries.ab[0], torch::kFloat32));
        site.projection->loraB().copy_(readEntry(file, *entries.ab[1], torch::kFloat32));
    }
    return config;
}

QStringList exportMerged(LlamaForCausalLMImpl& model, const QString& outFolder, const SaveOptions& options)
{
    std::set<QString> quantizations;
    for (DecoderLayer& layer : model.model->layers) {
        for (ProjectionKind kind : allProjectionKinds()) {
            Projection p = layer->projection(kind);
            if (auto lora = std::dynamic_pointer_cast<LoraProjectionImpl>(p))
                p = lora->base();
            const QString q = quantizationDescription(*p);
            if (!q.isEmpty())
                quantizations.insert(q);
        }
    }
    saveModelFolder(model, outFolder, options); // every projection slot reads W + scale · B A
    QStringList notes;
    for (const QString& q : quantizations)
        notes << QStringLiteral("the base was stored as %1: the exported weights are its dequantized values plus the "
                                "adapters, not the original full-precision weights")
                     .arg(q);
    return notes;
}

} // namespace ft
