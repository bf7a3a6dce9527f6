#pragma once
// The Runs page: every run of the workspace (StoreRunHistory: also those started from the command
// line or in an earlier session, with this session's live state), sortable and filterable. On the
// selected run: show in the monitor, open its folder, stop or cancel it, resume a stopped or
// interrupted run, clone its settings into the Train page, rename it, edit its notes and tags, delete
// it (its folder too, after asking), evaluate it (ftstudio-cli eval, with progress and cancel) and
// see its evaluation example by example. With two or more selected: compare them.
//
// Writes go through the history (the store thread); nothing here touches the database.

#include <QPointer>
#include <QWidget>

#include "contract/train_config.h"
#include "runs/run_history.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QComboBox;
class QSpinBox;
class QTableView;

namespace ft {
class EvalProcess;
class StoreRunHistory;
struct EvalEnd;
} // namespace ft

namespace ft::ui {

class DatasetSession;
class RunFilterProxy;
class RunHistoryModel;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(StoreRunHistory* history, QWidget* parent = nullptr);
    // The Datasets page's session: Rate blind… adds preferred answers to its datasets (undone there).
    void setDatasetSession(DatasetSession* session) { m_datasetSession = session; }
    QTableView* table() const { return m_table; }
    RunHistoryModel* model() const { return m_model; }
    StoreRunHistory* history() const { return m_history; }
    // The selected runs, in table order.
    QVector<RunSummary> selectedRuns() const;
    void selectRuns(const QList<qint64>& runIds); // tests and the main window
    bool isEvaluating() const;
    void setEvaluationCliPath(const QString& path); // tests

    // The actions (the buttons call these; the main window's menu too).
    void renameSelected();
    void editNotesOfSelected();
    void editTagsOfSelected();
    void deleteSelected();
    void compareSelected();
    void evaluateSelected();
    void exportSelectedToGguf(); // the GGUF export dialog for the one selected run with a final model
    void showExamplesOfSelected();
    void rateSelected();

signals:
    void showInMonitor(int jobId);
    // A past run: the monitor shows it from its events.jsonl, or from the store (runId > 0) without one.
    void showPastRun(qint64 runId, const QString& runDir, const QString& name);
    void cloneSettings(const ft::TrainConfig& config);
    void statusMessage(const QString& text);
    void evaluationEnded(const ft::EvalEnd& end);

private:
    void updateButtons();
    void fitColumns(); // each column as wide as its contents, within bounds (runs come and go)
    bool m_fitPending = false;
    void report(const QString& error, const QString& success);
    void onEvaluationEnded(const ft::EvalEnd& end);

    StoreRunHistory* m_history;
    RunHistoryModel* m_model;
    RunFilterProxy* m_proxy;
    QComboBox* m_statusFilter;
    QTableView* m_table;
    QLineEdit* m_filter;
    QLabel* m_summary;
    QPushButton* m_show;
    QPushButton* m_open;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QPushButton* m_clone;
    QPushButton* m_rename;
    QPushButton* m_notes;
    QPushButton* m_tags;
    QPushButton* m_delete;
    QPushButton* m_compare;
    QPushButton* m_exportGguf;
    QPushButton* m_evaluate;
    QPushButton* m_examples;
    QPushButton* m_rate;
    DatasetSession* m_datasetSession = nullptr;
    QPushButton* m_cancelEval;
    QSpinBox* m_evalLimit;
    QProgressBar* m_evalProgress;
    EvalProcess* m_eval;
    QString m_cliPath; // set by tests; else the one findCli() finds
};

} // namespace ft::ui

Q_DECLARE_METATYPE(ft::TrainConfig)
