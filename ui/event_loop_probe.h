#pragma once
// EventLoopProbe: measures how responsive the GUI thread is. A timer asks to fire every `interval`
// ms; how much later than asked it actually fires is the time the event loop was busy. Used by the
// tests (the goal: no block over 100 ms during a run) and, with FT_LATENCY_PROBE=1, by the studio,
// which then prints the figures when it quits.
//
// A late tick can also mean the machine did not run the GUI thread (other processes, a busy virtual
// machine's host). So the probe also reads the GUI thread's own CPU time at every tick: the most CPU
// time the thread spent between two ticks is work the GUI thread itself did while the loop waited,
// which no load elsewhere adds to. Tests assert on that and print both.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVector>

namespace ft::ui {

class EventLoopProbe : public QObject {
    Q_OBJECT
public:
    explicit EventLoopProbe(int intervalMs = 10, QObject* parent = nullptr);
    void start();
    void stop();
    void reset();
    double maxDelayMs() const { return m_maxDelay; } // the longest the loop was late
    double maxBusyMs() const { return m_maxBusy; }   // the most GUI-thread CPU time between two ticks
    double meanDelayMs() const { return m_samples ? m_sumDelay / m_samples : 0.0; }
    int samples() const { return m_samples; }
    int lateOver(double ms) const;                   // ticks later than `ms`
    QString summary() const;

private:
    void tick();
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    int m_intervalMs;
    double m_maxDelay = 0;
    double m_maxBusy = 0;
    double m_sumDelay = 0;
    int m_samples = 0;
    QVector<double> m_delays;
};

} // namespace ft::ui
