#pragma once
// A recorded run whose worker outlived the studio that started it ("Keep running and quit", or a run started
// from the command line): the studio tells it is alive from the pid and host it recorded, follows it in the
// workspace's database, and stops it with SIGTERM, which the worker answers as Stop (it finishes its step and
// writes a checkpoint; docs/events.md). Pause, resume and checkpoint go through the run folder's control/
// (RunFolder::sendCommand), which the worker reads every quarter second.

#include <QString>

#include "store/run_store.h"

namespace ft {

// Whether `run` is `running` with a live worker process on this machine.
bool isLiveDetachedRun(const RunInfo& run);

// Asks the run's worker to stop; empty on success, else why not (not running, another machine, gone).
QString stopDetachedRun(const RunInfo& run);

// Leaves "pause", "resume" or "checkpoint" for the run's worker; empty on success, else why not.
QString sendToDetachedRun(const RunInfo& run, const QString& command);

} // namespace ft
