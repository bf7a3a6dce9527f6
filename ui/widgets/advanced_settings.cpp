#include "widgets/advanced_settings.h"

#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLineEdit>
#include <QSpinBox>

#include "common/error.h"
#include "widgets/compact_double_spin_box.h"

namespace ft::ui {

struct FieldSpec {
    const char* key;
    const char* label;
    const char* kind; // int, double, sci, text, bool, choice
    double min = 0;
    double max = 0;
    const char* choices = nullptr; // "a|b|c" for choice
    const char* tip = nullptr;
};

namespace {

struct Section {
    const char* title;
    std::vector<FieldSpec> fields;
};

const std::vector<Section>& sections()
{
    static const std::vector<Section> table = {
        {QT_TRANSLATE_NOOP("AdvancedSettings", "What trains"),
         {{"objective", "Objective", "choice", 0, 0, "sft|dpo",
           "sft: learn the answers (token cross-entropy); dpo: prefer each pair's chosen answer over its rejected one "
           "(Direct Preference Optimization, on examples with a rejected answer)"},
          {"dpo_beta", "DPO beta", "double", 0.001, 100, nullptr,
           "for \"dpo\": how far the model may move from where it started; larger keeps it closer"},
          {"dpo_loss", "DPO loss", "choice", 0, 0, "sigmoid|hinge|ipo",
           "for \"dpo\": sigmoid is DPO's own; hinge (SLiC) stops pushing once a pair's margin passes 1 / beta; ipo "
           "pulls the margin of per-token means towards 1 / (2 beta), so it cannot overfit the preferences"},
          {"dpo_label_smoothing", "DPO label smoothing", "double", 0, 0.49, nullptr,
           "for the sigmoid loss: the share of pairs whose preference may be wrong (conservative DPO); 0 trusts "
           "every pair"},
          {"trainable", "Trainable", "choice", 0, 0, "all|top-layers|lora|prompt",
           "all weights, only the top decoder layers, LoRA adapters on a frozen base, or a soft prompt before it"},
          {"train_top_layers", "Top layers", "int", 1, 1000, nullptr,
           "for \"top-layers\": how many decoder layers from the top train"},
          {"train_lm_head", "Also the output head", "bool", 0, 0, nullptr,
           "for \"top-layers\": the final norm and output head train too"},
          {"lora_rank", "LoRA rank", "int", 1, 4096, nullptr,
           "inner size r of each adapter (A is r x in, B is out x r)"},
          {"lora_alpha", "LoRA alpha", "double", 0.01, 100000, nullptr, "adapter scale: alpha / rank"},
          {"lora_dropout", "LoRA dropout", "double", 0, 0.99, nullptr, "dropout on the adapter input"},
          {"use_rslora", "rsLoRA scaling", "bool", 0, 0, nullptr,
           "scale by alpha / sqrt(rank) instead of alpha / rank"},
          {"num_virtual_tokens", "Virtual tokens", "int", 1, 4096, nullptr,
           "for \"prompt\": trainable token embeddings put before every example"},
          {"prompt_tuning_init", "Prompt starts from", "choice", 0, 0, "sample_vocab|text",
           "for \"prompt\": the embeddings of tokens drawn from the vocabulary, or of the text below"},
          {"prompt_tuning_init_text", "Prompt start text", "text", 0, 0, nullptr,
           "for \"prompt\" from text: e.g. a description of the task; its tokens are repeated to fill the prompt"},
          {"base_quantization", "Base precision", "choice", 0, 0, "none|int8|nf4",
           "how the frozen base projections are stored: compute dtype, int8 per row, or 4-bit NF4"},
          {"double_quant", "Double quantization", "bool", 0, 0, nullptr,
           "NF4 block scales stored as 8-bit codes (about 4.13 bits per weight instead of 4.5)"},
          {"compute_dtype", "Compute precision", "choice", 0, 0, "float32|bfloat16",
           "bfloat16: mixed precision, bf16 weights and activations with float32 master weights and "
           "optimizer state; 2 to 3 times faster where the CPU has AVX-512 BF16 or AMX, slower elsewhere. "
           "New runs start in bfloat16 on such a CPU, in float32 on others"},
          {"gradient_checkpointing", "Gradient checkpointing", "bool", 0, 0, nullptr,
           "recompute decoder layers (how many: below) in the backward pass: much less activation memory, more time"},
          {"checkpoint_layers", "Checkpointed layers", "int", 0, 100000, nullptr,
           "with gradient checkpointing: how many layers, from the first, are recomputed (0: the share below decides); "
           "fewer is faster and uses more memory"},
          {"checkpoint_fraction", "Checkpointed share", "double", 0.01, 1, nullptr,
           "with gradient checkpointing and no layer count: the share of the layers recomputed, rounded up (1: all; "
           "QLoRA's preset 0.6)"}}},
        {QT_TRANSLATE_NOOP("AdvancedSettings", "Data"),
         {{"loss_on", "Loss on", "choice", 0, 0, "response|all", "train on the answers only, or on every token"},
          {"max_length", "Max length (tokens)", "int", 8, 1 << 20, nullptr,
           "tokens per example and per packed row; longer examples are cut, prompt side first"},
          {"packing", "Packing", "bool", 0, 0, nullptr, "several examples per row, each attending only to itself"},
          {"val_fraction", "Validation share", "double", 0, 0.95, nullptr,
           "held out from the training data when there is no validation file"}}},
        {QT_TRANSLATE_NOOP("AdvancedSettings", "Optimizer"),
         {{"learning_rate", "Learning rate", "sci", 1e-12, 10, nullptr,
           "peak learning rate (e.g. 2e-5 full, 2e-4 LoRA)"},
          {"schedule", "Schedule", "choice", 0, 0, "constant|linear|cosine", "after the warmup"},
          {"warmup_steps", "Warmup steps", "int", 0, 10000000, nullptr, "linear warmup to the peak"},
          {"weight_decay", "Weight decay", "double", 0, 10, nullptr, "decoupled (AdamW)"},
          {"decay_norms_and_biases", "Decay norms and biases", "bool", 0, 0, nullptr, "also decay 1-D parameters"},
          {"beta1", "Adam beta1", "double", 0, 0.9999, nullptr, nullptr},
          {"beta2", "Adam beta2", "double", 0, 0.99999, nullptr, nullptr},
          {"eps", "Adam epsilon", "sci", 1e-20, 1, nullptr, nullptr},
          {"max_grad_norm", "Clip gradient norm", "double", 0, 1000, nullptr,
           "clip the global gradient norm (0: off)"}}},
        {QT_TRANSLATE_NOOP("AdvancedSettings", "Length and batches"),
         {{"epochs", "Epochs", "int", 1, 100000, nullptr, "passes over the data (when there is no step limit)"},
          {"max_steps", "Max steps", "int", 0, 100000000, nullptr, "optimizer steps; > 0 overrides the epochs"},
          {"batch_size", "Batch size", "int", 1, 4096, nullptr, "rows per micro-batch"},
          {"grad_accumulation", "Gradient accumulation", "int", 1, 100000, nullptr, "micro-batches per optimizer step"},
          {"seed", "Seed", "int", 0, 2147483647, nullptr, "data order, split, adapter initialisation"},
          {"threads", "Threads", "int", 0, 1024, nullptr, "compute threads of the worker (0: all physical cores)"},
          {"processes", "Processes", "int", 1, 256, nullptr,
           "local worker processes training data-parallel (Gloo, docs/distributed.md); the cores are divided among "
           "them"}}},
        {QT_TRANSLATE_NOOP("AdvancedSettings", "Evaluation and checkpoints"),
         {{"eval_every", "Evaluate every (steps)", "int", 0, 100000000, nullptr,
           "0: at the end of every epoch (always at the end)"},
          {"sample_prompts", "Sample generations", "int", 0, 100, nullptr,
           "validation prompts generated from at each evaluation"},
          {"sample_max_tokens", "Sample length (tokens)", "int", 1, 100000, nullptr, nullptr},
          {"save_every", "Checkpoint every (steps)", "int", 0, 100000000, nullptr,
           "besides the best, on stop and at the end (0: only those)"},
          {"keep_last", "Keep last checkpoints", "int", 1, 100000, nullptr, "besides the best"},
          {"early_stopping_patience", "Early stopping patience", "int", 0, 100000, nullptr,
           "evaluations without improvement before stopping (0: off)"},
          {"early_stopping_min_delta", "Early stopping min delta", "double", 0, 100, nullptr,
           "smaller improvements do not count"},
          {"export_best", "Export the best checkpoint", "bool", 0, 0, nullptr,
           "export the best validated weights rather than the last"},
          {"stop_on_divergence", "Stop when training diverges", "bool", 0, 0, nullptr,
           "the loss explodes against its own best, or the gradients stay at zero (NaN always stops)"}}},
    };
    return table;
}

QString formatScientific(double value) { return QString::number(value, 'g', 6); }

} // namespace

AdvancedSettings::AdvancedSettings(QWidget* parent)
    : QWidget(parent)
{
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    int index = 0;
    for (const Section& section : sections()) {
        auto* box = new QGroupBox(tr(section.title), this);
        auto* form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        for (const FieldSpec& spec : section.fields) {
            addField(form, spec);
            if (QLatin1String(spec.key) == QLatin1String("lora_dropout")) {
                // The projections that get an adapter.
                auto* targets = new QWidget(box);
                auto* flow = new QGridLayout(targets);
                flow->setContentsMargins(0, 0, 0, 0);
                int i = 0;
                for (const QString& name : TrainConfig::loraTargetNames()) {
                    auto* check = new QCheckBox(name, targets);
                    check->setObjectName(QStringLiteral("lora_target_") + name);
                    m_targets.insert(name, check);
                    flow->addWidget(check, i / 3, i % 3); // three a row: the page fits a 1024-pixel window
                    connect(check, &QCheckBox::toggled, this, [this] {
                        if (!m_filling)
                            emit changed();
                    });
                    ++i;
                }
                targets->setObjectName(QStringLiteral("lora_targets"));
                targets->setToolTip(tr("the projections that get a LoRA adapter"));
                m_fields.insert(QStringLiteral("lora_targets"), targets);
                form->addRow(tr("LoRA targets"), targets);
            }
        }
        // Two columns: "What trains" is tall, so it takes the left column alone.
        if (index == 0)
            grid->addWidget(box, 0, 0, 4, 1);
        else
            grid->addWidget(box, index - 1, 1);
        ++index;
    }
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    setConfig(TrainConfig());
}

void AdvancedSettings::addField(QFormLayout* form, const FieldSpec& spec)
{
    const QString key = QLatin1String(spec.key);
    const QString kind = QLatin1String(spec.kind);
    QWidget* widget = nullptr;
    auto notify = [this] {
        if (!m_filling) {
            updateEnabled();
            emit changed();
        }
    };
    if (kind == QLatin1String("int")) {
        auto* spin = new QSpinBox(form->parentWidget());
        spin->setRange(static_cast<int>(spec.min), static_cast<int>(spec.max));
        spin->setAccelerated(true);
        if (key == QLatin1String("threads"))
            spin->setSpecialValueText(tr("all cores"));
        if (key == QLatin1String("max_steps"))
            spin->setSpecialValueText(tr("by epochs"));
        if (key == QLatin1String("eval_every"))
            spin->setSpecialValueText(tr("each epoch"));
        if (key == QLatin1String("save_every"))
            spin->setSpecialValueText(tr("best/stop/end only"));
        if (key == QLatin1String("early_stopping_patience"))
            spin->setSpecialValueText(tr("off"));
        if (key == QLatin1String("checkpoint_layers"))
            spin->setSpecialValueText(tr("by share"));
        connect(spin, &QSpinBox::valueChanged, this, notify);
        widget = spin;
    } else if (kind == QLatin1String("double")) {
        auto* spin = new CompactDoubleSpinBox(form->parentWidget());
        spin->setRange(spec.min, spec.max);
        spin->setDecimals(6); // shown without trailing zeros: "16", not "16.000000"
        spin->setSingleStep(spec.max <= 1.0 ? 0.01 : 1.0);
        connect(spin, &QDoubleSpinBox::valueChanged, this, notify);
        widget = spin;
    } else if (kind == QLatin1String("sci")) {
        auto* edit = new QLineEdit(form->parentWidget());
        auto* validator = new QDoubleValidator(spec.min, spec.max, 12, edit);
        validator->setNotation(QDoubleValidator::ScientificNotation);
        validator->setLocale(QLocale::c());
        edit->setValidator(validator);
        connect(edit, &QLineEdit::textEdited, this, notify);
        widget = edit;
    } else if (kind == QLatin1String("text")) {
        auto* edit = new QLineEdit(form->parentWidget());
        connect(edit, &QLineEdit::textEdited, this, notify);
        widget = edit;
    } else if (kind == QLatin1String("bool")) {
        auto* check = new QCheckBox(form->parentWidget());
        connect(check, &QCheckBox::toggled, this, notify);
        widget = check;
    } else {
        auto* combo = new QComboBox(form->parentWidget());
        combo->addItems(QString::fromLatin1(spec.choices).split(QLatin1Char('|')));
        connect(combo, &QComboBox::currentTextChanged, this, notify);
        widget = combo;
    }
    widget->setObjectName(key);
    if (spec.tip)
        widget->setToolTip(tr(spec.tip));
    m_fields.insert(key, widget);
    m_kinds.insert(key, kind);
    form->addRow(tr(spec.label), widget);
}

void AdvancedSettings::setValue(const QString& key, const QJsonValue& value)
{
    QWidget* widget = m_fields.value(key);
    const QString kind = m_kinds.value(key);
    if (auto* spin = qobject_cast<QSpinBox*>(widget))
        spin->setValue(static_cast<int>(std::clamp<double>(value.toDouble(), spin->minimum(), spin->maximum())));
    else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(widget))
        dspin->setValue(value.toDouble());
    else if (auto* edit = qobject_cast<QLineEdit*>(widget))
        edit->setText(kind == QLatin1String("text") ? value.toString() : formatScientific(value.toDouble()));
    else if (auto* check = qobject_cast<QCheckBox*>(widget))
        check->setChecked(value.toBool());
    else if (auto* combo = qobject_cast<QComboBox*>(widget)) {
        const int i = combo->findText(value.toString());
        if (i < 0)
            combo->addItem(value.toString()); // a value the form does not know: shown, kept
        combo->setCurrentIndex(combo->findText(value.toString()));
    }
}

