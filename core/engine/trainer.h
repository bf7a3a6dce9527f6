#pragma once
// One training run, start to end: setup (data, model, trainable parameters, optimizer, resume),
// the loop (forward, backward, clip, update; evaluate, checkpoint, stop early), and the export.
// Modes differ only in setup; there is one loop.

#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include "contract/train_config.h"
#include "data/prompt_template.h"
#include "engine/batching.h"
#include "engine/checkpoint_store.h"
#include "engine/distributed.h"
#include "engine/divergence_monitor.h"
#include "engine/model_loader.h"
#include "engine/preference_loss.h"
#include "engine/training_observer.h"

namespace ft {

class Trainer {
public:
    Trainer(const QString& runDir, TrainingObserver& observer, TrainerControl& control);
    ~Trainer();

    // Data-parallel training: every rank runs a Trainer with the same configuration; call before
    // setup. Only rank 0 writes to the run folder.
    void setDistributed(DistributedGroup* group) { m_group = group; }

    // A new run: validates `config`, freezes its data into the run folder and writes config.json.
    // Bad configuration or data throws ft::Error before anything trains.
    void setupNew(TrainConfig config);
    // Continues the run folder from its latest checkpoint (its config.json and frozen data), or from
    // step 0 when it was stopped or killed before its first checkpoint.
    void setupResume();

    RunEndInfo run();

    LlamaForCausalLMImpl& model() { return *m_loaded.model; }
    const TrainConfig& config() const { return m_config; }
    int64_t totalSteps() const { return m_totalSteps; }

private:
    void loadEverything(const TrainingRecords& records);
    const EpochPlan& epochPlan(int64_t epoch);
    int64_t stepsInEpoch(int64_t epoch);
    // One optimizer step: forward and backward over the step's rows, the gradients summed across
    // ranks, clipped, and the update. A loss or gradient norm that is not finite leaves the weights
    // as they were.
    struct StepResult {
        double loss = 0.0;
        double gradNorm = 0.0;
        int64_t tokens = 0;
        double tokensPerSecond = 0.0;             // this step's tokens over its own wall time
        std::optional<PreferenceSums> preference; // DPO runs: the step's pairs
        bool finite() const { return std::isfinite(loss) && std::isfinite(gradNorm); }
    };
    StepResult trainOneStep();
    std::vector<MicroBatchPlan> takeStepRows(int64_t* targets, int64_t* tokens);
    double accumulateGradients(const std::vector<MicroBatchPlan>& rows, int64_t targets); // the loss sum
    // DPO: each micro-batch's pairs scored against the reference; the loss is averaged over `pairs`.
    PreferenceSums accumulatePreferenceGradients(const std::vector<MicroBatchPlan>& rows, int64_t pairs);
    double sumAcrossRanks(double lossSum);
    PreferenceSums sumPreferencesAcrossRanks(const PreferenceSums& sums); // every rank's pairs together
    void clipAndUpdate(double gradNorm);
    // Where this session of the run (a start or a resumption) began, for the elapsed time and the ETA.
    struct SessionClock {
        std::chrono::steady_clock::time_point start;
        double elapsedBefore = 0.0;
        int64_t stepsBefore = 0;
    };
    RunStartInfo startInfo() const;
    // A log line found while setting up, told right after the "started" event.
    void noteForStart(const QString& level, const QString& message);
    void startEveryRankAlike();
    StepPoint stepPoint(const StepResult& result, const SessionClock& session);
    // The end message of a diverged run: the reason, and truthfully which checkpoint (if any) predates it.
    QString divergedMessage(const DivergenceVerdict& verdict, int64_t step) const;
    void finishRun(RunOutcome outcome, RunEndInfo& end);
    // The requests of every rank's control, combined so that all ranks act at the same step.
    struct AgreedControl {
        bool stop = false;
        bool pause = false;
        bool checkpoint = false;
    };
    AgreedControl agreeOnControl();
    void waitWhilePaused();
    bool isMain() const { return !m_group || m_group->isMain(); }
    struct Evaluation {
        double loss = 0.0;                        // token cross-entropy, or DPO's loss for DPO runs
        std::optional<PreferenceSums> preference; // DPO runs: the validation pairs
    };
    Evaluation evaluate();
    void evaluateAndMaybeStop(bool* stopEarly);
    void generateSamples();
    SavedCheckpoint saveCheckpoint(bool best);
    QString exportModel();

    QString m_runDir;
    TrainingObserver& m_observer;
    TrainerControl& m_control;
    TrainConfig m_config;
    LoadedModel m_loaded;
    PromptTemplate m_template;
    std::vector<ExampleRecord> m_valRecords;
    TokenizedSet m_train;
    TokenizedSet m_val;
    EpochPlan m_valPlan;
    std::map<int64_t, EpochPlan> m_epochPlans;
    // DPO runs: the reference model's log-probability of every answer of m_train and m_val.
    std::vector<double> m_trainReference;
    std::vector<double> m_valReference;
    std::vector<NamedParameter> m_trainable;
    std::unique_ptr<FusedAdamW> m_optimizer;
    std::unique_ptr<CheckpointStore> m_checkpoints;
    TrainingState m_state;
    std::vector<std::pair<QString, QString>> m_notesForStart; // (level, message)
    DivergenceMonitor m_divergence;                           // this session's history (a resumed run starts it afresh)
    int64_t m_totalSteps = 0;
    int64_t m_resumedFrom = -1;
    int64_t m_lastCheckpointStep = -1;
    int64_t m_lastEvalStep = -1;
    DistributedGroup* m_group = nullptr;
};

} // namespace ft
