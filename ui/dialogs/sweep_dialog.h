#pragma once
// SweepDialog: "Sweep…" on the Train page. The values to try are written one setting a line, as on the
// command line ("learning_rate=1e-4, 3e-4, 1e-3"; short names lr, r, alpha, dropout, warmup, batch,
// wd), over the Train page's current settings and data; grid or seeded random, a limit on trials,
// steps per trial and the median rule. Start runs the trials through the studio's run queue (each an
// ordinary run in the Monitor and the Runs page); the table and the chart (objective against the
// first swept value) follow them live, and the best trial is one click from the Monitor, the
// Playground and the GGUF export. Resume… goes on with a sweep folder (after a crash, or a Stop).
// Closing the dialog hides it: the sweep goes on.

#include <memory>

#include <QDialog>

#include "runs/sweep_runner.h"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ft {
class RunQueue;
}

namespace ft::ui {

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    SweepDialog(RunQueue* queue, QWidget* parent = nullptr);
    ~SweepDialog() override;

    // What the next Start sweeps over: the Train page's configuration and data, and where runs go.
    void setBase(const TrainConfig& base, const RunData& data, const QString& runsFolder);

    bool start();                            // false (and why, in the status line) when it cannot
    bool resume(const QString& sweepFolder); // goes on with a sweep.json
    void stop();
    bool isRunning() const { return m_runner && m_runner->isRunning(); }
    const SweepRunner* runner() const { return m_runner.get(); }

    QPlainTextEdit* parametersEdit() const { return m_parameters; }
    QSpinBox* stepsBox() const { return m_steps; }
    QComboBox* objectiveBox() const { return m_objective; }
    QSpinBox* parallelBox() const { return m_parallel; }
    QTableWidget* trialsTable() const { return m_trials; }
    QCustomPlot* chart() const { return m_chart; }
    QComboBox* chartSetting() const { return m_chartSetting; } // the swept setting on the chart's x axis
    QLabel* bestLabel() const { return m_best; }
    QLabel* statusLabel() const { return m_status; }

signals:
    void openRunRequested(const QString& runDir);                         // in the Monitor
    void chatRequested(const QString& runDir, const QString& checkpoint); // in the Playground
    void exportRequested(const QString& runDir);                          // GGUF
    void finished();

private:
    void showRecord();
    void updateButtons();
    void attach(SweepRecord record);
    QString bestRunDir() const;

    RunQueue* m_queue;
    TrainConfig m_base;
    RunData m_data;
    QString m_runsFolder;
    std::unique_ptr<SweepRunner> m_runner;
    QPlainTextEdit* m_parameters;
    QComboBox* m_method;
    QSpinBox* m_maxTrials;
    QSpinBox* m_steps;
    QCheckBox* m_pruning;
    QComboBox* m_objective;        // val_loss, or an evaluation metric
    QSpinBox* m_objectiveExamples; // the validation examples a metric is measured on
    QSpinBox* m_parallel;          // trials at once
    QPushButton* m_start;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QLabel* m_status;
    QTableWidget* m_trials;
    QCustomPlot* m_chart;
    QComboBox* m_chartSetting;
    QLabel* m_best;
    QPushButton* m_openBest;
    QPushButton* m_chatBest;
    QPushButton* m_exportBest;
};

} // namespace ft::ui
