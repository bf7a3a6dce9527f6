#include "training_test_support.h"

#include <QDir>

#include "data/jsonl_records.h"
#include "data/sample_dataset.h"

namespace ft::test {

void TrainingRecorder::stepDone(const StepPoint& s)
{
    losses.push_back(s.loss);
    steps.push_back(s);
    if (control && s.step == stopAfterStep)
        control->requestStop();
}

RunEndInfo trainNewRun(const QString& runDir, const TrainConfig& config, TrainingRecorder& recorder)
{
    TrainerControl control;
    recorder.control = &control;
    Trainer trainer(runDir, recorder, control);
    trainer.setupNew(config);
    const RunEndInfo end = trainer.run();
    recorder.control = nullptr;
    return end;
}

RunEndInfo resumeRun(const QString& runDir, TrainingRecorder& recorder)
{
    TrainerControl control;
    recorder.control = &control;
    Trainer trainer(runDir, recorder, control);
    trainer.setupResume();
    const RunEndInfo end = trainer.run();
    recorder.control = nullptr;
    return end;
}

ResumedTraining trainWholeAndResumed(const QString& dir, const TrainConfig& config, int64_t stopAfter)
{
    ResumedTraining result;
    TrainingRecorder whole;
    trainNewRun(QDir(dir).filePath(QStringLiteral("whole")), config, whole);
    result.whole = whole.losses;
    TrainingRecorder first;
    first.stopAfterStep = stopAfter;
    const QString interrupted = QDir(dir).filePath(QStringLiteral("interrupted"));
    result.stopped = trainNewRun(interrupted, config, first).status;
    TrainingRecorder second;
    result.resumed = resumeRun(interrupted, second).status;
    result.joined = first.losses;
    result.joined.insert(result.joined.end(), second.losses.begin(), second.losses.end());
    return result;
}

QString writeSampleTrainingFile(const QString& dir, int count)
{
    std::vector<ExampleRecord> records;
    for (auto& numbered : readJsonlRecords(sampleDatasetPath()))
        if (static_cast<int>(records.size()) < count)
            records.push_back(numbered.record);
    const QString path = QDir(dir).filePath(QStringLiteral("train.jsonl"));
    writeJsonlRecords(path, records);
    return path;
}

QString writeSamplePreferenceFile(const QString& dir, int count)
{
    std::vector<ExampleRecord> records;
    for (auto& numbered : readJsonlRecords(sampleDatasetPath()))
        if (static_cast<int>(records.size()) < count && !numbered.record.isMultiTurn())
            records.push_back(numbered.record);
    for (size_t i = 0; i < records.size(); ++i)
        records[i].rejected = records[(i + 1) % records.size()].response;
    const QString path = QDir(dir).filePath(QStringLiteral("train-pairs.jsonl"));
    writeJsonlRecords(path, records);
    return path;
}

} // namespace ft::test
