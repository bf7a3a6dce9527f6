#pragma once
// TurnsEditor: the turns of a multi-turn example, each a labelled text box (User, Assistant, alternating,
// starting with the user), with "Add exchange" (a user turn and an assistant turn at the end) and "Remove
// last exchange". What the user types is reported by changed(); the owner saves it (ExampleEditor).

#include <vector>

#include <QWidget>

#include "data/example_record.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;

namespace ft::ui {

class TurnsEditor : public QWidget {
    Q_OBJECT
public:
    explicit TurnsEditor(QWidget* parent = nullptr);

    void setTurns(const std::vector<ChatTurn>& turns); // no changed() for this
    std::vector<ChatTurn> turns() const;
    int exchangeCount() const { return static_cast<int>(m_boxes.size() / 2); }
    QPlainTextEdit* turnBox(int index) const { return m_boxes.at(static_cast<size_t>(index)); }

public slots:
    void addExchange();
    void removeLastExchange();

signals:
    void changed();

private:
    void addTurn(ChatTurn::Role role, const QString& text);
    void updateButtons();

    QVBoxLayout* m_turnsLayout;
    std::vector<QPlainTextEdit*> m_boxes;
    std::vector<QLabel*> m_labels;
    QPushButton* m_add;
    QPushButton* m_remove;
};

} // namespace ft::ui
