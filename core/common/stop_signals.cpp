#include "common/stop_signals.h"

#include <pthread.h>

namespace ft {

sigset_t stopSignalSet()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return signals;
}

StopSignalsBlocked::StopSignalsBlocked()
{
    const sigset_t stopSignals = stopSignalSet();
    pthread_sigmask(SIG_BLOCK, &stopSignals, &m_previous);
}

StopSignalsBlocked::~StopSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }

} // namespace ft
