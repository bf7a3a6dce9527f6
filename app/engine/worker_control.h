#pragma once
// Steering a running worker: the lines "stop", "pause", "resume" and "checkpoint" on stdin, the same
// commands left in its run folder's control/ (for a studio that did not start it: its stdin went with
// the studio that did), and SIGINT/SIGTERM (which stop after the current step, with a checkpoint).
//
// A stop signal must never end a worker without its event, however early it comes: ftstudio-cli
// blocks SIGINT and SIGTERM before it hands over to the engine (execEngine; the mask survives exec), the engine
// installs a flag-only handler first thing and only then unblocks them, so a signal sent while
// LibTorch loads is held and then recorded; the trainer sees it as a stop request.

#include <QDateTime>
#include <QString>

#include "engine/training_observer.h"

namespace ft::cli {

// Whether the command in argv steers itself with startWorkerControl: train, and eval (not eval
// compare) and export with --events, stop cleanly on a signal; the others end with the default
// action.
bool commandHandlesStopSignals(int argc, char* argv[]);

// For those commands: records SIGINT/SIGTERM in a flag from now on, then unblocks them.
void catchStopSignals();

// For every other command: unblocks them (their action is the default one exec left, or an
// inherited SIG_IGN).
void restoreStopSignals();

// The signal caught so far (0: none), for a supervisor that installs its own handlers later.
int caughtStopSignal();

// Starts the stdin reader and a watcher that turns a caught signal (also one caught before this
// call) into a stop request; both forward to `control`. The threads are detached (a blocked read of
// stdin cannot be interrupted) and end with the process.
void startWorkerControl(TrainerControl& control);

// Looks for commands in `runDir`'s control/ every quarter second from now on (RunFolder::sendCommand),
// on a detached thread, and forwards them to `control`: those sent since `since` (the worker's start:
// a command sent while it set up is kept), not those left for an earlier session. Clears a pause mark
// an earlier session left (killed while paused).
void watchControlFolder(TrainerControl& control, const QString& runDir, const QDateTime& since);

// Marks the run folder while the run is paused (RunFolder::markPaused), and clears the mark at its end.
class PauseMarker : public TrainingObserver {
public:
    explicit PauseMarker(const QString& runDir)
        : m_runDir(runDir)
    {
    }
    void pausedChanged(bool paused) override;
    void ended(const RunEndInfo&) override;

private:
    QString m_runDir;
};

} // namespace ft::cli
