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

} // namespace ft::test
