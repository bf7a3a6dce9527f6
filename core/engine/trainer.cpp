#include "engine/trainer.h"
#include "chat/model_prompt_template.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include "common/atomic_write.h"
#include "common/cpu_threads.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"
#include "engine/compute_threads.h"
#include "engine/generation.h"
#include "engine/lr_schedule.h"
#include "engine/peft_adapter.h"
#include "engine/preference_data.h"
#include "engine/prompt_tuning.h"
#include "engine/tensor_convert.h"
#include "engine/token_loss.h"
#include "engine/trainable_setup.h"
#include "engine/training_model.h"

namespace ft {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

} // namespace

Trainer::Trainer(const QString& runDir, TrainingObserver& observer, TrainerControl& control)
    : m_runDir(QFileInfo(runDir).absoluteFilePath())
    , m_observer(observer)
    , m_control(control)
{
}

Trainer::~Trainer() = default;

void Trainer::setupNew(TrainConfig config)
{
    config.validate();
    m_config = config;
    // Paths are stored absolute so that the run folder stays meaningful wherever the worker starts.
    m_config.model = QFileInfo(config.model).absoluteFilePath();
    m_config.trainFile = QFileInfo(config.trainFile).absoluteFilePath();
    if (!config.valFile.isEmpty())
        m_config.valFile = QFileInfo(config.valFile).absoluteFilePath();
    const RunFolder folder(m_runDir);
    if (isMain() && folder.hasStarted())
        throw Error(QStringLiteral("%1 already holds a run (use --resume to continue it)").arg(m_runDir));
    // Every rank reads and splits the same files the same way; only rank 0 writes the run folder.
    const TrainingRecords records = readTrainingRecords(m_config);
    if (isMain() && !QDir().mkpath(m_runDir))
        throw Error(QStringLiteral("%1: cannot create the run folder").arg(m_runDir));
    loadEverything(records); // validates max_length against the template before anything is written
    // Dropout draws from the global generator: a fresh run starts it from the seed (a resumed run
    // restores it from the checkpoint), so that the same configuration trains the same way.
    torch::manual_seed(m_config.seed);
    if (isMain()) {
        freezeTrainingRecords(records, m_runDir);
        // The resolved settings replace the prepared request, if any; the run has started.
        writeFileAtomically(folder.configPath(), QJsonDocument(m_config.toJson()).toJson());
        folder.markStarted();
    }
}

void Trainer::setupResume()
{
    const QString path = RunFolder(m_runDir).configPath();
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: no config.json; not a run folder").arg(m_runDir));
    m_config = TrainConfig::fromJson(readJsonObjectFile(path), path);
    if (!CheckpointStore(m_runDir).latest() &&
        !QFileInfo::exists(QDir(m_runDir).filePath(QStringLiteral("data/manifest.json"))))
        throw Error(QStringLiteral("%1: nothing to resume: the run stopped before it froze its data; start it "
                                   "again with train")
                        .arg(m_runDir));
    loadEverything(readFrozenRecords(m_runDir));
    const auto latest = m_checkpoints->latest();
    if (!latest) {
        // Killed before its first checkpoint: the settings are resolved and the data frozen, so the
        // run starts again from step 0 exactly as it first did (found by scripts/kill-campaign: such
        // a folder could neither be resumed nor started again).
        torch::manual_seed(m_config.seed);
        m_resumedFrom = 0;
        return;
    }
    m_state = m_checkpoints->load(*latest, checkpointTensors(m_trainable, *m_optimizer), m_optimizer.get());
    m_optimizer->copyMastersToParameters();
    m_resumedFrom = m_state.step;
    m_lastCheckpointStep = m_state.step;
    m_lastEvalStep = m_state.valLoss ? m_state.step : -1;
}

void Trainer::noteForStart(const QString& level, const QString& message)
{
    m_notesForStart.emplace_back(level, message);
}

