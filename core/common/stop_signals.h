#pragma once
// Starting a worker so that a stop signal can never catch it half-born: while an object of this
// class lives, SIGINT and SIGTERM are blocked in the calling thread, so a process forked from it
// starts with them blocked (held, not lost) until the worker's own handler is in place and it
// unblocks them (app/engine/worker_control.h). The thread's previous mask comes back afterwards,
// and a signal that came meanwhile is then delivered to this process as usual.

#include <csignal>

namespace ft {

// The set of SIGINT and SIGTERM: the signals that stop a worker.
sigset_t stopSignalSet();

class StopSignalsBlocked {
public:
    StopSignalsBlocked();
    ~StopSignalsBlocked();
    StopSignalsBlocked(const StopSignalsBlocked&) = delete;
    StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;

private:
    sigset_t m_previous;
};

} // namespace ft
