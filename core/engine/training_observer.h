#pragma once
// What a training run reports as it goes, in the contract's event types (the worker writes them as
// its JSONL event stream), and how it is steered (stop, pause, resume, checkpoint now) from another
// thread.

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <QString>

#include "contract/run_events.h"

namespace ft {

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void started(const RunStartInfo&) {}
    virtual void stepDone(const StepPoint&) {}
    virtual void evaluated(const EvalPoint&) {}
    virtual void sampled(const SamplePoint&) {}
    virtual void checkpointed(const CheckpointPoint&) {}
    virtual void log(const QString& level, const QString& message) {}
    virtual void pausedChanged(bool paused) {}
    virtual void ended(const RunEndInfo&) {}
};

// Thread-safe requests, honoured at the next step boundary.
class TrainerControl {
public:
    void requestStop();
    void requestPause();
    void requestResume();
    void requestCheckpoint() { m_checkpoint = true; }
    bool stopRequested() const { return m_stop; }
    bool takeCheckpointRequest() { return m_checkpoint.exchange(false); }
    bool pauseRequested() const { return m_pause; }
    // Blocks while paused; returns early when a stop is requested.
    void waitWhilePaused();

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_pause{false};
    std::atomic<bool> m_checkpoint{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

} // namespace ft
