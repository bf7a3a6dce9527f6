#include "widgets/turns_editor.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ft::ui {

TurnsEditor::TurnsEditor(QWidget* parent)
    : QWidget(parent)
    , m_turnsLayout(new QVBoxLayout)
    , m_add(new QPushButton(tr("Add exchange"), this))
    , m_remove(new QPushButton(tr("Remove last exchange"), this))
{
    m_add->setObjectName(QStringLiteral("addExchange"));
    m_add->setToolTip(tr("A user turn and the assistant's answer at the end of the conversation"));
    m_remove->setObjectName(QStringLiteral("removeExchange"));
    m_remove->setToolTip(tr("Remove the last user turn and its answer (undoable)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_turnsLayout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_turnsLayout);
    layout->addLayout(buttons);
    connect(m_add, &QPushButton::clicked, this, &TurnsEditor::addExchange);
    connect(m_remove, &QPushButton::clicked, this, &TurnsEditor::removeLastExchange);
    updateButtons();
}

void TurnsEditor::addTurn(ChatTurn::Role role, const QString& text)
{
    const bool user = role == ChatTurn::Role::User;
    auto* label = new QLabel(user ? tr("User") : tr("Assistant"), this);
    auto* box = new QPlainTextEdit(this);
    box->setObjectName(QStringLiteral("turn%1").arg(m_boxes.size()));
    box->setTabChangesFocus(true);
    box->setMinimumHeight(box->fontMetrics().lineSpacing() * 2 + 12);
    box->setPlainText(text);
    box->setProperty("role", user ? QStringLiteral("user") : QStringLiteral("assistant"));
    connect(box, &QPlainTextEdit::textChanged, this, &TurnsEditor::changed);
    m_turnsLayout->addWidget(label);
    m_turnsLayout->addWidget(box);
    m_labels.push_back(label);
    m_boxes.push_back(box);
}

void TurnsEditor::setTurns(const std::vector<ChatTurn>& turns)
{
    for (QWidget* w : m_boxes)
        delete w;
    for (QWidget* w : m_labels)
        delete w;
    m_boxes.clear();
    m_labels.clear();
    const QSignalBlocker quiet(this);
    for (const ChatTurn& turn : turns)
        addTurn(turn.role, turn.content);
    updateButtons();
}

std::vector<ChatTurn> TurnsEditor::turns() const
{
    std::vector<ChatTurn> result;
    for (const QPlainTextEdit* box : m_boxes)
        result.push_back({box->property("role").toString() == QLatin1String("user") ? ChatTurn::Role::User
                                                                                    : ChatTurn::Role::Assistant,
                          box->toPlainText()});
    return result;
}

void TurnsEditor::addExchange()
{
    addTurn(ChatTurn::Role::User, QString());
    addTurn(ChatTurn::Role::Assistant, QString());
    updateButtons();
    m_boxes[m_boxes.size() - 2]->setFocus();
    emit changed();
}

void TurnsEditor::removeLastExchange()
{
    if (m_boxes.size() < 2)
        return;
    for (int i = 0; i < 2; ++i) {
        delete m_boxes.back();
        delete m_labels.back();
        m_boxes.pop_back();
        m_labels.pop_back();
    }
    updateButtons();
    emit changed();
}

void TurnsEditor::updateButtons() { m_remove->setEnabled(m_boxes.size() > 2); }

} // namespace ft::ui
