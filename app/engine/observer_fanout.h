#pragma once
// One training observer that passes every report to several (the event stream and the workspace record).

#include <vector>

#include "engine/training_observer.h"

namespace ft::cli {

class ObserverFanout : public TrainingObserver {
public:
    void add(TrainingObserver* observer) { m_observers.push_back(observer); }
    void started(const RunStartInfo& s) override
    {
        each([&](TrainingObserver* o) { o->started(s); });
    }
    void stepDone(const StepPoint& s) override
    {
        each([&](TrainingObserver* o) { o->stepDone(s); });
    }
    void evaluated(const EvalPoint& e) override
    {
        each([&](TrainingObserver* o) { o->evaluated(e); });
    }
    void sampled(const SamplePoint& s) override
    {
        each([&](TrainingObserver* o) { o->sampled(s); });
    }
    void checkpointed(const CheckpointPoint& c) override
    {
        each([&](TrainingObserver* o) { o->checkpointed(c); });
    }
    void log(const QString& level, const QString& message) override
    {
        each([&](TrainingObserver* o) { o->log(level, message); });
    }
    void pausedChanged(bool paused) override
    {
        each([&](TrainingObserver* o) { o->pausedChanged(paused); });
    }
    void ended(const RunEndInfo& e) override
    {
        each([&](TrainingObserver* o) { o->ended(e); });
    }

private:
    template <typename F> void each(F&& f)
    {
        for (TrainingObserver* observer : m_observers)
            f(observer);
    }
    std::vector<TrainingObserver*> m_observers;
};

} // namespace ft::cli
