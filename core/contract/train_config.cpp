#include "contract/train_config.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include <QFileInfo>
#include <QJsonArray>

#include "common/error.h"
#include "contract/train_settings_check.h"
#include "data/example_encoder.h"
#include "data/prompt_template.h"

namespace ft {

namespace {

// One table drives reading, writing and the list of known keys, so the three never disagree.
struct Field {
    const char* key;
    std::function<QJsonValue(const TrainConfig&)> get;
    std::function<void(TrainConfig&, const QJsonValue&, const QString&)> set;
};

template <typename T> Field intField(const char* key, T TrainConfig::*member)
{
    return {key, [member](const TrainConfig& c) { return QJsonValue(static_cast<qint64>(c.*member)); },
            [member, key](TrainConfig& c, const QJsonValue& v, const QString& origin) {
                const double d = v.toDouble(-1.5);
                if (!v.isDouble() || d != static_cast<double>(static_cast<qint64>(d)))
                    throw Error(QStringLiteral("%1: \"%2\" must be an integer").arg(origin, QLatin1String(key)));
                c.*member = static_cast<T>(d);
            }};
}

Field doubleField(const char* key, double TrainConfig::*member)
{
    return {key, [member](const TrainConfig& c) { return QJsonValue(c.*member); },
            [member, key](TrainConfig& c, const QJsonValue& v, const QString& origin) {
                if (!v.isDouble())
                    throw Error(QStringLiteral("%1: \"%2\" must be a number").arg(origin, QLatin1String(key)));
                c.*member = v.toDouble();
            }};
}

Field boolField(const char* key, bool TrainConfig::*member)
{
    return {key, [member](const TrainConfig& c) { return QJsonValue(c.*member); },
            [member, key](TrainConfig& c, const QJsonValue& v, const QString& origin) {
                if (!v.isBool())
                    throw Error(QStringLiteral("%1: \"%2\" must be true or false").arg(origin, QLatin1String(key)));
                c.*member = v.toBool();
            }};
}

Field stringField(const char* key, QString TrainConfig::*member)
{
    return {key, [member](const TrainConfig& c) { return QJsonValue(c.*member); },
            [member, key](TrainConfig& c, const QJsonValue& v, const QString& origin) {
                if (!v.isString())
                    throw Error(QStringLiteral("%1: \"%2\" must be a string").arg(origin, QLatin1String(key)));
                c.*member = v.toString();
            }};
}

Field stringListField(const char* key, QStringList TrainConfig::*member)
{
    return {key, [member](const TrainConfig& c) { return QJsonValue(QJsonArray::fromStringList(c.*member)); },
            [member, key](TrainConfig& c, const QJsonValue& v, const QString& origin) {
                QStringList values;
                for (const QJsonValue& item : v.toArray()) {
                    if (!item.isString())
                        throw Error(
                            QStringLiteral("%1: \"%2\" must be a list of strings").arg(origin, QLatin1String(key)));
                    values << item.toString();
                }
                if (!v.isArray())
                    throw Error(QStringLiteral("%1: \"%2\" must be a list of strings").arg(origin, QLatin1String(key)));
                c.*member = values;
            }};
}

const std::vector<Field>& fields()
{
    static const std::vector<Field> table = {
        stringField("model", &TrainConfig::model),
        stringField("train_file", &TrainConfig::trainFile),
        stringField("val_file", &TrainConfig::valFile),
        doubleField("val_fraction", &TrainConfig::valFraction),
        stringField("template", &TrainConfig::promptTemplate),
        stringField("loss_on", &TrainConfig::lossOn),
        intField("max_length", &TrainConfig::maxLength),
        boolField("packing", &TrainConfig::packing),
        stringField("mode", &TrainConfig::mode),
        stringField("objective", &TrainConfig::objective),
        doubleField("dpo_beta", &TrainConfig::dpoBeta),
        stringField("dpo_loss", &TrainConfig::dpoLoss),
        doubleField("dpo_label_smoothing", &TrainConfig::dpoLabelSmoothing),
        stringField("trainable", &TrainConfig::trainable),
        intField("train_top_layers", &TrainConfig::trainTopLayers),
        boolField("train_lm_head", &TrainConfig::trainLmHead),
        intField("lora_rank", &TrainConfig::loraRank),
        doubleField("lora_alpha", &TrainConfig::loraAlpha),
        doubleField("lora_dropout", &TrainConfig::loraDropout),
        stringListField("lora_targets", &TrainConfig::loraTargets),
        boolField("use_rslora", &TrainConfig::useRsLora),
        intField("num_virtual_tokens", &TrainConfig::numVirtualTokens),
        stringField("prompt_tuning_init", &TrainConfig::promptTuningInit),
        stringField("prompt_tuning_init_text", &TrainConfig::promptTuningInitText),
        stringField("base_quantization", &TrainConfig::baseQuantization),
        boolField("double_quant", &TrainConfig::doubleQuant),
        stringField("compute_dtype", &TrainConfig::computeDtype),
        boolField("gradient_checkpointing", &TrainConfig::gradientCheckpointing),
        intField("checkpoint_layers", &TrainConfig::checkpointLayers),
        doubleField("checkpoint_fraction", &TrainConfig::checkpointFraction),
        doubleField("learning_rate", &TrainConfig::learningRate),
        doubleField("beta1", &TrainConfig::beta1),
        doubleField("beta2", &TrainConfig::beta2),
        doubleField("eps", &TrainConfig::eps),
        doubleField("weight_decay", &TrainConfig::weightDecay),
        boolField("decay_norms_and_biases", &TrainConfig::decayNormsAndBiases),
        stringField("schedule", &TrainConfig::schedule),
        intField("warmup_steps", &TrainConfig::warmupSteps),
        intField("batch_size", &TrainConfig::batchSize),
        intField("grad_accumulation", &TrainConfig::gradAccumulation),
        doubleField("max_grad_norm", &TrainConfig::maxGradNorm),
        intField("epochs", &TrainConfig::epochs),
        intField("max_steps", &TrainConfig::maxSteps),
        intField("seed", &TrainConfig::seed),
        intField("eval_every", &TrainConfig::evalEvery),
        intField("sample_prompts", &TrainConfig::samplePrompts),
        intField("sample_max_tokens", &TrainConfig::sampleMaxTokens),
        intField("save_every", &TrainConfig::saveEvery),
        intField("keep_last", &TrainConfig::keepLast),
        intField("early_stopping_patience", &TrainConfig::earlyStoppingPatience),
        boolField("stop_on_divergence", &TrainConfig::stopOnDivergence),
        doubleField("early_stopping_min_delta", &TrainConfig::earlyStoppingMinDelta),
        boolField("export_best", &TrainConfig::exportBest),
        intField("threads", &TrainConfig::threads),
        intField("processes", &TrainConfig::processes),
    };
    return table;
}

void require(bool condition, const char* key, const QString& expectation)
{
    if (!condition)
        throw Error(QStringLiteral("training configuration: \"%1\" %2").arg(QLatin1String(key), expectation));
}

} // namespace

QStringList TrainConfig::modeNames()
{
    return {QStringLiteral("full"),   QStringLiteral("instruction"), QStringLiteral("qlora"),
            QStringLiteral("prompt"), QStringLiteral("dpo"),         QStringLiteral("freeze")};
}

QStringList TrainConfig::loraTargetNames()
{
    return {QStringLiteral("q_proj"),   QStringLiteral("k_proj"),    QStringLiteral("v_proj"),
            QStringLiteral("o_proj"),   QStringLiteral("gate_proj"), QStringLiteral("up_proj"),
            QStringLiteral("down_proj")};
}

void TrainConfig::applyModePreset(const QString& modeName)
{
    // Only QLoRA's preset checkpoints; the others turn it off, so that switching from QLoRA to another
    // mode does not keep QLoRA's memory trade.
    const auto noCheckpointing = [this] {
        gradientCheckpointing = false;
        checkpointLayers = 0;
        checkpointFraction = 1.0;
    };
    // DPO's preset alone optimizes preferences, one answer per row; choosing another mode goes back
    // to the answers' loss and packed rows.
    objective = QStringLiteral("sft");
    packing = true;
    if (modeName == QLatin1String("full")) {
        noCheckpointing();
        trainable = QStringLiteral("all");
        lossOn = QStringLiteral("all");
        learningRate = 2e-5;
        baseQuantization = QStringLiteral("none");
    } else if (modeName == QLatin1String("instruction")) {
        // A frozen base with LoRA adapters on every projection, trained on the answers.
        trainable = QStringLiteral("lora");
        lossOn = QStringLiteral("response");
        learningRate = 2e-4;
        loraTargets = loraTargetNames();
        baseQuantization = QStringLiteral("none");
        noCheckpointing();
    } else if (modeName == QLatin1String("qlora")) {
        // The same adapters over a base frozen in 4-bit NF4 with double-quantized scales.
        trainable = QStringLiteral("lora");
        lossOn = QStringLiteral("response");
        learningRate = 2e-4;
        loraTargets = loraTargetNames();
        baseQuantization = QStringLiteral("nf4");
        doubleQuant = true;
        // The point of QLoRA is fitting a large model in little memory, so 60 % of the layers keep
        // only their input and are recomputed in the backward pass. Recomputing every layer would
        // add about half of a LoRA step (whose backward skips the weight gradients); with 60 %, the
        // 1.1B shape at batch 1 x 512 stays within both of QLoRA's goals (docs/training-modes.md:
        // 2.3 GB, 1.3 x Instruction's step). A share, not a count, so it scales with the depth.
        gradientCheckpointing = true;
        checkpointLayers = 0;
        checkpointFraction = 0.6;
    } else if (modeName == QLatin1String("prompt")) {
        // Prompt tuning: the base frozen, only the virtual tokens learn, on the answers. So few
        // parameters learn slowly at LoRA's rate; 3e-2 is the rate PEFT's prompt-tuning guide uses.
        trainable = QStringLiteral("prompt");
        lossOn = QStringLiteral("response");
        learningRate = 3e-2;
        baseQuantization = QStringLiteral("none");
        noCheckpointing();
    } else if (modeName == QLatin1String("dpo")) {
        // Preference pairs through LoRA adapters on every projection: the reference is the base as it
        // starts (the adapters begin at zero). Each answer is scored in a row of its own, so no
        // packing. 5e-5 is a tenth of LoRA's instruction rate: DPO's gradients do not fade as the
        // answers' loss does, and TRL's DPO examples use rates of this order for adapters.
        trainable = QStringLiteral("lora");
        lossOn = QStringLiteral("response");
        learningRate = 5e-5;
        loraTargets = loraTargetNames();
        baseQuantization = QStringLiteral("none");
        objective = QStringLiteral("dpo");
        dpoBeta = 0.1;
        packing = false;
        noCheckpointing();
    } else if (modeName == QLatin1String("freeze")) {
        trainable = QStringLiteral("top-layers");
        lossOn = QStringLiteral("response");
        learningRate = 1e-4;
        noCheckpointing();
    } else {
        throw Error(QStringLiteral("training configuration: unknown mode \"%1\" (expected one of %2)")
                        .arg(modeName, modeNames().join(QStringLiteral(", "))));
    }
    mode = modeName;
}

TrainConfig TrainConfig::fromJson(const QJsonObject& json, const QString& origin)
{
    TrainConfig config;
    // A mode preset is applied first so that explicit settings in the file override it.
    if (json.contains(QStringLiteral("mode"))) {
        const QJsonValue mode = json.value(QStringLiteral("mode"));
        if (!mode.isString())
            throw Error(QStringLiteral("%1: \"mode\" must be a string").arg(origin));
        config.applyModePreset(mode.toString());
    }
    std::map<QString, const Field*> byKey;
    for (const Field& field : fields())
        byKey[QLatin1String(field.key)] = &field;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const auto found = byKey.find(it.key());
        if (found == byKey.end())
            throw Error(QStringLiteral("%1: unknown setting \"%2\"").arg(origin, it.key()));
        if (!it->isNull())
            found->second->set(config, it.value(), origin);
    }
    return config;
}

