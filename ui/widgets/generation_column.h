#pragma once
// GenerationColumn: one model's side of the playground's chat. A model chooser (base models, and the
// exported models and checkpoints of runs), the conversation with that model (the user's messages are
// shared by all columns, each column keeps its own answers), the answer as it streams in, and its speed.
// Generation runs in its own `ftstudio-cli generate` process (GenerationProcess), so several columns
// answer side by side.

#include <QFrame>
#include <QList>
#include <vector>

#include "runs/generation_process.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace ft::ui {

// One entry of the model chooser: a model file or folder, or a run folder at one of its checkpoints.
struct ModelChoice {
    QString label;
    QString path;
    QString checkpoint; // for runs: final, best or step-N; empty for models
};

class GenerationColumn : public QFrame {
    Q_OBJECT
public:
    explicit GenerationColumn(QWidget* parent = nullptr);

    // The choices offered in the chooser; the current choice is kept when still offered.
    void setCandidates(const QList<ModelChoice>& candidates);
    void setModel(const QString& path, const QString& checkpoint = {});
    QString model() const;
    QString checkpoint() const;
    QString modelLabel() const;

    // Sends the user's next message: `request` carries the settings; its model, history and prompt are
    // this column's. The message and the answer join the conversation when the answer is complete (or
    // cancelled with some text); a failed answer leaves the conversation as it was.
    // False (with the reason in the column) when it could not start: no model, an unreadable adapter.
    bool start(GenerationRequest request, const QString& message);
    void cancel();
    bool isRunning() const { return m_process->isRunning(); }
    QString text() const { return m_lastAnswer; } // the latest answer, as streamed
    QString transcript() const;
    const std::vector<ChatTurn>& conversation() const { return m_turns; }
    // The system prompt the conversation was answered with (empty when none reached the model: raw text).
    QString systemPrompt() const { return m_system; }
    void clearConversation();
    GenerationProcess* process() const { return m_process; }

signals:
    void removeRequested();
    void done(); // finished, failed or cancelled

private:
    void appendTurnHeading(const QString& who);
    void answerEnded(const QString& note);

    QComboBox* m_model;
    QToolButton* m_browse;
    QToolButton* m_remove;
    QPlainTextEdit* m_output;
    QLabel* m_status;
    GenerationProcess* m_process;
    std::vector<ChatTurn> m_turns; // complete user/assistant pairs
    QString m_pendingMessage;      // the user message being answered
    QString m_pendingSystem;       // the system prompt sent with it
    QString m_system;              // the one the conversation's first answer was given with
    QString m_lastAnswer;
};

} // namespace ft::ui