void Trainer::loadEverything(const TrainingRecords& records)
{
    // Ranks sharing a machine share its cores.
    int threads = m_config.threads;
    if (threads == 0 && m_group) {
        const auto env = DistributedEnvironment::fromEnvironment();
        threads = std::max(1, physicalCoreCount() / std::max(1, env ? env->localWorldSize : 1));
    }
    configureComputeThreads(threads);
    m_template = resolvePromptTemplate(m_config.promptTemplate, m_config.model);
    m_loaded = loadTrainingModel(m_config);
    for (const QString& warning : m_loaded.warnings)
        noteForStart(QStringLiteral("warning"), warning);
    const Tokenizer& tokenizer = *m_loaded.tokenizer;

    const int64_t overhead = templateOverheadTokens(tokenizer, m_template);
    if (m_config.maxLength < overhead + 2)
        throw Error(
            QStringLiteral(
                "training configuration: \"max_length\" %1 is below what the template %2 itself needs (%3 tokens)")
                .arg(m_config.maxLength)
                .arg(m_template.name)
                .arg(overhead + 2));
    if (m_config.maxLength > m_loaded.config.maxPositions)
        noteForStart(QStringLiteral("warning"), QStringLiteral("max_length %1 exceeds the model's context length %2")
                                                    .arg(m_config.maxLength)
                                                    .arg(m_loaded.config.maxPositions));
    else if (const int64_t virtualTokens = m_loaded.model->virtualTokenCount();
             m_config.maxLength + virtualTokens > m_loaded.config.maxPositions)
        noteForStart(QStringLiteral("warning"),
                     QStringLiteral("max_length %1 and the soft prompt's %2 virtual tokens exceed the model's context "
                                    "length %3: lower max_length to %4")
                         .arg(m_config.maxLength)
                         .arg(virtualTokens)
                         .arg(m_loaded.config.maxPositions)
                         .arg(m_loaded.config.maxPositions - virtualTokens));

    m_valRecords = records.val;
    if (m_config.isPreferenceTraining()) {
        m_train = tokenizePreferencePairs(records.train, tokenizer, m_template, m_config.maxLength,
                                          QStringLiteral("the training set"));
        m_val = tokenizePreferencePairs(records.val, tokenizer, m_template, m_config.maxLength,
                                        QStringLiteral("the validation set"));
        std::vector<int64_t> valPairs(m_val.examples.size() / 2);
        std::iota(valPairs.begin(), valPairs.end(), 0);
        m_valPlan = planPreferenceEpoch(m_val, valPairs, m_config.batchSize);
    } else {
        const LossOn lossOn = lossOnFromName(m_config.lossOn);
        m_train = tokenizeRecords(records.train, tokenizer, m_template, lossOn, m_config.maxLength);
        m_val = tokenizeRecords(records.val, tokenizer, m_template, lossOn, m_config.maxLength);
        std::vector<int64_t> valOrder(m_val.examples.size());
        std::iota(valOrder.begin(), valOrder.end(), 0);
        m_valPlan = planEpoch(m_val, valOrder, m_config.maxLength, m_config.batchSize, m_config.packing);
    }
    if (m_train.targets == 0)
        throw Error(QStringLiteral("%1: no training example has a token to learn").arg(m_config.trainFile));
    if (m_config.isPreferenceTraining()) {
        // The reference is the model as it starts (the base: adapters begin at zero), scored once.
        // A resumed run scores it again before its checkpoint is loaded, so it is the same.
        const auto started = Clock::now();
        const TokenId pad = tokenizer.padId() >= 0 ? tokenizer.padId() : 0;
        m_trainReference = answerLogProbs(*m_loaded.model, m_train, pad, m_config.batchSize);
        m_valReference = answerLogProbs(*m_loaded.model, m_val, pad, m_config.batchSize);
        noteForStart(QStringLiteral("info"),
                     QStringLiteral("DPO: the reference model scored %1 answers of %2 preference pairs in %3 s")
                         .arg(m_train.examples.size() + m_val.examples.size())
                         .arg((m_train.examples.size() + m_val.examples.size()) / 2)
                         .arg(secondsSince(started), 0, 'f', 1));
    }

    m_loaded.model->train();
    const int64_t checkpointed = checkpointedLayerCount(m_config, m_loaded.config.numLayers);
    m_loaded.model->setGradientCheckpointing(checkpointed > 0, checkpointed);
    if (checkpointed > 0)
        noteForStart(QStringLiteral("info"),
                     QStringLiteral("gradient checkpointing: the first %1 of %2 decoder layers are recomputed "
                                    "in the backward pass")
                         .arg(checkpointed)
                         .arg(m_loaded.config.numLayers));
    m_trainable = selectTrainableParameters(*m_loaded.model, m_config);
    m_optimizer = makeOptimizer(m_trainable, m_config);
    m_checkpoints = std::make_unique<CheckpointStore>(m_runDir);

    if (m_config.maxSteps > 0) {
        m_totalSteps = m_config.maxSteps;
    } else {
        m_totalSteps = 0;
        for (int64_t epoch = 0; epoch < m_config.epochs; ++epoch)
            m_totalSteps += stepsInEpoch(epoch);
    }
}

