#include "engine/prompt_tuning.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "engine/tensor_convert.h"
#include "modelio/safetensors_file.h"
#include "modelio/safetensors_writer.h"

namespace ft {

namespace {

const QString kConfigFile = QStringLiteral("adapter_config.json");
const QString kWeightsFile = QStringLiteral("adapter_model.safetensors");
const QString kTensorName = QStringLiteral("prompt_embeddings");

// The ids a soft prompt starts from: N tokens sampled from the vocabulary, or the text's tokens cycled to N.
std::vector<int64_t> initialTokenIds(const LlamaForCausalLMImpl& model, const SoftPromptSettings& settings,
                                     const Tokenizer* tokenizer, uint64_t seed)
{
    const int64_t n = settings.virtualTokens;
    std::vector<int64_t> ids;
    if (settings.init == QLatin1String("text")) {
        if (!tokenizer)
            throw Error(QStringLiteral("prompt tuning: initialising from text needs the model's tokenizer"));
        for (TokenId id : tokenizer->encode(settings.initText))
            ids.push_back(id);
        if (ids.empty())
            throw Error(QStringLiteral("prompt tuning: \"prompt_tuning_init_text\" has no tokens"));
        for (size_t i = 0; static_cast<int64_t>(ids.size()) < n; ++i)
            ids.push_back(ids[i]);
        ids.resize(static_cast<size_t>(n));
        return ids;
    }
    if (settings.init != QLatin1String("sample_vocab"))
        throw Error(QStringLiteral("prompt tuning: unknown initialisation \"%1\" (expected sample_vocab or text)")
                        .arg(settings.init));
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const torch::Tensor drawn = torch::randint(0, model.config().vocabSize, {n}, generator, torch::kInt64);
    return std::vector<int64_t>(drawn.data_ptr<int64_t>(), drawn.data_ptr<int64_t>() + n);
}

int64_t requireCount(const QJsonObject& json, const QString& key, const QString& origin)
{
    const QJsonValue value = json.value(key);
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 1 || number != static_cast<double>(static_cast<int64_t>(number)))
        throw Error(QStringLiteral("%1: \"%2\" must be a positive integer").arg(origin, key));
    return static_cast<int64_t>(number);
}

} // namespace

void applySoftPrompt(LlamaForCausalLMImpl& model, const SoftPromptSettings& settings, const Tokenizer* tokenizer,
                     uint64_t seed)
{
    if (settings.virtualTokens < 1)
        throw Error(QStringLiteral("prompt tuning: \"num_virtual_tokens\" must be at least 1"));
    const std::vector<int64_t> ids = initialTokenIds(model, settings, tokenizer, seed);
    for (int64_t id : ids)
        if (id < 0 || id >= model.config().vocabSize)
            throw Error(QStringLiteral("prompt tuning: the text's token %1 is outside the model's vocabulary (%2)")
                            .arg(id)
                            .arg(model.config().vocabSize));
    torch::NoGradGuard noGrad;
    for (auto& p : model.parameters())
        p.set_requires_grad(false);
    const torch::Tensor embeddings =
        model.model->embed_tokens->weight.index_select(0, torch::tensor(ids, torch::kInt64)).to(torch::kFloat32);
    model.setSoftPrompt(embeddings.clone(), /*trainable=*/true);
}

QJsonObject promptTuningConfigJson(const LlamaForCausalLMImpl& model, const PromptTuningAdapterInfo& info)
{
    const ModelConfig& config = model.config();
    const bool fromText = info.settings.init == QLatin1String("text");
    QJsonObject json;
    json[QStringLiteral("peft_type")] = QStringLiteral("PROMPT_TUNING");
    json[QStringLiteral("task_type")] = QStringLiteral("CAUSAL_LM");
    json[QStringLiteral("num_virtual_tokens")] = static_cast<qint64>(model.virtualTokenCount());
    json[QStringLiteral("token_dim")] = static_cast<qint64>(config.hiddenSize);
    json[QStringLiteral("num_transformer_submodules")] = 1;
    json[QStringLiteral("num_attention_heads")] = static_cast<qint64>(config.numHeads);
    json[QStringLiteral("num_layers")] = static_cast<qint64>(config.numLayers);
    json[QStringLiteral("prompt_tuning_init")] = fromText ? QStringLiteral("TEXT") : QStringLiteral("SAMPLE_VOCAB");
    json[QStringLiteral("prompt_tuning_init_text")] = fromText ? QJsonValue(info.settings.initText) : QJsonValue();
    json[QStringLiteral("tokenizer_name_or_path")] = fromText ? QJsonValue(info.baseModelNameOrPath) : QJsonValue();
    json[QStringLiteral("tokenizer_kwargs")] = QJsonValue::Null;
    json[QStringLiteral("base_model_name_or_path")] = info.baseModelNameOrPath;
    json[QStringLiteral("inference_mode")] = true;
    json[QStringLiteral("auto_mapping")] = QJsonValue::Null;
    json[QStringLiteral("revision")] = QJsonValue::Null;
    return json;
}

