#pragma once
// What a training run will cost before it starts: memory (weights by mode and base precision,
// gradients and AdamW state for what is trainable, activations, the output head's logits chunk) and
// time (FLOPs over a measured matrix-multiply throughput). No LibTorch: the numbers come from the
// model's config.json and the training settings. Estimates, not promises: docs/gui.md says how each
// part is computed and how far off it can be.

#include <vector>

#include <QString>
#include <QStringList>

#include "contract/run_events.h"
#include "contract/train_config.h"
#include "modelio/model_config.h"
#include "runs/training_data_measure.h"

namespace ft {

struct ResourceEstimateOptions {
    double sgemmGflops = kNoValue; // `ftstudio-cli bench sgemm --json`; NaN: kAssumedGflops is used
    // The share of that throughput training reaches; NaN: trainingEfficiency() for the model's shape.
    double efficiency = kNoValue;
    // bf16 runs (compute_dtype "bfloat16"): the bf16 matrix-product rate `bench sgemm --json` measures
    // (NaN: not measured, fp32's rate is used) and the share of it training reaches (NaN: by shape).
    double bf16Gflops = kNoValue;
    double bf16Efficiency = kNoValue;
    qint64 tokensPerEpoch = 0; // of the training data after the template and max_length (0: unknown)
    qint64 trainExamples = 0;  // the examples the run trains on (validation left out; 0: unknown)
    // Their token counts, in the run's order: all of them (the steps are then exactly the run's, planned
    // as contract/epoch_plan.h plans them), or the first of them (their rows scaled up). Empty: unknown.
    std::vector<int64_t> trainLengths;
    qint64 machineMemoryBytes = -1; // -1: read /proc/meminfo; 0: unknown
};

constexpr double kAssumedGflops = 20.0;
constexpr double kRuntimeOverheadBytes =
    300.0 * 1024 * 1024; // LibTorch, the allocator, the worker itself (240 MB measured)
// Calibration against `ftstudio-cli bench train` (stories15M shape, batch 8 x 256, fp32, 2 threads):
// measured peak RSS 1457 MB (926 MB with gradient checkpointing) at stop 11; the activations the
// counting below finds fell short of the measured difference by this factor (autograd's extra saved
// tensors and temporaries). With fused attention and RMSNorm (stop 14) the peaks are 1028 and 754 MB
// and the estimate lands 11 % and 4 % above them. The share of the matrix rate training reaches is
// trainingEfficiency()'s, by the model's hidden size.
constexpr double kActivationOverhead = 1.45;

struct ResourceEstimate {
    // Parameters.
    qint64 totalParameters = 0;
    qint64 trainableParameters = 0; // adapters included
    qint64 adapterParameters = 0;   // LoRA A and B matrices
    // Memory, bytes.
    double weightBytes = 0; // the model as stored for training (quantized base + adapters)
    double gradientBytes = 0;
    double optimizerBytes = 0;  // AdamW: two fp32 moments per trainable parameter, fp32 masters of bf16 ones
    double activationBytes = 0; // saved for the backward pass, one micro-batch
    double logitsBytes = 0;     // the output head's chunk of logits and its gradient
    double temporaryBytes = 0;  // the step's working memory: gradient-sized temporaries, the head's fp32 gradient
    double runtimeBytes = kRuntimeOverheadBytes;
    double totalBytes() const
    {
        return weightBytes + gradientBytes + optimizerBytes + activationBytes + logitsBytes + temporaryBytes +
               runtimeBytes;
    }
    // Time.
    double flopsPerToken = 0;
    qint64 tokensPerStep = 0; // batch x accumulation x max_length (packed rows are full)
    qint64 totalSteps = 0;    // 0: unknown (no step limit and no data measured yet)
    double totalTokens = 0;
    double gflops = kAssumedGflops; // throughput used
    bool gflopsMeasured = false;
    double seconds = kNoValue; // NaN when the number of steps is unknown
    // This machine.
    qint64 machineMemoryBytes = 0; // 0: unknown
    bool fits = true;
    QString warning;   // set when it does not fit (or barely does)
    QStringList notes; // what the estimate assumed
};

ResourceEstimate estimateResources(const ModelConfig& model, const TrainConfig& config,
                                   const ResourceEstimateOptions& options = {});

// The measured training data as the estimate's input: what the run trains on. With `sharedValidation`
// (no validation file or split) the worker sets aside config.valFraction of the records with
// config.seed; the same records are left out here, so that with every record measured the estimate
// counts exactly the run's steps.
void applyMeasuredData(ResourceEstimateOptions* options, const TrainingDataMeasure& measure, const TrainConfig& config,
                       bool sharedValidation);

// Trainable parameters the LoRA adapters of `config` add to `model` (rank x (in + out) per target per layer).
qint64 loraParameterCount(const ModelConfig& model, const TrainConfig& config);
// Bits per weight of a base projection stored as `quantization` ("none": 8 x compute dtype bytes).
double baseBitsPerWeight(const QString& quantization, bool doubleQuant, const QString& computeDtype);

// The share of the measured matrix rate (fp32 sgemm, or bf16 products for bf16 runs) that training
// reaches, by the model's hidden size, interpolated in log(hidden) between measured shapes and held
// outside them (bench/README.md, stop 34). Small models spend more of a step outside the products
// (norms, softmax, element-wise passes); large ones run products larger than the one timed.
double trainingEfficiency(qint64 hiddenSize, bool bf16);

// MemTotal of /proc/meminfo in bytes; 0 when it cannot be read.
qint64 machineMemoryBytes();
qint64 parseMemTotal(const QByteArray& meminfo);

QString formatBytes(double bytes);      // "1.4 GB", "350 MB"
QString formatDuration(double seconds); // "45 s", "12 min", "3 h 20 min"

} // namespace ft