QJsonValue AdvancedSettings::value(const QString& key) const
{
    QWidget* widget = m_fields.value(key);
    if (auto* spin = qobject_cast<QSpinBox*>(widget))
        return spin->value();
    if (auto* dspin = qobject_cast<QDoubleSpinBox*>(widget))
        return dspin->value();
    if (auto* edit = qobject_cast<QLineEdit*>(widget); edit && m_kinds.value(key) == QLatin1String("text"))
        return edit->text();
    if (auto* edit = qobject_cast<QLineEdit*>(widget)) {
        bool ok = false;
        const double v = QLocale::c().toDouble(edit->text().trimmed(), &ok);
        if (!ok || !std::isfinite(v))
            throw Error(
                QStringLiteral("training configuration: \"%1\" must be a number (got \"%2\")").arg(key, edit->text()));
        return v;
    }
    if (auto* check = qobject_cast<QCheckBox*>(widget))
        return check->isChecked();
    if (auto* combo = qobject_cast<QComboBox*>(widget))
        return combo->currentText();
    return {};
}

void AdvancedSettings::setConfig(const TrainConfig& config)
{
    m_filling = true;
    const QJsonObject json = config.toJson();
    for (auto it = m_kinds.begin(); it != m_kinds.end(); ++it)
        setValue(it.key(), json.value(it.key()));
    for (auto it = m_targets.begin(); it != m_targets.end(); ++it)
        it.value()->setChecked(config.loraTargets.contains(it.key()));
    m_filling = false;
    updateEnabled();
}

