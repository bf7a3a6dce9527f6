#pragma once
// What a training run reports as it goes (the worker turns these into its JSONL event stream), and
// how it is steered (stop, pause, resume, checkpoint now) from another thread.

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <QJsonObject>
#include <QString>

namespace ft {

enum class RunOutcome { Finished, Stopped, Diverged, Failed };
QString runOutcomeName(RunOutcome status); // "finished", "stopped", "diverged", "failed"

struct RunStart {
    QString runDir;
    QJsonObject config; // fully resolved
    int64_t totalParameters = 0;
    int64_t trainableParameters = 0;
    int64_t trainExamples = 0;
    int64_t valExamples = 0;
    int64_t truncatedExamples = 0;
    int64_t tokensPerEpoch = 0;
    int64_t totalSteps = 0;
    int64_t resumedFromStep = -1; // -1: a fresh run
    int worldSize = 1;            // data-parallel processes training together
};

struct StepReport {
    int64_t step = 0; // optimizer steps completed
    int64_t totalSteps = 0;
    double epoch = 0.0; // fractional
    double loss = 0.0;  // mean over the step's target tokens
    double learningRate = 0.0;
    double gradNorm = 0.0; // before clipping
    int64_t tokensSeen = 0;
    double tokensPerSecond = 0.0;
    double elapsedSeconds = 0.0;
    double etaSeconds = 0.0;
};

struct EvalReport {
    int64_t step = 0;
    double valLoss = 0.0;
    double perplexity = 0.0;
    double bestValLoss = 0.0;
    bool isBest = false;
};

struct SampleReport {
    int64_t step = 0;
    QString prompt;
    QString reference;
    QString text;
};

struct CheckpointReport {
    int64_t step = 0;
    QString path;
    bool best = false;
    bool hasValLoss = false;
    double valLoss = 0.0;
};

struct RunEnd {
    RunOutcome status = RunOutcome::Finished;
    int64_t step = 0;
    QString message;
    QString exportPath;
    int64_t tokensSeen = 0;
    bool hasBestValLoss = false;
    double bestValLoss = 0.0;
};

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void started(const RunStart&) {}
    virtual void stepDone(const StepReport&) {}
    virtual void evaluated(const EvalReport&) {}
    virtual void sampled(const SampleReport&) {}
    virtual void checkpointed(const CheckpointReport&) {}
    virtual void log(const QString& level, const QString& message) {}
    virtual void pausedChanged(bool paused) {}
    virtual void ended(const RunEnd&) {}
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
