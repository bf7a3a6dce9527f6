#pragma once
// DatasetValidateDialog: validation of a whole dataset (validateExamples: empty fields, exact
// duplicates, control characters, personal data, and examples longer than the model's context when
// the page has a tokenizer), run on a thread with progress and cancel. It shows what was found and
// what would change (which examples gain or lose which flags) before anything is written; Apply
// saves the flags as one undoable step (the texts are not changed), like `ftstudio-cli dataset
// validate`.

#include <memory>
#include <utility>
#include <vector>

#include <QDialog>

#include "models/token_counter.h"

class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace ft::ui {

class DatasetSession;
struct TaskControl;

class DatasetValidateDialog : public QDialog {
    Q_OBJECT
public:
    DatasetValidateDialog(DatasetSession* session, qint64 datasetId, const TokenSetup& setup,
                          QWidget* parent = nullptr);
    ~DatasetValidateDialog() override;

    bool isRunning() const { return m_control != nullptr; }
    int changedExamples() const { return static_cast<int>(m_after.size()); }

signals:
    void reportReady(); // the report is shown (or the error)

private:
    struct Result;
    void showResult(const Result& result);
    void apply();

    DatasetSession* m_session;
    qint64 m_datasetId;
    std::shared_ptr<TaskControl> m_control;
    std::vector<std::pair<qint64, int>> m_after, m_before;
    int m_mask = 0;
    QLabel* m_summary;
    QListWidget* m_findings;
    QProgressBar* m_progress;
    QPushButton* m_apply;
};

} // namespace ft::ui