const EpochPlan& Trainer::epochPlan(int64_t epoch)
{
    auto it = m_epochPlans.find(epoch);
    if (it == m_epochPlans.end()) {
        if (m_config.isPreferenceTraining()) {
            const auto pairs = epochOrder(static_cast<int64_t>(m_train.examples.size() / 2), m_config.seed, epoch);
            it = m_epochPlans.emplace(epoch, planPreferenceEpoch(m_train, pairs, m_config.batchSize)).first;
        } else {
            const auto order = epochOrder(static_cast<int64_t>(m_train.examples.size()), m_config.seed, epoch);
            it =
                m_epochPlans
                    .emplace(epoch, planEpoch(m_train, order, m_config.maxLength, m_config.batchSize, m_config.packing))
                    .first;
        }
        // Only the current and the next epoch are needed at any time.
        while (m_epochPlans.size() > 2 && m_epochPlans.begin()->first < epoch)
            m_epochPlans.erase(m_epochPlans.begin());
    }
    return it->second;
}

int64_t Trainer::stepsInEpoch(int64_t epoch)
{
    const auto microBatches = static_cast<int64_t>(epochPlan(epoch).microBatches.size());
    return (microBatches + m_config.gradAccumulation - 1) / m_config.gradAccumulation;
}

std::vector<MicroBatchPlan> Trainer::takeStepRows(int64_t* targets, int64_t* tokens)
{
    // The step's rows: those of the next grad_accumulation micro-batches of the current epoch (fewer
    // at its end). With several ranks each takes every world-size-th row; everyone divides by the
    // step's global target count, so the summed gradients are those of the one big batch.
    const EpochPlan& plan = epochPlan(m_state.epoch);
    const auto available = static_cast<int64_t>(plan.microBatches.size()) - m_state.microBatch;
    const int64_t count = std::min(m_config.gradAccumulation, available);
    *targets = 0;
    *tokens = 0;
    std::vector<const BatchRow*> rows;
    for (int64_t i = 0; i < count; ++i) {
        const MicroBatchPlan& micro = plan.microBatches[static_cast<size_t>(m_state.microBatch + i)];
        *targets += micro.targets;
        *tokens += micro.tokens;
        for (const BatchRow& row : micro.rows)
            rows.push_back(&row);
    }
    // A DPO pair's two rows stay together: the unit dealt out is a pair.
    const size_t unit = m_config.isPreferenceTraining() ? 2 : 1;
    const auto rowsPerBatch = static_cast<size_t>(m_config.batchSize) * unit;
    const size_t rank = m_group ? static_cast<size_t>(m_group->rank()) : 0;
    const size_t world = m_group ? static_cast<size_t>(m_group->worldSize()) : 1;
    std::vector<MicroBatchPlan> mine;
    for (size_t j = rank * unit; j < rows.size(); j += world * unit) {
        if (mine.empty() || mine.back().rows.size() == rowsPerBatch)
            mine.emplace_back();
        for (size_t k = j; k < j + unit; ++k)
            mine.back().rows.push_back(*rows[k]);
    }
    // The data position moves on by the micro-batches taken.
    m_state.microBatch += count;
    if (m_state.microBatch >= static_cast<int64_t>(plan.microBatches.size())) {
        ++m_state.epoch;
        m_state.microBatch = 0;
    }
    return mine;
}

double Trainer::accumulateGradients(const std::vector<MicroBatchPlan>& rows, int64_t targets)
{
    for (auto& p : m_trainable)
        p.tensor.mutable_grad() = torch::Tensor();
    LlamaForCausalLMImpl& model = *m_loaded.model;
    const TokenId pad = m_loaded.tokenizer->padId() >= 0 ? m_loaded.tokenizer->padId() : 0;
    const double scale = 1.0 / static_cast<double>(std::max<int64_t>(1, targets));
    double lossSum = 0.0;
    for (const MicroBatchPlan& micro : rows) {
        const Batch batch = makeBatch(micro, m_train, pad, m_config.packing);
        const torch::Tensor hidden = model.hiddenStates(batch.tokens, batch.layout); // (B, T, C)
        const torch::Tensor sum = tokenCrossEntropySum(model, hidden, batch.targets);
        (sum * scale).backward();
        lossSum += sum.item<double>();
    }
    return lossSum;
}

