#pragma once
// A recorded run's curves as the monitor draws them, read from the workspace store (its metrics per
// step, validation losses, checkpoints, status and message) instead of an events.jsonl: runs started
// from the command line keep none. Call on the store thread (it opens that thread's connection).

#include <QString>

#include "runs/run_trace.h"

namespace ft {

// Throws ft::Error when the run does not exist.
RunTrace loadStoredTrace(const QString& workspacePath, qint64 runId);

} // namespace ft
