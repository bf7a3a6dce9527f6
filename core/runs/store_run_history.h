#pragma once
// StoreRunHistory: the studio's run history. Every run recorded in the workspace (RunStore: those
// launched from the studio, from the command line, from an earlier session), merged with this
// session's RunQueue: a run of this session shows its live state (queued, running, paused, its
// latest step) from the worker's events, and the database's record otherwise. It is the RunHistory
// the Runs page's table reads.
//
// Everything that touches the database runs on a StoreThread: the history is re-read every couple
// of seconds (and at once when a run of this session starts, ends or is cancelled; a run whose worker
// died is then reported `interrupted` by RunStore), and edits (rename, notes, tags, delete) are
// written there. A run this session launches with RunRequest::workspace set records itself (the
// worker gets --workspace, and --run-id when resuming a recorded run); its row is matched to the job
// by run id or, for a new run, by its folder, so that each run shows once.
//
// Without a workspace it lists this session's runs only (as the RunQueue does).

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QHash>
#include <QTimer>

#include "runs/run_history.h"
#include "runs/run_queue.h"
#include "runs/store_thread.h"
#include "store/run_store.h"

namespace ft {

struct RunMetricCache;

// A run as the database records it, with what the table shows of its metrics.
struct RecordedRun {
    RunInfo info;
    qint64 lastStep = 0;
    double lastLoss = kNoValue;
    double elapsed = kNoValue; // the worker's seconds at its last step (its own clock, resumptions added up)
    int checkpoints = 0;
    QString evaluation;                // the latest evaluation's "checkpoint / split"
    QMap<QString, double> evalMetrics; // and its numbers
    bool evaluationOutputs = false;    // a run evaluation with per-example outputs exists
};

// "alpaca v3", a file's name, or "" when the run says nothing of its data.
QString datasetLabel(const RunInfo& run);

class StoreRunHistory : public RunHistory {
    Q_OBJECT
public:
    explicit StoreRunHistory(RunQueue* queue, QObject* parent = nullptr);
    ~StoreRunHistory() override;

    // Opens the workspace `path` (created when missing) on the store thread and reads its runs; empty:
    // only this session's runs.
    void setWorkspace(const QString& path);
    QString workspacePath() const { return m_workspace; }
    QString databasePath() const;
    bool isLoaded() const { return m_loaded; } // the current workspace has been read at least once
    RunQueue* queue() const { return m_queue; }
    StoreThread* storeThread() const { return m_store.get(); }

    // Reads the history again (coalesced with a read already under way).
    void refresh();
    void setRefreshInterval(int milliseconds); // default 2000; 0: only on demand and on run events

    int runCount() const override { return static_cast<int>(m_rows.size()); }
    RunSummary runAt(int index) const override;
    int indexOfKey(const QString& key) const;
    int indexOfRun(qint64 runId) const;
    const RecordedRun* recorded(qint64 runId) const; // the last read of that row, or nullptr
    int jobOfRun(qint64 runId) const;                // this session's latest job for it, 0 when none
    QStringList baseModels() const;                  // of the recorded runs, most recent first

    using Done = std::function<void(const QString& error)>;
    // Edits, written on the store thread; `done` gets the error message, empty when it worked.
    void rename(qint64 runId, const QString& name, Done done = {});
    void setNotes(qint64 runId, const QString& notes, Done done = {});
    void setTags(qint64 runId, const QStringList& tags, Done done = {});
    // Deletes the run's rows and, with `withFolder`, its folder when that lies inside the workspace's
    // runs/ (Workspace::removeRunFolder; a folder elsewhere is kept and the error says so). An active
    // run of this session cannot be deleted.
    void remove(qint64 runId, bool withFolder, Done done = {});

    // Resumes a stopped or interrupted recorded run from its last checkpoint (a new job).
    int resume(qint64 runId);
    // A recorded run training in a worker this session did not start (it outlived an earlier studio, or came
    // from the command line), alive on this machine as of the last read.
    bool isDetachedRunning(qint64 runId) const;
    // Asks such a run's worker to stop (SIGTERM: it checkpoints first); empty, or why it could not.
    QString stopDetached(qint64 runId);
    // "pause", "resume" or "checkpoint" for such a worker (through its run folder); empty, or why not.
    QString controlDetached(qint64 runId, const QString& command);

signals:
    void refreshed();                        // after a read of the database was applied
    void storeError(const QString& message); // a read or write failed (the message names it)

private:
    struct Row {
        RunSummary summary;
    };
    void scheduleRefresh(int delayMs);
    void applyRead(int generation, std::vector<RecordedRun> runs, const QString& error);
    void rebuild();
    RunSummary summaryOf(const RecordedRun& run) const;
    RunSummary summaryOfJob(const RunJob& job) const;
    void onJobChanged(int queueIndex);
    void recordJobEnd(int jobId, const QString& status, const QString& message);
    void write(qint64 runId, std::function<void(RunStore&)> work, Done done);
    qint64 runIdOfJob(const RunJob& job) const; // its recorded row: by run id, else by folder; 0 when none
    QString keyOfJob(const RunJob& job) const;

    RunQueue* m_queue;
    std::unique_ptr<StoreThread> m_store;
    QString m_workspace;
    int m_generation = 0;
    bool m_loaded = false;
    bool m_reading = false;
    bool m_readAgain = false;
    QTimer m_pollTimer;
    QTimer m_soonTimer;
    std::shared_ptr<RunMetricCache> m_cache; // the store thread's, for the current workspace
    std::vector<RecordedRun> m_recorded;
    QHash<qint64, int> m_recordedIndex; // run id -> index in m_recorded
    QHash<qint64, int> m_jobOfRun;      // run id -> latest job of this session
    QHash<QString, int> m_jobOfDir;     // run folder (clean absolute path) -> latest job of this session
    QHash<QString, qint64> m_runOfDir;  // run folder -> recorded run id
    QHash<int, QString> m_endRecorded;  // job id -> status its row was given by the studio
    QVector<RunSummary> m_rows;
};

} // namespace ft
