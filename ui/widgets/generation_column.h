#pragma once
// GenerationColumn: one model's answer in the playground. A model chooser (base models and the
// exported models of runs), the text as it streams in, and its speed. Generation runs in its own
// `ftstudio-cli generate` process (GenerationProcess), so several columns generate side by side.

#include <QFrame>
#include <QPair>

#include "runs/generation_process.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace ft::ui {

class GenerationColumn : public QFrame {
    Q_OBJECT
public:
    explicit GenerationColumn(QWidget* parent = nullptr);

    // (label, path) pairs offered in the chooser; the current choice is kept when still offered.
    void setCandidates(const QList<QPair<QString, QString>>& candidates);
    void setModel(const QString& path);
    QString model() const;

    void start(GenerationRequest request); // request.model is replaced by this column's model
    void cancel();
    bool isRunning() const { return m_process->isRunning(); }
    QString text() const;
    GenerationProcess* process() const { return m_process; }

signals:
    void removeRequested();
    void done(); // finished, failed or cancelled

private:
    QComboBox* m_model;
    QToolButton* m_browse;
    QToolButton* m_remove;
    QPlainTextEdit* m_output;
    QLabel* m_status;
    GenerationProcess* m_process;
};

} // namespace ft::ui
