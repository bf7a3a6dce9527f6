#pragma once
// ModeSelector: the three training modes as three clear choices, each with what it trains, what it
// costs in memory and time, and how likely it is to overfit (see ../shared/docs/design.md). Choosing
// one emits modeChosen(name) with the TrainConfig preset name ("full", "instruction", "qlora").

#include <QWidget>

class QButtonGroup;
class QRadioButton;
class QLabel;

namespace ft::ui {

class ModeSelector : public QWidget {
    Q_OBJECT
public:
    explicit ModeSelector(QWidget* parent = nullptr);

    // Checks the matching choice without emitting; any other name (e.g. "freeze") checks none.
    void setMode(const QString& name);
    QString mode() const; // empty when none is checked
    QRadioButton* button(const QString& name) const;

    static QStringList modes(); // full, instruction, qlora

signals:
    void modeChosen(const QString& name);

private:
    QButtonGroup* m_group;
    QLabel* m_other;
};

} // namespace ft::ui
