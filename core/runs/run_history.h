#pragma once
// RunHistory: the seam between the studio's run tables and whatever knows the runs. Today the only
// implementation is the RunQueue (the runs launched in this session); the workspace store's run
// history (every run ever made, also those started from the command line) plugs in here next.
//
// Signals come after the change they describe; item models keep their own copy of the rows (see
// ui/models/run_history_model.h), so an implementation may insert anywhere.

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QStringList>

#include "runs/run_events.h"

namespace ft {

struct RunSummary {
    QString key;        // stable identity within the history (a job id now, the store's run id later)
    QString name;
    QString status;     // queued | running | paused | finished | stopped | diverged | failed | interrupted | cancelled
    QString mode;       // full | instruction | qlora | freeze
    QString baseModel;  // path of the base model
    QString dataset;    // training data (a file now; a dataset name and version with the store)
    QString runDir;
    QString message;    // why it ended, when it did
    qint64 step = 0;
    qint64 totalSteps = 0;
    qint64 tokens = 0;
    double lastLoss = kNoValue;
    double bestValLoss = kNoValue;
    double elapsedSeconds = 0.0;
    QDateTime created;
    QStringList tags;
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