PreferenceSums Trainer::accumulatePreferenceGradients(const std::vector<MicroBatchPlan>& rows, int64_t pairs)
{
    for (auto& p : m_trainable)
        p.tensor.mutable_grad() = torch::Tensor();
    LlamaForCausalLMImpl& model = *m_loaded.model;
    const TokenId pad = m_loaded.tokenizer->padId() >= 0 ? m_loaded.tokenizer->padId() : 0;
    const double scale = 1.0 / static_cast<double>(std::max<int64_t>(1, pairs));
    PreferenceSums sums;
    for (const MicroBatchPlan& micro : rows) {
        const Batch batch = makeBatch(micro, m_train, pad, false);
        const torch::Tensor hidden = model.hiddenStates(batch.tokens, batch.layout);               // (2P, T, C)
        const torch::Tensor policy = sequenceLogProbs(model, hidden, batch.targets).view({-1, 2}); // (P, 2)
        const torch::Tensor reference = rowValues(micro, m_trainReference).view({-1, 2});          // (P, 2)
        const torch::Tensor tokens = answerTokenCounts(batch.targets).view({-1, 2});               // (P, 2)
        const DpoTerms terms =
            dpoTerms(policy.select(1, 0), policy.select(1, 1), reference.select(1, 0), reference.select(1, 1),
                     DpoOptions::fromConfig(m_config), tokens.select(1, 0), tokens.select(1, 1));
        (terms.losses.sum() * scale).backward();
        sums.add(terms);
    }
    return sums;
}

PreferenceSums Trainer::sumPreferencesAcrossRanks(const PreferenceSums& sums)
{
    if (!m_group)
        return sums;
    std::vector<double> values = sums.values();
    for (double& value : values)
        value = m_group->allReduceSum(value);
    return PreferenceSums::fromValues(values);
}

double Trainer::sumAcrossRanks(double lossSum)
{
    if (!m_group)
        return lossSum;
    // A rank without rows still takes part, with zero gradients.
    std::vector<torch::Tensor> grads;
    for (auto& p : m_trainable) {
        if (!p.tensor.grad().defined())
            p.tensor.mutable_grad() = torch::zeros_like(p.tensor);
        grads.push_back(p.tensor.grad());
    }
    m_group->allReduceSum(grads);
    return m_group->allReduceSum(lossSum);
}

void Trainer::clipAndUpdate(double gradNorm)
{
    if (m_config.maxGradNorm > 0.0 && gradNorm > m_config.maxGradNorm)
        m_optimizer->setGradientScale(m_config.maxGradNorm / (gradNorm + 1e-6)); // applied in the update's pass
    setLearningRate(*m_optimizer, learningRateAt(m_config.schedule, m_config.learningRate, m_state.step,
                                                 m_config.warmupSteps, m_totalSteps));
    m_optimizer->step();
}

Trainer::StepResult Trainer::trainOneStep()
{
    StepResult result;
    int64_t targets = 0;
    const std::vector<MicroBatchPlan> rows = takeStepRows(&targets, &result.tokens);
    double lossSum = 0.0;
    if (m_config.isPreferenceTraining()) {
        PreferenceSums sums = accumulatePreferenceGradients(rows, targets); // targets counts pairs
        lossSum = sumAcrossRanks(sums.loss);
        sums = sumPreferencesAcrossRanks(sums);
        result.preference = sums;
    } else {
        lossSum = sumAcrossRanks(accumulateGradients(rows, targets));
    }
    result.loss = lossSum / static_cast<double>(std::max<int64_t>(1, targets));
    result.gradNorm = gradientNorm(m_trainable);
    if (!result.finite())
        return result; // the weights are left as they were
    clipAndUpdate(result.gradNorm);
    ++m_state.step;
    m_state.tokensSeen += result.tokens;
    return result;
}

Trainer::AgreedControl Trainer::agreeOnControl()
{
    const int64_t local = (m_control.stopRequested() ? 1 : 0) | (m_control.pauseRequested() ? 2 : 0);
    int64_t flags = local;
    bool checkpoint = m_control.takeCheckpointRequest();
    if (m_group) {
        flags = m_group->allReduceMax(flags | (checkpoint ? 4 : 0));
        checkpoint = (flags & 4) != 0;
    }
    return {(flags & 1) != 0, (flags & 2) != 0, checkpoint};
}