TrainConfig AdvancedSettings::config(const TrainConfig& base) const
{
    QJsonObject json = base.toJson();
    for (auto it = m_kinds.begin(); it != m_kinds.end(); ++it)
        json[it.key()] = value(it.key());
    QJsonArray targets;
    for (const QString& name : TrainConfig::loraTargetNames())
        if (m_targets.value(name)->isChecked())
            targets.append(name);
    json[QStringLiteral("lora_targets")] = targets;
    // Every key is explicit, so the preset fromJson applies for "mode" is fully overridden.
    return TrainConfig::fromJson(json, QStringLiteral("the advanced settings"));
}

void AdvancedSettings::updateEnabled()
{
    const QString trainable = qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("trainable")))->currentText();
    const bool lora = trainable == QLatin1String("lora");
    const bool prompt = trainable == QLatin1String("prompt");
    const bool top = trainable == QLatin1String("top-layers");
    for (const char* key : {"lora_rank", "lora_alpha", "lora_dropout", "use_rslora", "lora_targets"})
        m_fields.value(QLatin1String(key))->setEnabled(lora);
    m_fields.value(QStringLiteral("base_quantization"))->setEnabled(lora || prompt);
    for (const char* key : {"num_virtual_tokens", "prompt_tuning_init"})
        m_fields.value(QLatin1String(key))->setEnabled(prompt);
    const QString promptInit =
        qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("prompt_tuning_init")))->currentText();
    m_fields.value(QStringLiteral("prompt_tuning_init_text"))
        ->setEnabled(prompt && promptInit == QLatin1String("text"));
    for (const char* key : {"train_top_layers", "train_lm_head"})
        m_fields.value(QLatin1String(key))->setEnabled(top);
    const QString objective = qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("objective")))->currentText();
    const bool dpo = objective == QLatin1String("dpo");
    for (const char* key : {"dpo_beta", "dpo_loss"})
        m_fields.value(QLatin1String(key))->setEnabled(dpo);
    const QString dpoLoss = qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("dpo_loss")))->currentText();
    m_fields.value(QStringLiteral("dpo_label_smoothing"))->setEnabled(dpo && dpoLoss == QLatin1String("sigmoid"));
    const QString quantization =
        qobject_cast<QComboBox*>(m_fields.value(QStringLiteral("base_quantization")))->currentText();
    m_fields.value(QStringLiteral("double_quant"))
        ->setEnabled((lora || prompt) && quantization == QLatin1String("nf4"));
    const bool checkpointing =
        qobject_cast<QCheckBox*>(m_fields.value(QStringLiteral("gradient_checkpointing")))->isChecked();
    m_fields.value(QStringLiteral("checkpoint_layers"))->setEnabled(checkpointing);
    m_fields.value(QStringLiteral("checkpoint_fraction"))->setEnabled(checkpointing);
}

} // namespace ft::ui
