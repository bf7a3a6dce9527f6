#pragma once
// Running the trainer in tests: an observer that records what it reports (and can stop the run after a
// given step), one call for a new run and one for a resumed run, and a small instruction file.

#include <vector>

#include <QString>
#include <QStringList>

#include "engine/trainer.h"

namespace ft::test {

struct TrainingRecorder : TrainingObserver {
    TrainerControl* control = nullptr; // set by trainNewRun / resumeRun
    int64_t stopAfterStep = -1;
    RunStartInfo start;
    std::vector<double> losses;
    std::vector<StepPoint> steps;
    std::vector<double> valLosses;
    std::vector<EvalPoint> evals;
    std::vector<CheckpointPoint> checkpoints;
    QStringList logs;
    RunEndInfo end;

    void started(const RunStartInfo& s) override { start = s; }
    void stepDone(const StepPoint& s) override;
    void evaluated(const EvalPoint& e) override
    {
        valLosses.push_back(e.valLoss);
        evals.push_back(e);
    }
    void checkpointed(const CheckpointPoint& c) override { checkpoints.push_back(c); }
    void log(const QString&, const QString& message) override { logs << message; }
    void ended(const RunEndInfo& e) override { end = e; }
};

RunEndInfo trainNewRun(const QString& runDir, const TrainConfig& config, TrainingRecorder& recorder);
RunEndInfo resumeRun(const QString& runDir, TrainingRecorder& recorder);

// `config` trained whole in dir/whole, and in dir/interrupted stopped after `stopAfter` steps and
// resumed: the step losses of each, the interrupted run's two sessions joined, and how each ended.
struct ResumedTraining {
    std::vector<double> whole;
    std::vector<double> joined;
    QString stopped; // the first session's outcome ("stopped")
    QString resumed; // the second's ("finished")
};
ResumedTraining trainWholeAndResumed(const QString& dir, const TrainConfig& config, int64_t stopAfter);

// The first `count` examples of the project's sample dataset as a JSONL file in `dir`.
QString writeSampleTrainingFile(const QString& dir, int count);
// The same examples as preference pairs (train-pairs.jsonl): each response chosen over the next
// example's response, an answer to another question.
QString writeSamplePreferenceFile(const QString& dir, int count);

} // namespace ft::test
