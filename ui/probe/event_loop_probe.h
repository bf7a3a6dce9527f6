#pragma once
// EventLoopProbe: measures how responsive the GUI thread is. A timer asks to fire every `interval`
// ms; how much later than asked it actually fires is the time the event loop was busy. Used by the
// tests (the goal: no block over 100 ms during a run) and, with FT_LATENCY_PROBE=1, by the studio,
// which then prints the figures when it quits.
//
// A late tick can also mean the machine did not run the GUI thread (other processes, a busy virtual
// machine's host, a stalled disk). Two readings separate that from a freeze of the studio's own:
// - the GUI thread's own CPU time at every tick: the most CPU time it spent between two ticks is
//   work the GUI thread itself did while the loop waited, which no load elsewhere adds to;
// - a reference thread beside it, which only sleeps `interval` ms and wakes, over and over. A pause
//   of the whole process or machine silences it too; a GUI thread waiting on a worker (no CPU used)
//   does not. The GUI's "own" lateness is its lateness less the reference's over the same span.
// Tests assert on those two and print all the figures.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVector>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace ft::ui {

class EventLoopProbe : public QObject {
    Q_OBJECT
public:
    explicit EventLoopProbe(int intervalMs = 10, QObject* parent = nullptr);
    ~EventLoopProbe() override;
    void start();
    void stop();
    void reset();
    double maxDelayMs() const { return m_maxDelay; }       // the longest the loop was late
    double maxOwnDelayMs() const { return m_maxOwnDelay; } // ... less the reference thread's lateness then
    double maxBusyMs() const { return m_maxBusy; }         // the most GUI-thread CPU time between two ticks
    double meanDelayMs() const { return m_samples ? m_sumDelay / m_samples : 0.0; }
    int samples() const { return m_samples; }
    int lateOver(double ms) const; // ticks later than `ms`
    QString summary() const;

private:
    void tick();
    void startReference();
    void stopReference();
    // The reference thread's longest silence (ns between two of its wake-ups, or since its last one)
    // within [fromNs, toNs] of m_clock; forgets wake-ups before fromNs.
    qint64 referenceSilenceNs(qint64 fromNs, qint64 toNs);

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    int m_intervalMs;
    double m_maxDelay = 0;
    double m_maxOwnDelay = 0;
    double m_maxBusy = 0;
    double m_sumDelay = 0;
    int m_samples = 0;
    QVector<double> m_delays;

    std::thread m_reference;
    std::atomic<bool> m_referenceRunning{false};
    std::mutex m_wakesMutex;
    std::vector<qint64> m_referenceWakes; // ns of m_clock, ascending
};

} // namespace ft::ui
