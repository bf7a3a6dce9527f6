#pragma once
// ExampleEditor: the Datasets page's editor of the current example: system, instruction, input and
// response texts, tags, split and notes. Changes are saved as they happen: a short pause in typing
// (or leaving the example) pushes an EditExampleCommand on the session's undo stack, whose redo
// writes the example in one transaction; the saves of one visit to an example merge into one undo
// step. When the example changes elsewhere (undo, a bulk action) the fields follow.
//
// Below the fields: the example formatted with the chosen template, the loss-carrying part
// highlighted, and its token counts for the chosen tokenizer (prompt, response, and whether it
// exceeds the context length). One example is encoded on the GUI thread (a few milliseconds).
// A multi-turn conversation shows its turns (TurnsEditor) in place of instruction, input and response, each
// editable, with exchanges added and removed; "Make a conversation" turns a single exchange into one.

#include <memory>
#include <optional>

#include <QWidget>

#include "models/token_counter.h"
#include "store/example_store.h"

class QComboBox;
class QFormLayout;
class QPushButton;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTextBrowser;
class QTimer;

namespace ft::ui {

class DatasetSession;

class ExampleEditor : public QWidget {
    Q_OBJECT
public:
    explicit ExampleEditor(DatasetSession* session, QWidget* parent = nullptr);

    void setExample(qint64 id); // 0: none (the editor is disabled)
    qint64 exampleId() const { return m_current ? m_current->id : 0; }
    void setTokenSetup(const TokenSetup& setup);
    // Saves pending changes now (before an undo, a bulk action, another example).
    void flush();
    bool hasPendingChanges() const;
    QString tokenSummary() const;

    static constexpr int kSaveDelayMs = 400;

private:
    void load(); // the fields from m_current
    StoredExample edited() const;
    void onFieldChanged();
    void updatePreview();
    void onExamplesChanged(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved);
    void showConversation(bool conversation); // the turns in place of instruction, input and response
    void makeConversation();

    DatasetSession* m_session;
    std::optional<StoredExample> m_current; // as saved
    TokenSetup m_setup;
    int m_mergeKey = 0;
    bool m_loading = false;
    QTimer* m_saveTimer;
    QTimer* m_previewTimer;
    QPlainTextEdit* m_system;
    QPlainTextEdit* m_instruction;
    QPlainTextEdit* m_input;
    QPlainTextEdit* m_response;
    QPlainTextEdit* m_rejected;
    QLineEdit* m_tags;
    QComboBox* m_split;
    QPlainTextEdit* m_notes;
    QLabel* m_multiTurn;
    QFormLayout* m_form;
    class TurnsEditor* m_turns;
    QPushButton* m_makeConversation;
    bool m_conversation = false; // the turns editor holds the example's text
    QLabel* m_tokens;
    QTextBrowser* m_preview;
};

} // namespace ft::ui
