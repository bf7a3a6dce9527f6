#include "engine/training_observer.h"

namespace ft {

void TrainerControl::requestStop()
{
    {
        // Under the lock, so that a waiter between checking and sleeping cannot miss the wake-up.
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

void TrainerControl::requestPause() { m_pause = true; }

void TrainerControl::requestResume()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pause = false;
    }
    m_wake.notify_all();
}

void TrainerControl::waitWhilePaused()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait(lock, [this] { return !m_pause || m_stop; });
}

} // namespace ft
