#pragma once
// RunQueue: the runs the studio launches, started one after another (or N at a time). Each job owns
// its WorkerProcess and a RunTrace of everything it reported, so any view can show any job, running
// or ended, and attach to its worker's live signals. The queue is also the session's RunHistory.

#include <memory>
#include <vector>

#include <QDateTime>

#include "contract/run_folder.h"
#include "contract/train_config.h"
#include "runs/run_data.h"
#include "runs/run_history.h"
#include "runs/run_trace.h"
#include "runs/worker_process.h"

namespace ft {

struct RunRequest {
    QString name;
    QString runDir;      // a prepared run folder (config.json), or one to resume
    bool resume = false; // train --resume instead of --run
    QString mode;
    QString baseModel;
    QString dataset; // what the run trains on, as shown in lists: a file, or a workspace dataset's name
    // A workspace dataset (needs `workspace`): the worker freezes its `trainSplit` and `valSplit`
    // ("train", "val", "test"; valSplit "none": a seeded share of the training split) into the run
    // folder and records the dataset and its version with the run (train --dataset-id ID).
    qint64 datasetId = 0;
    QString trainSplit = QStringLiteral("train");
    QString valSplit = QStringLiteral("val");
    // Recorded runs: the worker gets --workspace and --run-id and records itself into that row.
    QString workspace;
    qint64 runId = 0;

    // The `train` arguments (before --events) this request starts the worker with.
    QStringList trainArguments() const;
};

// Writes `folder`'s config.json for `config`, pointing its data files into the folder when it trains on
// a workspace dataset (the worker writes them there when it starts), and returns the request that
// trains it under `name`.
RunRequest prepareRunRequest(const RunFolder& folder, TrainConfig config, const QString& name, const RunData& data);

struct RunJob {
    int id = 0;
    RunRequest request;
    QString status = QStringLiteral("queued");
    QDateTime created;
    QDateTime startedAt;
    QDateTime endedAt;
    WorkerProcess* worker = nullptr; // owned by the queue; exists from enqueue on
    RunTrace trace;
};

class RunQueue : public RunHistory {
    Q_OBJECT
public:
    explicit RunQueue(QObject* parent = nullptr);
    ~RunQueue() override;

    // How many workers run at once (default 1). Raising it starts waiting jobs at once.
    void setMaxConcurrent(int count);
    int maxConcurrent() const { return m_maxConcurrent; }
    // For tests and unusual installs: the worker program and the step batching of new jobs.
    void setCliPath(const QString& path) { m_cliPath = path; }
    QString cliPath() const { return m_cliPath; } // empty: each worker finds the CLI itself
    void setStepBatchInterval(int milliseconds) { m_batchInterval = milliseconds; }

    // Adds a job; it starts as soon as a slot is free (possibly before this returns to the event loop).
    int enqueue(const RunRequest& request);
    // A queued job is dropped (status `cancelled`); a running one is asked to stop.
    void cancel(int id);

    const RunJob* job(int id) const;
    QList<int> jobIds() const;
    int activeCount() const;
    int queuedCount() const;
    // The most recently started job that is still active, else 0.
    int currentJobId() const;

    // RunHistory: the jobs in the order they were queued.
    int runCount() const override { return static_cast<int>(m_jobs.size()); }
    RunSummary runAt(int index) const override;

signals:
    void jobAdded(int id);
    void jobStarted(int id);
    void jobProgress(int id); // new step points arrived
    void jobEnded(int id, const ft::RunEndInfo& end);
    void activityChanged(int active, int queued);

private:
    RunJob* find(int id);
    int indexOf(int id) const;
    void startWaiting();
    void changed(int id);

    std::vector<std::unique_ptr<RunJob>> m_jobs;
    int m_nextId = 1;
    int m_maxConcurrent = 1;
    int m_batchInterval = 100;
    QString m_cliPath;
};

} // namespace ft
