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
    RunStart start;
    std::vector<double> losses;
    std::vector<double> valLosses;
    std::vector<CheckpointReport> checkpoints;
    QStringList logs;
    RunEnd end;

    void started(const RunStart& s) override { start = s; }
    void stepDone(const StepReport& s) override;
    void evaluated(const EvalReport& e) override { valLosses.push_back(e.valLoss); }
    void checkpointed(const CheckpointReport& c) override { checkpoints.push_back(c); }
    void log(const QString&, const QString& message) override { logs << message; }
    void ended(const RunEnd& e) override { end = e; }
};

RunEnd trainNewRun(const QString& runDir, const TrainConfig& config, TrainingRecorder& recorder);
RunEnd resumeRun(const QString& runDir, TrainingRecorder& recorder);

// The first `count` examples of the project's sample dataset as a JSONL file in `dir`.
QString writeSampleTrainingFile(const QString& dir, int count);

} // namespace ft::test
