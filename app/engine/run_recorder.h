#pragma once
// The training worker's record in the workspace: the run's row (status, pid and host, configuration,
// snapshot hashes, progress), its metrics in batches, its checkpoints and its final evaluation. The
// database is the record; the event stream is only the live channel. A database that is busy or
// failing never stops training: the recorder keeps what it could not write and says so once.

#include <vector>

#include <QElapsedTimer>
#include <QString>

#include "engine/training_observer.h"
#include "store/dataset_export.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft::cli {

class RunRecorder : public TrainingObserver {
public:
    // `runId` > 0: the row the studio created for this run; else one is created when training starts.
    RunRecorder(const Workspace& workspace, qint64 runId, const QString& runName, qint64 datasetId,
                TrainingObserver& log);

    void started(const RunStartInfo& start) override;
    void stepDone(const StepPoint& step) override;
    void evaluated(const EvalPoint& eval) override;
    void checkpointed(const CheckpointPoint& checkpoint) override;
    void ended(const RunEndInfo& end) override;
    // The workspace dataset's snapshot this run trains on (from exportTrainingSnapshot).
    void setSnapshot(const TrainingSnapshot& snapshot) { m_snapshot = snapshot; }
    // Setup failed: the row (if the studio created one) says why.
    void failed(const QString& message);

    qint64 runId() const { return m_runId; }

private:
    void flush(bool force);
    template <typename F> void guarded(const char* what, F&& write);

    Workspace m_workspace;
    qint64 m_runId;
    QString m_name;
    qint64 m_datasetId;
    TrainingObserver& m_log;
    std::vector<MetricPoint> m_pending;
    QElapsedTimer m_sinceFlush;
    int64_t m_tokens = 0;
    std::optional<double> m_best;
    bool m_warned = false;
    bool m_preferenceRun = false; // objective "dpo": its validation loss is DPO's
    QString m_runDir;
    std::optional<TrainingSnapshot> m_snapshot;
};

} // namespace ft::cli