void savePromptTuningAdapter(LlamaForCausalLMImpl& model, const QString& folder, const PromptTuningAdapterInfo& info,
                             bool replaceExisting)
{
    if (model.virtualTokenCount() == 0)
        throw Error(QStringLiteral("%1: the model has no soft prompt to save").arg(folder));
    const torch::Tensor embeddings = model.softPrompt().detach();
    writeFolderAtomically(folder, replaceExisting, [&](const QString& staging) {
        const QDir dir(staging);
        writeFileAtomically(dir.filePath(kConfigFile), QJsonDocument(promptTuningConfigJson(model, info)).toJson());
        writeSafetensors(dir.filePath(kWeightsFile),
                         {{kTensorName, TensorDtype::F32, embeddings.sizes().vec(),
                           [embeddings] { return tensorBytes(embeddings, torch::kFloat32); }}},
                         {{QStringLiteral("format"), QStringLiteral("pt")}});
    });
}

bool isPromptTuningAdapter(const QString& folder)
{
    const QString path = QDir(folder).filePath(kConfigFile);
    if (!QFileInfo::exists(path))
        return false;
    try {
        return readJsonObjectFile(path, 1024 * 1024).value(QStringLiteral("peft_type")).toString() ==
               QLatin1String("PROMPT_TUNING");
    } catch (const Error&) {
        return false;
    }
}

PromptTuningAdapterInfo loadPromptTuningAdapter(LlamaForCausalLMImpl& model, const QString& folder)
{
    const QString configPath = QDir(folder).filePath(kConfigFile);
    if (!QFileInfo::exists(configPath))
        throw Error(QStringLiteral("%1: no %2 (not a PEFT adapter folder)").arg(folder, kConfigFile));
    const QJsonObject json = readJsonObjectFile(configPath, 1024 * 1024);
    const QString peftType = requireString(json, QStringLiteral("peft_type"), configPath);
    if (peftType != QLatin1String("PROMPT_TUNING"))
        throw Error(QStringLiteral("%1: peft_type is \"%2\", not PROMPT_TUNING").arg(configPath, peftType));
    if (json.contains(QStringLiteral("task_type")) && !json.value(QStringLiteral("task_type")).isNull() &&
        json.value(QStringLiteral("task_type")).toString() != QLatin1String("CAUSAL_LM"))
        throw Error(QStringLiteral("%1: task_type is \"%2\"; only CAUSAL_LM soft prompts apply to this model")
                        .arg(configPath, json.value(QStringLiteral("task_type")).toString()));
    const int64_t virtualTokens = requireCount(json, QStringLiteral("num_virtual_tokens"), configPath);
    if (json.contains(QStringLiteral("num_transformer_submodules")) &&
        requireCount(json, QStringLiteral("num_transformer_submodules"), configPath) != 1)
        throw Error(
            QStringLiteral("%1: num_transformer_submodules must be 1 for a decoder-only model").arg(configPath));
    const int64_t hidden = model.config().hiddenSize;
    if (json.contains(QStringLiteral("token_dim")) && !json.value(QStringLiteral("token_dim")).isNull() &&
        requireCount(json, QStringLiteral("token_dim"), configPath) != hidden)
        throw Error(QStringLiteral("%1: token_dim is %2 but the model's hidden size is %3 (a soft prompt of another "
                                   "model)")
                        .arg(configPath)
                        .arg(json.value(QStringLiteral("token_dim")).toInteger())
                        .arg(hidden));
    if (model.virtualTokenCount() > 0)
        throw Error(QStringLiteral("%1: the model already has a soft prompt").arg(folder));

    const QString weightsPath = QDir(folder).filePath(kWeightsFile);
    if (!QFileInfo::exists(weightsPath))
        throw Error(QStringLiteral("%1: missing %2").arg(folder, kWeightsFile));
    const SafetensorsFile file(weightsPath);
    const SafetensorsEntry* entry = nullptr;
    for (const SafetensorsEntry& e : file.entries()) {
        if (e.name != kTensorName)
            throw Error(QStringLiteral("%1: tensor \"%2\" is not part of a soft prompt (expected only \"%3\")")
                            .arg(weightsPath, e.name, kTensorName));
        entry = &e;
    }
    if (!entry)
        throw Error(QStringLiteral("%1: missing tensor \"%2\"").arg(weightsPath, kTensorName));
    if (entry->dtype != TensorDtype::F32 && entry->dtype != TensorDtype::F16 && entry->dtype != TensorDtype::BF16)
        throw Error(QStringLiteral("%1: tensor \"%2\" is %3; a soft prompt must be F32, F16 or BF16")
                        .arg(weightsPath, kTensorName, tensorDtypeName(entry->dtype)));
    if (entry->shape != std::vector<int64_t>{virtualTokens, hidden})
        throw Error(QStringLiteral("%1: tensor \"%2\" has shape %3 where [%4, %5] is expected (num_virtual_tokens, "
                                   "token_dim)")
                        .arg(weightsPath, kTensorName, entry->shapeText())
                        .arg(virtualTokens)
                        .arg(hidden));

    PromptTuningAdapterInfo info;
    info.settings.virtualTokens = virtualTokens;
    const bool fromText = json.value(QStringLiteral("prompt_tuning_init")).toString() == QLatin1String("TEXT");
    info.settings.init = fromText ? QStringLiteral("text") : QStringLiteral("sample_vocab");
    info.settings.initText = json.value(QStringLiteral("prompt_tuning_init_text")).toString();
    info.baseModelNameOrPath = json.value(QStringLiteral("base_model_name_or_path")).toString();
    for (auto& p : model.parameters())
        p.set_requires_grad(false);
    model.setSoftPrompt(readEntry(file, *entry, torch::kFloat32).clone(), /*trainable=*/false);
    return info;
}

} // namespace ft
