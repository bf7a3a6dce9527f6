#include "event_loop_probe.h"

#include <algorithm>
#include <chrono>

#include "thread_cpu_time.h"

namespace ft::ui {

EventLoopProbe::EventLoopProbe(int intervalMs, QObject* parent)
    : QObject(parent)
    , m_intervalMs(intervalMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::tick);
}

EventLoopProbe::~EventLoopProbe() { stopReference(); }

void EventLoopProbe::start()
{
    stopReference(); // before the clock it reads restarts
    m_clock.start();
    m_lastNs = 0;
    m_lastCpuNs = threadCpuNs();
    startReference();
    m_timer.start();
}

void EventLoopProbe::stop()
{
    m_timer.stop();
    stopReference();
}

void EventLoopProbe::reset()
{
    m_maxDelay = m_maxOwnDelay = m_sumDelay = m_maxBusy = 0;
    m_lastCpuNs = threadCpuNs();
    m_samples = 0;
    m_delays.clear();
    if (m_clock.isValid())
        m_lastNs = m_clock.nsecsElapsed();
}

void EventLoopProbe::startReference()
{
    {
        std::lock_guard<std::mutex> lock(m_wakesMutex);
        m_referenceWakes.assign(1, m_clock.nsecsElapsed());
    }
    m_referenceRunning = true;
    m_reference = std::thread([this] {
        while (m_referenceRunning) {
            std::this_thread::sleep_for(std::chrono::milliseconds(m_intervalMs));
            const qint64 now = m_clock.nsecsElapsed(); // QElapsedTimer reads a monotonic clock; safe from any thread
            std::lock_guard<std::mutex> lock(m_wakesMutex);
            m_referenceWakes.push_back(now);
        }
    });
}

void EventLoopProbe::stopReference()
{
    m_referenceRunning = false;
    if (m_reference.joinable())
        m_reference.join();
}

qint64 EventLoopProbe::referenceSilenceNs(qint64 fromNs, qint64 toNs)
{
    std::lock_guard<std::mutex> lock(m_wakesMutex);
    auto first = std::lower_bound(m_referenceWakes.begin(), m_referenceWakes.end(), fromNs);
    // The silence running into the span began at the last wake-up before it.
    qint64 previous = first == m_referenceWakes.begin() ? fromNs : *(first - 1);
    qint64 longest = 0;
    for (auto it = first; it != m_referenceWakes.end() && *it <= toNs; ++it) {
        longest = std::max(longest, *it - std::max(previous, fromNs));
        previous = *it;
    }
    longest = std::max(longest, toNs - std::max(previous, fromNs));
    if (first != m_referenceWakes.begin())
        m_referenceWakes.erase(m_referenceWakes.begin(), first - 1); // keep the one the next span starts after
    return longest;
}

void EventLoopProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double delay = std::max(0.0, static_cast<double>(now - m_lastNs) / 1e6 - m_intervalMs);
    const double referenceLate =
        std::max(0.0, static_cast<double>(referenceSilenceNs(m_lastNs, now)) / 1e6 - m_intervalMs);
    m_lastNs = now;
    const qint64 cpu = threadCpuNs();
    m_maxBusy = std::max(m_maxBusy, static_cast<double>(cpu - m_lastCpuNs) / 1e6);
    m_lastCpuNs = cpu;
    m_maxDelay = std::max(m_maxDelay, delay);
    m_maxOwnDelay = std::max(m_maxOwnDelay, delay - referenceLate);
    m_sumDelay += delay;
    ++m_samples;
    if (m_delays.size() < 1'000'000)
        m_delays.append(delay);
}

int EventLoopProbe::lateOver(double ms) const
{
    return static_cast<int>(std::count_if(m_delays.begin(), m_delays.end(), [ms](double d) { return d > ms; }));
}

QString EventLoopProbe::summary() const
{
    QVector<double> sorted = m_delays;
    std::sort(sorted.begin(), sorted.end());
    const double p99 =
        sorted.isEmpty() ? 0.0 : sorted[std::min<qsizetype>(sorted.size() - 1, sorted.size() * 99 / 100)];
    return QStringLiteral(
               "event loop: %1 ticks of %2 ms, late by mean %3 ms, p99 %4 ms, max %5 ms (%6 ms beyond a sleeping "
               "thread's lateness), %7 over 100 ms; GUI thread busy at most %8 ms of CPU between ticks")
        .arg(m_samples)
        .arg(m_intervalMs)
        .arg(meanDelayMs(), 0, 'f', 2)
        .arg(p99, 0, 'f', 1)
        .arg(m_maxDelay, 0, 'f', 1)
        .arg(m_maxOwnDelay, 0, 'f', 1)
        .arg(lateOver(100.0))
        .arg(m_maxBusy, 0, 'f', 1);
}

} // namespace ft::ui
