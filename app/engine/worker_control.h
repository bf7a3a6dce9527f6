#pragma once
// Steering a running worker: the lines "stop", "pause", "resume" and "checkpoint" on stdin, and
// SIGINT/SIGTERM (which stop after the current step, with a checkpoint).

#include "engine/training_observer.h"

namespace ft::cli {

// Starts the stdin reader and installs the signal handlers; both forward to `control`. The threads
// are detached (a blocked read of stdin cannot be interrupted) and end with the process.
void startWorkerControl(TrainerControl& control);

} // namespace ft::cli
