#pragma once
// Everything a training run is configured with. The worker writes the fully resolved configuration
// (every default spelled out) into the run folder, so a run can always be repeated or resumed.

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace ft {

struct TrainConfig {
    // What is trained on what.
    QString model;     // Hugging Face folder or llama2.c .bin
    QString trainFile; // JSONL of {system?, instruction, input?, response} or {system?, turns}
    QString valFile;   // optional; otherwise a seeded split of the training set
    double valFraction = 0.1;
    QString promptTemplate = QStringLiteral("alpaca"); // built-in name or custom text with {response}
    QString lossOn = QStringLiteral("all");            // "response" | "all" (as the "full" preset)
    int64_t maxLength = 512;
    bool packing = true;

    // What the run optimizes: "sft", the answers' token cross-entropy; or "dpo", Direct Preference
    // Optimization on preference pairs (examples with a rejected answer), against the starting model
    // as the frozen reference, with dpo_beta as DPO's beta (how far from the reference it may go).
    QString objective = QStringLiteral("sft");
    double dpoBeta = 0.1;
    // DPO's loss on the pair's margin z (the policy's log-ratio over the reference's, chosen minus
    // rejected): "sigmoid" (DPO's own, -log sigmoid(beta z)), "hinge" (SLiC's max(0, 1 - beta z)) or
    // "ipo" ((z - 1/(2 beta))^2 on log-probabilities averaged per answer token, Azar et al. 2023).
    QString dpoLoss = QStringLiteral("sigmoid");
    // With "sigmoid": the assumed share of pairs whose labels are flipped (conservative DPO), in [0, 0.5).
    // The other losses ignore it.
    double dpoLabelSmoothing = 0.0;

    // What is trainable. mode is the preset the user chose ("full", "freeze", ...); the settings
    // below are what it means.
    QString mode = QStringLiteral("full");
    QString trainable = QStringLiteral("all"); // "all" | "top-layers" | "lora" | "prompt"
    int64_t trainTopLayers = 2;                // for "top-layers"
    bool trainLmHead = false;                  // for "top-layers": the output head too
    // LoRA adapters (trainable "lora"): rank, scale alpha / rank (alpha / sqrt(rank) with rsLoRA),
    // dropout on the adapter input, and the projections that get one.
    int64_t loraRank = 8;
    double loraAlpha = 16.0;
    double loraDropout = 0.05;
    QStringList loraTargets{QStringLiteral("q_proj"),   QStringLiteral("k_proj"),    QStringLiteral("v_proj"),
                            QStringLiteral("o_proj"),   QStringLiteral("gate_proj"), QStringLiteral("up_proj"),
                            QStringLiteral("down_proj")};
    bool useRsLora = false;
    // Prompt tuning (trainable "prompt"): this many trainable virtual token embeddings before every
    // sequence of a frozen base, started from the embeddings of tokens sampled from the vocabulary
    // ("sample_vocab") or of prompt_tuning_init_text's tokens ("text"). PEFT's names.
    int64_t numVirtualTokens = 20;
    QString promptTuningInit = QStringLiteral("sample_vocab");
    QString promptTuningInitText;
    // How the frozen base's projections are stored: "none" (compute dtype), "int8" (per-row absmax),
    // "nf4" (4-bit NormalFloat, blocks of 64), with double-quantized block scales.
    QString baseQuantization = QStringLiteral("none");
    bool doubleQuant = true;
    QString computeDtype = QStringLiteral("float32");
    bool gradientCheckpointing = false;
    // With gradient checkpointing: how many decoder layers, from the first, recompute their forward
    // in the backward pass; 0 leaves it to checkpointFraction. The others keep their activations:
    // more memory, less time. checkpointedLayerCount() resolves the two for a model.
    int64_t checkpointLayers = 0;
    double checkpointFraction = 1.0; // share of the layers, rounded up (1: every layer)

    // Optimisation.
    double learningRate = 2e-5;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 0.0;
    bool decayNormsAndBiases = false;
    QString schedule = QStringLiteral("cosine"); // "constant" | "linear" | "cosine"
    int64_t warmupSteps = 0;
    int64_t batchSize = 4;        // rows per micro-batch
    int64_t gradAccumulation = 1; // micro-batches per optimizer step
    double maxGradNorm = 1.0;     // 0: no clipping
    int64_t epochs = 1;
    int64_t maxSteps = 0; // > 0 overrides epochs
    uint64_t seed = 42;

    // Evaluation and checkpoints.
    int64_t evalEvery = 0;     // steps; 0: at the end of every epoch
    int64_t samplePrompts = 1; // validation prompts generated from at each evaluation
    int64_t sampleMaxTokens = 48;
    int64_t saveEvery = 0;             // steps; 0: only at evaluations that improve, on stop and at the end
    int64_t keepLast = 2;              // checkpoints kept besides the best
    int64_t earlyStoppingPatience = 0; // evaluations without improvement before stopping; 0: off
    double earlyStoppingMinDelta = 0.0;
    bool exportBest = true; // export the best checkpoint's weights (when there is validation)
    // End the run as diverged when the loss explodes against its own history or the gradients die
    // (engine/divergence_monitor.h); NaN and Inf always end it.
    bool stopOnDivergence = true;

    int threads = 0;   // 0: all physical cores
    int processes = 1; // local data-parallel worker processes (`train --nproc`); 1: one process

    // Reads a JSON object; unknown keys and wrong types are errors naming the key and `origin`.
    static TrainConfig fromJson(const QJsonObject& json, const QString& origin);
    QJsonObject toJson() const;
    // Checks values; throws ft::Error naming the field and what was expected.
    void validate() const;
    // Applies a mode preset ("full", "instruction", "qlora", "prompt", "dpo", "freeze") to the settings it controls.
    void applyModePreset(const QString& modeName);
    bool isPreferenceTraining() const { return objective == QLatin1String("dpo"); }
    static QStringList modeNames();
    static QStringList loraTargetNames(); // q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj
};

// How many of a model's `numLayers` decoder layers, from the first, are checkpointed: none without
// gradient checkpointing, else checkpoint_layers when set (at most numLayers), else
// checkpoint_fraction of them rounded up (at least one). The trainer, `bench train` and the
// resource estimate all ask this one function.
int64_t checkpointedLayerCount(const TrainConfig& config, int64_t numLayers);

} // namespace ft