QJsonObject TrainConfig::toJson() const
{
    QJsonObject json;
    for (const Field& field : fields())
        json[QLatin1String(field.key)] = field.get(*this);
    return json;
}

void TrainConfig::validate() const
{
    require(!model.isEmpty(), "model", QStringLiteral("is required (a model folder or llama2.c .bin)"));
    require(QFileInfo::exists(model), "model", QStringLiteral("names %1, which does not exist").arg(model));
    require(!trainFile.isEmpty(), "train_file", QStringLiteral("is required (a JSONL file of examples)"));
    require(QFileInfo(trainFile).isFile(), "train_file",
            QStringLiteral("names %1, which does not exist").arg(trainFile));
    require(valFile.isEmpty() || QFileInfo(valFile).isFile(), "val_file",
            QStringLiteral("names %1, which does not exist").arg(valFile));
    validateTrainSettings(*this);
}

void validateTrainSettings(const TrainConfig& c)
{
    require(!c.model.isEmpty(), "model", QStringLiteral("is required (a model folder or llama2.c .bin)"));
    require(QFileInfo::exists(c.model), "model", QStringLiteral("names %1, which does not exist").arg(c.model));
    require(c.valFraction >= 0.0 && c.valFraction < 1.0, "val_fraction", QStringLiteral("must be in [0, 1)"));
    PromptTemplate::validateName(c.promptTemplate); // throws naming the bad placeholder
    lossOnFromName(c.lossOn);
    require(c.maxLength >= 8 && c.maxLength <= 1 << 20, "max_length", QStringLiteral("must be between 8 and 1048576"));
    require(c.objective == QLatin1String("sft") || c.objective == QLatin1String("dpo"), "objective",
            QStringLiteral("must be \"sft\" or \"dpo\""));
    require(c.dpoBeta > 0.0 && std::isfinite(c.dpoBeta), "dpo_beta",
            QStringLiteral("must be greater than 0 (got %1)").arg(c.dpoBeta));
    require(c.dpoLoss == QLatin1String("sigmoid") || c.dpoLoss == QLatin1String("hinge") ||
                c.dpoLoss == QLatin1String("ipo"),
            "dpo_loss", QStringLiteral("must be \"sigmoid\", \"hinge\" or \"ipo\" (got \"%1\")").arg(c.dpoLoss));
    require(c.dpoLabelSmoothing >= 0.0 && c.dpoLabelSmoothing < 0.5, "dpo_label_smoothing",
            QStringLiteral("must be in [0, 0.5) (got %1)").arg(c.dpoLabelSmoothing));
    require(!c.isPreferenceTraining() || !c.packing, "packing",
            QStringLiteral("must be false for DPO: each answer is scored in a row of its own"));
    require(!c.isPreferenceTraining() || c.lossOn == QLatin1String("response"), "loss_on",
            QStringLiteral("must be \"response\" for DPO: it compares the two answers, not the prompt"));
    require(c.trainable == QLatin1String("all") || c.trainable == QLatin1String("top-layers") ||
                c.trainable == QLatin1String("lora") || c.trainable == QLatin1String("prompt"),
            "trainable", QStringLiteral("must be \"all\", \"top-layers\", \"lora\" or \"prompt\""));
    require(c.numVirtualTokens >= 1 && c.numVirtualTokens <= 4096, "num_virtual_tokens",
            QStringLiteral("must be between 1 and 4096"));
    require(c.promptTuningInit == QLatin1String("sample_vocab") || c.promptTuningInit == QLatin1String("text"),
            "prompt_tuning_init", QStringLiteral("must be \"sample_vocab\" or \"text\""));
    require(c.promptTuningInit != QLatin1String("text") || !c.promptTuningInitText.trimmed().isEmpty() ||
                c.trainable != QLatin1String("prompt"),
            "prompt_tuning_init_text", QStringLiteral("is needed when prompt_tuning_init is \"text\""));
    require(c.loraRank >= 1 && c.loraRank <= 4096, "lora_rank", QStringLiteral("must be between 1 and 4096"));
    require(c.loraAlpha > 0.0, "lora_alpha", QStringLiteral("must be greater than 0"));
    require(c.loraDropout >= 0.0 && c.loraDropout < 1.0, "lora_dropout", QStringLiteral("must be in [0, 1)"));
    require(!c.loraTargets.isEmpty() || c.trainable != QLatin1String("lora"), "lora_targets",
            QStringLiteral("must name at least one projection"));
    for (const QString& target : c.loraTargets)
        require(TrainConfig::loraTargetNames().contains(target), "lora_targets",
                QStringLiteral("has \"%1\"; expected names among %2")
                    .arg(target, TrainConfig::loraTargetNames().join(QStringLiteral(", "))));
    require(c.baseQuantization == QLatin1String("none") || c.baseQuantization == QLatin1String("int8") ||
                c.baseQuantization == QLatin1String("nf4"),
            "base_quantization", QStringLiteral("must be \"none\", \"int8\" or \"nf4\""));
    require(c.baseQuantization == QLatin1String("none") || c.trainable == QLatin1String("lora") ||
                c.trainable == QLatin1String("prompt"),
            "base_quantization",
            QStringLiteral("needs trainable \"lora\" or \"prompt\": a quantized base is frozen, so only adapters or "
                           "a soft prompt can learn"));
    require(c.trainTopLayers >= 1, "train_top_layers", QStringLiteral("must be at least 1"));
    require(c.checkpointLayers >= 0, "checkpoint_layers",
            QStringLiteral("must not be negative (0 leaves it to checkpoint_fraction)"));
    require(c.checkpointFraction > 0.0 && c.checkpointFraction <= 1.0, "checkpoint_fraction",
            QStringLiteral("must be in (0, 1] (1 checkpoints every layer; got %1)").arg(c.checkpointFraction));
    require(c.computeDtype == QLatin1String("float32") || c.computeDtype == QLatin1String("bfloat16"), "compute_dtype",
            QStringLiteral("must be \"float32\" or \"bfloat16\""));
    require(c.learningRate > 0.0 && std::isfinite(c.learningRate), "learning_rate",
            QStringLiteral("must be greater than 0 (got %1)").arg(c.learningRate));
    require(c.beta1 >= 0.0 && c.beta1 < 1.0 && c.beta2 >= 0.0 && c.beta2 < 1.0, "beta1",
            QStringLiteral("and \"beta2\" must be in [0, 1)"));
    require(c.eps > 0.0, "eps", QStringLiteral("must be greater than 0"));
    require(c.weightDecay >= 0.0, "weight_decay", QStringLiteral("must not be negative"));
    require(c.schedule == QLatin1String("constant") || c.schedule == QLatin1String("linear") ||
                c.schedule == QLatin1String("cosine"),
            "schedule", QStringLiteral("must be \"constant\", \"linear\" or \"cosine\""));
    require(c.warmupSteps >= 0, "warmup_steps", QStringLiteral("must not be negative"));
    require(c.batchSize >= 1 && c.batchSize <= 4096, "batch_size", QStringLiteral("must be between 1 and 4096"));
    require(c.gradAccumulation >= 1, "grad_accumulation", QStringLiteral("must be at least 1"));
    require(c.maxGradNorm >= 0.0, "max_grad_norm", QStringLiteral("must not be negative (0 turns clipping off)"));
    require(c.epochs >= 1 || c.maxSteps > 0, "epochs", QStringLiteral("must be at least 1 unless max_steps is set"));
    require(c.maxSteps >= 0, "max_steps", QStringLiteral("must not be negative"));
    require(c.evalEvery >= 0 && c.saveEvery >= 0, "eval_every",
            QStringLiteral("and \"save_every\" must not be negative"));
    require(c.keepLast >= 1, "keep_last", QStringLiteral("must be at least 1"));
    require(c.samplePrompts >= 0 && c.sampleMaxTokens >= 1, "sample_prompts", QStringLiteral("must not be negative"));
    require(c.earlyStoppingPatience >= 0, "early_stopping_patience", QStringLiteral("must not be negative"));
    require(c.threads >= 0, "threads", QStringLiteral("must not be negative"));
    require(c.processes >= 1 && c.processes <= 256, "processes", QStringLiteral("must be between 1 and 256"));
}

int64_t checkpointedLayerCount(const TrainConfig& config, int64_t numLayers)
{
    if (!config.gradientCheckpointing || numLayers <= 0)
        return 0;
    if (config.checkpointLayers > 0)
        return std::min(config.checkpointLayers, numLayers);
    // The allowance keeps a share a rounding error above its value (0.1 + 0.2 = 0.30000000000000004)
    // from taking one layer more (3 of 10, not 4).
    const double share = std::clamp(config.checkpointFraction, 0.0, 1.0) * static_cast<double>(numLayers);
    return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(share - 1e-9)), 1, numLayers);
}

} // namespace ft