void Trainer::waitWhilePaused()
{
    m_observer.pausedChanged(true);
    if (!m_group) {
        m_control.waitWhilePaused();
    } else {
        // Every rank waits, agreeing again every 200 ms until no rank is paused (or one stops): a pause only
        // rank 0 was asked for (its run folder's control/) must not leave the others blocked in a collective
        // that times out. A checkpoint asked for meanwhile is kept for the step that follows.
        bool checkpoint = false;
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const AgreedControl agreed = agreeOnControl();
            checkpoint = checkpoint || agreed.checkpoint;
            if (!agreed.pause || agreed.stop)
                break;
        }
        if (checkpoint)
            m_control.requestCheckpoint();
    }
    m_observer.pausedChanged(false);
}

Trainer::Evaluation Trainer::evaluate()
{
    LlamaForCausalLMImpl& model = *m_loaded.model;
    torch::NoGradGuard noGrad;
    model.eval();
    const TokenId pad = m_loaded.tokenizer->padId() >= 0 ? m_loaded.tokenizer->padId() : 0;
    const size_t rank = m_group ? static_cast<size_t>(m_group->rank()) : 0;
    const size_t world = m_group ? static_cast<size_t>(m_group->worldSize()) : 1;
    Evaluation result;
    if (m_config.isPreferenceTraining()) {
        PreferenceSums sums;
        for (size_t i = rank; i < m_valPlan.microBatches.size(); i += world) {
            const MicroBatchPlan& micro = m_valPlan.microBatches[i];
            const Batch batch = makeBatch(micro, m_val, pad, false);
            const torch::Tensor policy =
                sequenceLogProbs(model, model.hiddenStates(batch.tokens, batch.layout), batch.targets).view({-1, 2});
            const torch::Tensor reference = rowValues(micro, m_valReference).view({-1, 2});
            const torch::Tensor tokens = answerTokenCounts(batch.targets).view({-1, 2});
            sums.add(dpoTerms(policy.select(1, 0), policy.select(1, 1), reference.select(1, 0), reference.select(1, 1),
                              DpoOptions::fromConfig(m_config), tokens.select(1, 0), tokens.select(1, 1)));
        }
        sums = sumPreferencesAcrossRanks(sums);
        result.loss = sums.loss / std::max(1.0, sums.pairs);
        result.preference = sums;
        model.train();
        return result;
    }
    double sum = 0.0;
    double targets = 0;
    for (size_t i = rank; i < m_valPlan.microBatches.size(); i += world) {
        const Batch batch = makeBatch(m_valPlan.microBatches[i], m_val, pad, m_config.packing);
        sum +=
            tokenCrossEntropySum(model, model.hiddenStates(batch.tokens, batch.layout), batch.targets).item<double>();
        targets += static_cast<double>(batch.targetCount);
    }
    if (m_group) {
        sum = m_group->allReduceSum(sum);
        targets = m_group->allReduceSum(targets);
    }
    model.train();
    result.loss = sum / std::max(1.0, targets);
    return result;
}

void Trainer::generateSamples()
{
    const int64_t count = std::min<int64_t>(m_config.samplePrompts, static_cast<int64_t>(m_valRecords.size()));
    for (int64_t i = 0; i < count; ++i) {
        const ExampleRecord& record = m_valRecords[static_cast<size_t>(i)];
        SamplingOptions options;
        options.greedy = true;
        options.maxNewTokens = static_cast<int>(m_config.sampleMaxTokens);
        const std::vector<TokenId> prompt = encodePrompt(*m_loaded.tokenizer, m_template, record);
        const GenerationResult result = generate(*m_loaded.model, *m_loaded.tokenizer, prompt, options);
        SamplePoint sample;
        sample.step = m_state.step;
        sample.prompt = record.isMultiTurn() ? record.turns.front().content : record.instruction;
        sample.reference = record.isMultiTurn() ? record.turns.back().content : record.response;
        sample.text = result.text;
        m_observer.sampled(sample);
    }
}

