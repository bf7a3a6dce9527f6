#pragma once
// People rating outputs, blind: two models' answers to the same examples, side by side in an order
// drawn for each example and labelled only "Answer 1" and "Answer 2". The person says which is better
// or that they are equal (1, 2, 3 or T; S skips, Backspace goes back), with an optional comment; every
// rating is saved at once in the workspace (store/rating_store.h), so closing loses nothing and opening
// again goes on where it stopped. Who answered what is shown only with the results: the first model's
// win rate against the second with a 95 % interval.
//
// The answers are the runs' latest evaluations (the Examples… view's): one run against its base model,
// or two runs against each other, matched by record key. Loading and saving run on the store thread.
// "Add preferred answers…" turns the ratings with a winner into dataset examples (the prompt and the
// better answer, tagged "rated"), one step on the Datasets page's undo stack.
//
// Prompts of the person's own can be typed too ("Ask both"): each side answers with the model and
// checkpoint it was evaluated with, under the evaluation's template and generation settings, in its
// own worker process; the pair then joins the examples to rate. Such ratings are stored under the key
// "typed:" + a hash of the prompt, and come back with the session when it is opened again.

#include <optional>
#include <random>
#include <vector>

#include <QDialog>

#include "data/splits.h"
#include "runs/generation_process.h"
#include "store/example_store.h"
#include "store/rating_store.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;

namespace ft {
class PairedGeneration;
class StoreThread;
} // namespace ft

namespace ft::ui {

class DatasetSession;

// What is rated: the two subjects and the examples both answered, with the ratings already stored.
struct RatingSession {
    RatingSubject a, b; // a: the run (or the first run); b: its base (or the second run)
    struct Item {
        QString key, prompt, reference, answerA, answerB;
        std::optional<Verdict> verdict; // as stored (a's view)
        QString comment;
    };
    std::vector<Item> items;
    // How each side answers a typed prompt: its model (the base model, or the run's folder at the
    // evaluated checkpoint) with the evaluation's template and generation settings.
    GenerationRequest askA, askB;
};

// The key a typed prompt's ratings are stored under: "typed:" and the first 16 hex digits of its SHA-256.
QString typedPromptKey(const QString& prompt);
bool isTypedPromptKey(const QString& key);

// Reads the runs' latest evaluations and the pair's stored ratings. Throws ft::Error when a run has no
// evaluation with outputs, a single run has no matching base evaluation, or they share no example.
RatingSession loadRatingSession(const QString& workspacePath, const QList<qint64>& runIds);

class BlindRatingDialog : public QDialog {
    Q_OBJECT
public:
    // One run (against its base) or two runs. `seed` draws the order of each example's answers.
    BlindRatingDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                      QWidget* parent = nullptr, quint32 seed = std::random_device{}());

    bool isLoaded() const { return m_loaded; }
    int currentIndex() const { return m_index; }
    int exampleCount() const { return static_cast<int>(m_session.items.size()); }
    int ratedCount() const;
    bool firstIsA() const; // for tests: whether the current example shows a's answer first
    const RatingSession& session() const { return m_session; }
    QTextBrowser* promptView() const { return m_prompt; }
    QTextBrowser* firstAnswer() const { return m_first; }
    QTextBrowser* secondAnswer() const { return m_second; }
    QLabel* results() const { return m_results; }
    // The session whose datasets preferred answers go to (the Datasets page's, with its undo stack).
    void setDatasetSession(DatasetSession* session);
    // The rated examples with a winner as dataset examples: the prompt, and the better answer.
    std::vector<StoredExample> preferredExamples(qint64 datasetId, Split split) const;
    // Adds them to `datasetId` in `split` (one undo step); false when there are none or it failed.
    bool addPreferredAnswers(qint64 datasetId, Split split);

    // The choices the buttons and keys make: 1 first answer better, 2 second better, 0 equal.
    void rate(int choice);
    void skip();
    void back();
    void showResults();
    void addPreferredAnswersAs(); // asks where (SaveConversationDialog), then addPreferredAnswers
    // Asks both models the prompt typed in the "Your own prompt" field; the answers become the next
    // example to rate. A prompt typed before is asked again: its new answers are shown unrated, and
    // their rating replaces the stored one (which counts until then).
    void askBoth();
    QLineEdit* askField() const { return m_askField; }
    PairedGeneration* asking() const { return m_asking; }

signals:
    void loaded(const QString& error);
    void saved(const QString& error);    // each rating, once the store has it
    void answered(const QString& error); // a typed prompt's answers arrived (or why not)

private:
    void apply(RatingSession session, const QString& error);
    void showCurrent();
    void showStatus(); // "Example 3 of 10 · 2 rated · ..." for the current example
    void askEnded();
    void moveToNextUnrated();
    void addTypedAnswers(const QString& prompt, const QString& answerA, const QString& answerB);

    StoreThread* m_store;
    QString m_workspacePath;
    std::mt19937 m_random;
    RatingSession m_session;
    std::vector<bool> m_aFirst; // per item
    int m_index = 0;
    bool m_loaded = false;
    QLabel* m_status;
    QTextBrowser* m_prompt;
    QTextBrowser* m_first;
    QTextBrowser* m_second;
    QLineEdit* m_comment;
    QPushButton* m_firstBetter;
    QPushButton* m_secondBetter;
    QPushButton* m_tie;
    QPushButton* m_skip;
    QPushButton* m_back;
    QPushButton* m_finish;
    QPushButton* m_addPreferred;
    QLineEdit* m_askField;
    QPushButton* m_ask;
    PairedGeneration* m_asking;
    DatasetSession* m_datasets = nullptr;
    QLabel* m_results;
};

} // namespace ft::ui
