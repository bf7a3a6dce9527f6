#pragma once
// The Monitor page: one run at a time, live or past. The curves (TrainingPlot), a progress bar with
// the step, epoch, speed and ETA, Pause/Resume, Checkpoint now and Stop, the log, the sample
// generations of each evaluation, and how the run ended. It shows any job of the RunQueue (switching
// replays the job's RunTrace, then follows its worker live), or a past run read from the run folder's
// events.jsonl.

#include <QMetaObject>
#include <QWidget>

#include "runs/run_trace.h"

class QComboBox;
class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSplitter;
class QTabWidget;
class QTextBrowser;

namespace ft {
class RunQueue;
class StoreThread;
class WorkerProcess;
} // namespace ft

namespace ft::ui {

class AppSettings;
class TrainingPlot;

class MonitorPage : public QWidget {
    Q_OBJECT
public:
    static QString endSentence(const QString& status, const QString& message); // the end banner's first sentence
    MonitorPage(AppSettings* settings, RunQueue* queue, QWidget* parent = nullptr);
    ~MonitorPage() override;

    // Shows job `id` of the queue and follows it live.
    void showJob(int id);
    // Shows a past run from <runDir>/events.jsonl; false (and a message) when it has none.
    bool openRunFolder(const QString& runDir);
    // A recorded run from the workspace's history (its metrics, checkpoints and end), read on `store`'s
    // thread: for runs without an events.jsonl (those started from the command line).
    void showStoredRun(StoreThread* store, const QString& workspacePath, qint64 runId, const QString& name);
    // The same for a run still training in a worker an earlier studio left running: read again every two
    // seconds until it ends; Stop asks for it through stopRecordedRun, Pause/Resume and Checkpoint through
    // controlRecordedRun; whether it is paused is read from its run folder (`runDir`).
    void followStoredRun(StoreThread* store, const QString& workspacePath, qint64 runId, const QString& name,
                         const QString& runDir = {});
    int shownJob() const { return m_jobId; }
    qint64 followedRun() const { return m_follow.runId; }

    TrainingPlot* plot() const { return m_plot; }
    QSplitter* splitter() const { return m_splitter; }

public slots:
    void togglePause();
    void stopRun();
    void checkpointNow();

signals:
    void statusMessage(const QString& text);
    void stopRecordedRun(qint64 runId); // Stop on a followed run that this studio did not start
    // Pause, Resume or Checkpoint now on such a run: "pause", "resume" or "checkpoint".
    void controlRecordedRun(qint64 runId, const QString& command);

private:
    void detachWorker();
    void attachWorker(WorkerProcess* worker);
    void refreshJobList();
    void showTrace(const RunTrace& trace);
    void showLoadedTrace(RunTrace trace, const QString& title);
    void updateProgress(const RunTrace& trace);
    void updateButtons();
    bool isShownRunPaused() const;
    void appendLog(const QString& level, const QString& text);
    void appendSample(const SamplePoint& sample);
    void showEnd(const RunEndInfo& end);
    void showSummary(const RunTrace& trace);
    const RunTrace* shownTrace() const;
    void loadStoredRun(bool following);
    void stopFollowing();

    AppSettings* m_settings;
    RunQueue* m_queue;
    int m_jobId = 0;
    WorkerProcess* m_worker = nullptr;
    QList<QMetaObject::Connection> m_connections;
    RunTrace m_fileTrace; // a run opened from its folder
    bool m_showingFile = false;
    struct Follow {
        StoreThread* store = nullptr;
        QString workspacePath;
        qint64 runId = 0; // 0: not following
        QString name;
        bool live = false; // still training: read again, and Stop asks its worker
        QString runDir;    // where its worker marks its pauses
    } m_follow;
    class QTimer* m_followTimer = nullptr;

    QComboBox* m_runCombo;
    QLabel* m_title;
    QLabel* m_banner;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QPushButton* m_pause;
    QPushButton* m_checkpoint;
    QPushButton* m_stop;
    QComboBox* m_xAxis;
    QSlider* m_smoothing;
    QLabel* m_smoothingLabel;
    QCheckBox* m_logScale;
    QPushButton* m_fit;
    TrainingPlot* m_plot;
    QSplitter* m_splitter;
    QTabWidget* m_tabs;
    QPlainTextEdit* m_log;
    QTextBrowser* m_samples;
    QTextBrowser* m_summary;
};

} // namespace ft::ui