void Trainer::evaluateAndMaybeStop(bool* stopEarly)
{
    *stopEarly = false;
    if (m_val.examples.empty() || m_lastEvalStep == m_state.step)
        return;
    const Evaluation evaluation = evaluate();
    const double valLoss = evaluation.loss;
    m_lastEvalStep = m_state.step;
    m_state.valLoss = valLoss;
    const bool improved = m_state.bestStep < 0 || valLoss < m_state.bestValLoss - m_config.earlyStoppingMinDelta;
    if (improved) {
        m_state.bestValLoss = valLoss;
        m_state.bestStep = m_state.step;
        m_state.evalsWithoutImprovement = 0;
    } else {
        ++m_state.evalsWithoutImprovement;
    }
    EvalPoint point;
    point.step = m_state.step;
    point.valLoss = valLoss;
    if (evaluation.preference) {
        const PreferenceSums& sums = *evaluation.preference;
        point.rewardMargin = (sums.chosenReward - sums.rejectedReward) / std::max(1.0, sums.pairs);
        point.rewardAccuracy = sums.correct / std::max(1.0, sums.pairs);
    } else {
        point.perplexity = std::exp(valLoss);
    }
    point.bestValLoss = m_state.bestValLoss;
    point.isBest = improved;
    m_observer.evaluated(point);
    if (m_config.samplePrompts > 0 && isMain())
        generateSamples();
    if (improved)
        saveCheckpoint(true);
    *stopEarly =
        m_config.earlyStoppingPatience > 0 && m_state.evalsWithoutImprovement >= m_config.earlyStoppingPatience;
}

SavedCheckpoint Trainer::saveCheckpoint(bool best)
{
    m_lastCheckpointStep = m_state.step;
    if (!isMain())
        return {};
    TrainingState state = m_state;
    if (m_lastEvalStep != m_state.step)
        state.valLoss.reset();
    const SavedCheckpoint info =
        m_checkpoints->save(state, checkpointTensors(m_trainable, *m_optimizer), *m_optimizer, best);
    m_checkpoints->prune(m_config.keepLast);
    CheckpointPoint point;
    point.step = info.step;
    point.path = info.path;
    point.best = best;
    point.valLoss = state.valLoss.value_or(kNoValue);
    m_observer.checkpointed(point);
    return info;
}

QString Trainer::exportModel()
{
    // With validation, the export holds the best weights (early stopping's point); else the last.
    const auto best = m_checkpoints->best();
    if (m_config.exportBest && best && best->step != m_state.step) {
        m_checkpoints->load(*best, checkpointTensors(m_trainable, *m_optimizer), nullptr);
        m_optimizer->copyMastersToParameters();
        m_observer.log(QStringLiteral("info"),
                       QStringLiteral("exporting the best checkpoint (step %1)").arg(best->step));
    }
    const QDir exportDir(QDir(m_runDir).filePath(QStringLiteral("export")));
    SaveOptions save;
    save.replaceExisting = true;
    save.dtype = m_loaded.config.torchDtype;
    save.tokenizerSource = QFileInfo(m_config.model).isDir() ? m_config.model : m_loaded.tokenizer->path();
    if (m_loaded.model->virtualTokenCount() > 0) {
        // A soft prompt changes no weight of the base: the export is the prompt alone, in PEFT's layout,
        // used on the run's base model.
        PromptTuningAdapterInfo prompt;
        prompt.settings = softPromptSettingsFrom(m_config);
        prompt.baseModelNameOrPath = m_config.model;
        savePromptTuningAdapter(*m_loaded.model, exportDir.filePath(QStringLiteral("adapter")), prompt, true);
        return exportDir.filePath(QStringLiteral("adapter"));
    }
    if (!hasLora(*m_loaded.model)) {
        saveModelFolder(*m_loaded.model, exportDir.filePath(QStringLiteral("model")), save);
        return exportDir.filePath(QStringLiteral("model"));
    }
    // Adapter runs export the adapters in PEFT's layout and a merged model other tools load as is.
    PeftAdapterConfig adapter;
    adapter.settings = loraSettingsFrom(m_config);
    adapter.baseModelNameOrPath = m_config.model;
    saveAdapter(*m_loaded.model, exportDir.filePath(QStringLiteral("adapter")), adapter, true);
    for (const QString& note : exportMerged(*m_loaded.model, exportDir.filePath(QStringLiteral("model")), save))
        m_observer.log(QStringLiteral("info"), note);
    return exportDir.filePath(QStringLiteral("model"));
}

