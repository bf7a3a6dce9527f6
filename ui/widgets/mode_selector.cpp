#include "widgets/mode_selector.h"

#include <QButtonGroup>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QVBoxLayout>

namespace ft::ui {

namespace {

struct ModeText {
    const char* name;
    const char* title;
    const char* trains;
    const char* cost;
    const char* risk;
};

const ModeText kModes[] = {
    {"full", QT_TRANSLATE_NOOP("ModeSelector", "Full fine-tuning"),
     QT_TRANSLATE_NOOP("ModeSelector", "Trains every weight of the model, with the loss on all tokens."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Memory: the most — about 16 bytes per parameter with AdamW (weights, gradients, two "
                       "optimizer moments). Time: the most, 6 operations per parameter and token."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Overfitting risk: high on a small dataset; watch the validation loss and use early stopping. "
                       "For a deep change of domain with plenty of data.")},
    {"instruction", QT_TRANSLATE_NOOP("ModeSelector", "Instruction tuning"),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Trains small LoRA adapters on every projection of a frozen base, with the loss on the "
                       "responses only."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Memory: the base model once (fp32, bf16 or int8) plus a few MB of adapters and their "
                       "optimizer state. Time: about two thirds of full fine-tuning."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Overfitting risk: lower — few trainable parameters. For teaching a model to follow "
                       "instructions from prompt/response pairs.")},
    {"qlora", QT_TRANSLATE_NOOP("ModeSelector", "QLoRA"),
     QT_TRANSLATE_NOOP("ModeSelector", "Trains the same LoRA adapters over a base frozen in 4-bit NF4 (blocks of 64, "
                                       "double-quantized scales), loss on the responses."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Memory: the least — about 4.1 bits per base weight, a quarter of a 16-bit base. Time: a "
                       "little more than instruction tuning (weights are dequantized on the fly)."),
     QT_TRANSLATE_NOOP("ModeSelector", "Overfitting risk: low. For a large model on a machine with little memory.")},
    {"prompt", QT_TRANSLATE_NOOP("ModeSelector", "Prompt tuning"),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Trains only a soft prompt: 20 virtual token embeddings put before every example of a frozen "
                       "base, loss on the responses."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Memory: the base once plus a few KB. Time: like instruction tuning (the backward pass still "
                       "runs through every layer)."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Overfitting risk: the lowest, and the least it can change. For steering one task or style; "
                       "exported for PEFT, not as a merged model or GGUF.")},
    {"dpo", QT_TRANSLATE_NOOP("ModeSelector", "Preference (DPO)"),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Trains LoRA adapters to prefer each example's response over its rejected answer (Direct "
                       "Preference Optimization), the base as it starts being the reference."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Memory: like instruction tuning with twice the rows (each answer has its own). Time: about "
                       "twice an instruction step, plus one pass of the base over the data before the first step."),
     QT_TRANSLATE_NOOP("ModeSelector",
                       "Needs examples with a rejected answer (import prompt/chosen/rejected files, or rate outputs "
                       "blind). Watch the reward margin and accuracy; a high learning rate over-optimizes.")},
};

} // namespace

QStringList ModeSelector::modes()
{
    return {QStringLiteral("full"), QStringLiteral("instruction"), QStringLiteral("qlora"), QStringLiteral("prompt"),
            QStringLiteral("dpo")};
}

ModeSelector::ModeSelector(QWidget* parent)
    : QWidget(parent)
    , m_group(new QButtonGroup(this))
    , m_other(new QLabel(this))
{
    auto* row = new QHBoxLayout;
    row->setSpacing(8);
    int id = 0;
    for (const ModeText& mode : kModes) {
        auto* card = new QFrame(this);
        card->setFrameShape(QFrame::StyledPanel);
        auto* layout = new QVBoxLayout(card);
        auto* radio = new QRadioButton(tr(mode.title), card);
        radio->setObjectName(QStringLiteral("mode_%1").arg(QLatin1String(mode.name)));
        QFont bold = radio->font();
        bold.setBold(true);
        radio->setFont(bold);
        layout->addWidget(radio);
        for (const char* text : {mode.trains, mode.cost, mode.risk}) {
            auto* label = new QLabel(tr(text), card);
            label->setWordWrap(true);
            label->setBuddy(radio);
            layout->addWidget(label);
        }
        layout->addStretch(1);
        m_group->addButton(radio, id++);
        row->addWidget(card, 1);
    }
    m_other->setObjectName(QStringLiteral("modeOther"));
    m_other->setWordWrap(true);
    m_other->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_other);
    connect(m_group, &QButtonGroup::idClicked, this, [this](int buttonId) {
        m_other->hide();
        emit modeChosen(modes().value(buttonId));
    });
}

QRadioButton* ModeSelector::button(const QString& name) const
{
    return qobject_cast<QRadioButton*>(m_group->button(static_cast<int>(modes().indexOf(name))));
}

void ModeSelector::setMode(const QString& name)
{
    const int id = static_cast<int>(modes().indexOf(name));
    m_group->setExclusive(false);
    for (QAbstractButton* b : m_group->buttons())
        b->setChecked(m_group->id(b) == id);
    m_group->setExclusive(true);
    m_other->setVisible(id < 0 && !name.isEmpty());
    if (id < 0 && !name.isEmpty())
        m_other->setText(tr("Current settings: mode \"%1\" (set in the advanced settings).").arg(name));
}

QString ModeSelector::mode() const { return modes().value(m_group->checkedId()); }

} // namespace ft::ui
