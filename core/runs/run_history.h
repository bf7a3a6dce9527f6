#pragma once
// RunHistory: the seam between the studio's run tables and whatever knows the runs. Two
// implementations: the RunQueue (the runs launched in this session) and StoreRunHistory (every run
// recorded in the workspace, also those started from the command line, merged with this session's
// live runs; store_run_history.h).
//
// Signals come after the change they describe; item models keep their own copy of the rows (see
// ui/models/run_history_model.h), so an implementation may insert anywhere.

#include <QDateTime>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include "contract/run_events.h"

namespace ft {

struct RunSummary {
    QString key; // stable identity within the history: "run:<id>" for a recorded run, a job id otherwise
    QString name;
    QString status;    // queued | running | paused | finished | stopped | diverged | failed | interrupted | cancelled
    QString mode;      // full | instruction | qlora | freeze
    QString baseModel; // path of the base model
    QString dataset;   // training data: a file, or a workspace dataset's name and version ("alpaca v3")
    QString runDir;
    QString message; // why it ended, when it did
    qint64 step = 0;
    qint64 totalSteps = 0;
    qint64 tokens = 0;
    double lastLoss = kNoValue;
    double bestValLoss = kNoValue;
    double elapsedSeconds = 0.0;
    QDateTime created;
    QStringList tags;
    QString notes;
    qint64 runId = 0;    // the run's row in the workspace (0: not recorded)
    int jobId = 0;       // this session's job for it (0: none)
    int checkpoints = 0; // recorded checkpoints (a stopped run without one cannot be resumed)
    // Its latest evaluation in the workspace: which ("final / val") and its numbers ("loss", "bleu", "rouge-l", ...).
    QString evaluation;
    QMap<QString, double> evalMetrics;
    bool evaluationOutputs = false; // an evaluation (ftstudio-cli eval) kept its per-example outputs
};

class RunHistory : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual int runCount() const = 0;
    virtual RunSummary runAt(int index) const = 0;

signals:
    void runInserted(int index);
    void runChanged(int index);
    void runRemoved(int index);
    void runsReset();
};

} // namespace ft