RunStartInfo Trainer::startInfo() const
{
    RunStartInfo start;
    start.runDir = m_runDir;
    start.config = m_config.toJson();
    start.totalParameters = m_loaded.config.parameterCount();
    start.trainableParameters = parameterCount(m_trainable);
    // A DPO run's examples are its pairs (each tokenized twice, once per answer).
    const size_t answers = m_config.isPreferenceTraining() ? 2 : 1;
    start.trainExamples = static_cast<qint64>(m_train.examples.size() / answers);
    start.valExamples = static_cast<qint64>(m_val.examples.size() / answers);
    start.truncatedExamples = m_train.truncated + m_val.truncated;
    start.tokensPerEpoch = m_train.tokens;
    start.totalSteps = m_totalSteps;
    start.resumedFromStep = m_resumedFrom;
    start.worldSize = m_group ? m_group->worldSize() : 1;
    return start;
}

void Trainer::startEveryRankAlike()
{
    if (!m_group)
        return;
    // Identical starting weights on every rank, whatever each loaded: the float32 masters under mixed
    // precision (the updates start from them), rounded into the bf16 parameters afterwards.
    std::vector<torch::Tensor> tensors;
    for (const auto& p : checkpointTensors(m_trainable, *m_optimizer))
        tensors.push_back(p.tensor);
    m_group->broadcastFromMain(tensors);
    m_optimizer->copyMastersToParameters();
}

StepPoint Trainer::stepPoint(const StepResult& result, const SessionClock& session)
{
    StepPoint point;
    point.step = m_state.step;
    point.totalSteps = m_totalSteps;
    const auto epochBatches = static_cast<double>(epochPlan(m_state.epoch).microBatches.size());
    point.epoch =
        static_cast<double>(m_state.epoch) + static_cast<double>(m_state.microBatch) / std::max(1.0, epochBatches);
    point.loss = result.loss;
    point.learningRate =
        learningRateAt(m_config.schedule, m_config.learningRate, m_state.step - 1, m_config.warmupSteps, m_totalSteps);
    point.gradNorm = result.gradNorm;
    point.tokens = m_state.tokensSeen;
    const double seconds = secondsSince(session.start);
    point.tokensPerSecond = result.tokensPerSecond;
    point.elapsed = m_state.elapsedSeconds;
    point.eta = seconds / static_cast<double>(m_state.step - session.stepsBefore) *
                static_cast<double>(m_totalSteps - m_state.step);
    if (result.preference) {
        const PreferenceSums& sums = *result.preference;
        const double pairs = std::max(1.0, sums.pairs);
        point.chosenReward = sums.chosenReward / pairs;
        point.rejectedReward = sums.rejectedReward / pairs;
        point.rewardMargin = (sums.chosenReward - sums.rejectedReward) / pairs;
        point.rewardAccuracy = sums.correct / pairs;
    }
    return point;
}

QString Trainer::divergedMessage(const DivergenceVerdict& verdict, int64_t step) const
{
    QString message = QStringLiteral("diverged at step %1: %2.").arg(step).arg(verdict.reason);
    // Step s's loss and gradient come from the weights after s - 1 updates: when step s is the first
    // bad one, checkpoint s - 1 already holds the weights that went wrong. Name the last one before.
    std::optional<SavedCheckpoint> before;
    int later = 0;
    for (const SavedCheckpoint& checkpoint : m_checkpoints->list()) {
        if (checkpoint.step < verdict.firstBadStep - 1)
            before = checkpoint;
        else
            ++later;
    }
    const QString laterOnes = later == 0   ? QString()
                              : later == 1 ? QStringLiteral("; the one after it holds the diverged weights")
                                           : QStringLiteral("; the %1 after it hold the diverged weights").arg(later);
    if (before)
        message += QStringLiteral(" The last checkpoint from before it went wrong is step %1 (%2)%3.")
                       .arg(before->step)
                       .arg(QDir(m_runDir).relativeFilePath(before->path), laterOnes);
    else if (later == 1)
        message += QStringLiteral(" No checkpoint from before it went wrong is left; the one written since holds the "
                                  "diverged weights.");
    else if (later > 1)
        message += QStringLiteral(" No checkpoint from before it went wrong is left; the %1 written since hold the "
                                  "diverged weights.")
                       .arg(later);
    else
        message += QStringLiteral(" No checkpoint from before it went wrong is left.");
    message += QStringLiteral(" Try a lower learning rate (this run's: %1).").arg(m_config.learningRate, 0, 'g', 3);
    return message;
}

RunEndInfo Trainer::run()
{
    startEveryRankAlike();
    const RunStartInfo start = startInfo();
    m_observer.started(start);
    // What setting up found is told after "started": the event stream begins with it.
    for (const auto& [level, message] : m_notesForStart)
        m_observer.log(level, message);
    m_notesForStart.clear();
    if (start.truncatedExamples > 0)
        m_observer.log(QStringLiteral("warning"),
                       QStringLiteral("%1 %2 longer than max_length %3 and were truncated (prompt side first)")
                           .arg(start.truncatedExamples)
                           .arg(m_config.isPreferenceTraining() ? QStringLiteral("answers of preference pairs were")
                                                                : QStringLiteral("examples were"))
                           .arg(m_config.maxLength));

    const SessionClock session{Clock::now(), m_state.elapsedSeconds, m_state.step};
    RunEndInfo end;
    RunOutcome outcome = RunOutcome::Finished;
    bool stopEarly = false;
    while (m_state.step < m_totalSteps && !stopEarly) {
        AgreedControl control = agreeOnControl();
        if (control.pause && !control.stop) {
            waitWhilePaused();
            control = agreeOnControl();
        }
        if (control.stop) {
            outcome = RunOutcome::Stopped;
            end.message = QStringLiteral("stopped at step %1 on request").arg(m_state.step);
            break;
        }
        if (control.checkpoint && m_lastCheckpointStep != m_state.step)
            saveCheckpoint(false);

        const int64_t epochBefore = m_state.epoch;
        const int64_t tokensBefore = m_state.tokensSeen;
        const auto stepStart = std::chrono::steady_clock::now();
        StepResult result = trainOneStep();
        // The step's own throughput: evaluations and checkpoints between steps do not lower it.
        result.tokensPerSecond =
            static_cast<double>(m_state.tokensSeen - tokensBefore) / std::max(1e-9, secondsSince(stepStart));
        if (!result.finite()) { // the weights were left as they were
            outcome = RunOutcome::Diverged;
            end.message = divergedMessage(*m_divergence.observe(m_state.step + 1, result.loss, result.gradNorm),
                                          m_state.step + 1);
            break;
        }
        m_state.elapsedSeconds = session.elapsedBefore + secondsSince(session.start);
        m_observer.stepDone(stepPoint(result, session));
        if (const auto verdict = m_divergence.observe(m_state.step, result.loss, result.gradNorm);
            verdict && m_config.stopOnDivergence) {
            outcome = RunOutcome::Diverged;
            end.message = divergedMessage(*verdict, m_state.step);
            break;
        }

        const bool epochEnded = m_state.epoch != epochBefore;
        const bool evalDue = m_config.evalEvery > 0 ? m_state.step % m_config.evalEvery == 0 : epochEnded;
        if (evalDue)
            evaluateAndMaybeStop(&stopEarly);
        if (m_config.saveEvery > 0 && m_state.step % m_config.saveEvery == 0 && m_lastCheckpointStep != m_state.step)
            saveCheckpoint(false);
        if (stopEarly)
            end.message = QStringLiteral("early stopping: no improvement of the validation loss in %1 evaluations")
                              .arg(m_config.earlyStoppingPatience);
    }
    finishRun(outcome, end);
    m_observer.ended(end);
    return end;
}

void Trainer::finishRun(RunOutcome outcome, RunEndInfo& end)
{
    if (outcome == RunOutcome::Finished) {
        bool ignored = false;
        evaluateAndMaybeStop(&ignored);
    }
    if (outcome != RunOutcome::Diverged && m_lastCheckpointStep != m_state.step)
        saveCheckpoint(false);
    if (outcome == RunOutcome::Finished && isMain())
        end.exportPath = exportModel();
    end.status = runOutcomeName(outcome);
    end.step = m_state.step;
    end.tokens = m_state.tokensSeen;
    end.bestValLoss = m_state.bestStep >= 0 ? m_state.bestValLoss : kNoValue;
    end.reportedByWorker = true;
    if (outcome == RunOutcome::Finished && end.message.isEmpty())
        end.message = QStringLiteral("finished after %1 steps").arg(m_state.step);
}

} // namespace ft
