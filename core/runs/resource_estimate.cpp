#include "runs/resource_estimate.h"

#include <algorithm>
#include <cmath>

#include <QFile>

#include "contract/epoch_plan.h"

namespace ft {

namespace {

struct Projection {
    const char* name;
    qint64 in;
    qint64 out;
};

// The seven projections of one decoder layer with their shapes.
std::vector<Projection> layerProjections(const ModelConfig& m)
{
    const qint64 h = m.hiddenSize;
    const qint64 q = m.numHeads * m.headDim;
    const qint64 kv = m.kvDim();
    const qint64 i = m.intermediateSize;
    return {{"q_proj", h, q},    {"k_proj", h, kv}, {"v_proj", h, kv},  {"o_proj", q, h},
            {"gate_proj", h, i}, {"up_proj", h, i}, {"down_proj", i, h}};
}

double dtypeBytes(const QString& computeDtype) { return computeDtype == QLatin1String("bfloat16") ? 2.0 : 4.0; }

struct EfficiencyPoint {
    double hidden;
    double efficiency;
};

// The estimate's own FLOPs per token (attention included) times the tokens per second that
// `ftstudio-engine bench train` measured, over the matrix rate measured in the same process
// (bench/README.md). fp32, of sgemm: stories260K's shape (hidden 64, 1 thread, stop 11, counted
// without attention: low), stories15M's (288, full fine-tuning at batch 8 x 256, stop 34: 949 tokens/s
// at 103 GFLOP/s), Qwen3-0.6B's (1024) and Llama-3.2-1B's (2048), LoRA at batch 1 x 512 (stop 34). bf16,
// of the bf16 product rate: lower, since the softmax, norms and element-wise passes run at fp32 speed
// while the products run five to six times faster (stories15M: 2696 tokens/s at 594 GFLOP/s).
constexpr EfficiencyPoint kFp32Efficiency[] = {{64, 0.45}, {288, 0.89}, {1024, 1.16}, {2048, 1.25}};
constexpr EfficiencyPoint kBf16Efficiency[] = {{288, 0.44}, {1024, 0.36}, {2048, 0.42}};

template <size_t N> double interpolate(const EfficiencyPoint (&points)[N], double hidden)
{
    if (hidden <= points[0].hidden)
        return points[0].efficiency;
    for (size_t i = 1; i < N; ++i)
        if (hidden <= points[i].hidden) {
            const double t =
                std::log(hidden / points[i - 1].hidden) / std::log(points[i].hidden / points[i - 1].hidden);
            return points[i - 1].efficiency + t * (points[i].efficiency - points[i - 1].efficiency);
        }
    return points[N - 1].efficiency;
}

// The run's steps from its examples' token counts: exactly as the worker plans them when `lengths` holds
// every example, else each epoch's rows for the sample scaled to `examples`.
qint64 stepsFromLengths(const std::vector<int64_t>& lengths, qint64 examples, const TrainConfig& c)
{
    const auto sampled = static_cast<int64_t>(lengths.size());
    if (sampled == examples)
        return plannedSteps(lengths, c);
    qint64 steps = 0;
    for (int64_t epoch = 0; epoch < std::max<int64_t>(1, c.epochs); ++epoch) {
        const auto rows =
            static_cast<double>(planRows(lengths, epochOrder(sampled, c.seed, epoch), c.maxLength, c.packing).size());
        const auto scaled =
            static_cast<int64_t>(std::ceil(rows * static_cast<double>(examples) / static_cast<double>(sampled)));
        steps += stepsForRows(scaled, c.batchSize, c.gradAccumulation);
    }
    return steps;
}

} // namespace

double baseBitsPerWeight(const QString& quantization, bool doubleQuant, const QString& computeDtype)
{
    if (quantization == QLatin1String("nf4")) {
        // 4-bit codes, one absmax scale per block of 64. Double quantization stores those scales as
        // 8-bit codes with one fp32 scale per 256 blocks: 4 + 8/64 + 32/(64*256) = 4.127 bits.
        return doubleQuant ? 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0) : 4.0 + 32.0 / 64.0;
    }
    if (quantization == QLatin1String("int8"))
        return 8.0; // plus one fp32 scale per output row, counted separately
    return 8.0 * dtypeBytes(computeDtype);
}

double trainingEfficiency(qint64 hiddenSize, bool bf16)
{
    const auto hidden = static_cast<double>(std::max<qint64>(1, hiddenSize));
    return bf16 ? interpolate(kBf16Efficiency, hidden) : interpolate(kFp32Efficiency, hidden);
}

qint64 loraParameterCount(const ModelConfig& model, const TrainConfig& config)
{
    qint64 perLayer = 0;
    for (const Projection& p : layerProjections(model))
        if (config.loraTargets.contains(QLatin1String(p.name)))
            perLayer += config.loraRank * (p.in + p.out);
    return perLayer * model.numLayers;
}

ResourceEstimate estimateResources(const ModelConfig& m, const TrainConfig& c, const ResourceEstimateOptions& options)
{
    ResourceEstimate e;
    const double bytes = dtypeBytes(c.computeDtype);
    const qint64 h = m.hiddenSize;
    const qint64 L = m.numLayers;
    const qint64 qDim = m.numHeads * m.headDim;
    const qint64 vocabByHidden = m.vocabSize * h;

    qint64 projectionsPerLayer = 0;
    qint64 outputRowsPerLayer = 0;
    for (const Projection& p : layerProjections(m)) {
        projectionsPerLayer += p.in * p.out;
        outputRowsPerLayer += p.out;
    }
    const qint64 projectionParams = projectionsPerLayer * L;
    e.totalParameters = m.parameterCount();
    const qint64 perLayerParams =
        L > 0 ? (e.totalParameters - vocabByHidden * (m.tieWordEmbeddings ? 1 : 2) - h) / L : 0;
    const qint64 otherParams = e.totalParameters - projectionParams; // embeddings, head, norms, biases

    // What is trainable, and how the frozen rest is stored.
    const bool lora = c.trainable == QLatin1String("lora");
    const bool prompt = c.trainable == QLatin1String("prompt"); // a soft prompt before a frozen base
    const bool topLayers = c.trainable == QLatin1String("top-layers");
    const QString quantization = lora || prompt ? c.baseQuantization : QStringLiteral("none");
    qint64 trainableBase = 0; // base parameters that get gradients and optimizer state
    if (lora) {
        e.adapterParameters = loraParameterCount(m, c);
    } else if (prompt) {
        e.adapterParameters = c.numVirtualTokens * h; // counted as an adapter: fp32, trained
    } else if (topLayers) {
        const qint64 layers = std::min<qint64>(c.trainTopLayers, L);
        trainableBase = layers * perLayerParams + (c.trainLmHead ? vocabByHidden + h : 0);
    } else {
        trainableBase = e.totalParameters;
    }
    e.trainableParameters = trainableBase + e.adapterParameters;

    // Weights.
    if (quantization == QLatin1String("none")) {
        e.weightBytes = static_cast<double>(e.totalParameters) * bytes;
    } else {
        e.weightBytes = static_cast<double>(projectionParams) *
                            baseBitsPerWeight(quantization, c.doubleQuant, c.computeDtype) / 8.0 +
                        static_cast<double>(otherParams) * bytes;
        if (quantization == QLatin1String("int8"))
            e.weightBytes += static_cast<double>(outputRowsPerLayer * L) * 4.0;
    }
    e.weightBytes += static_cast<double>(e.adapterParameters) * 4.0; // adapters train in fp32

    // Gradients and AdamW moments, only for what is trainable. The moments are float32 always; in
    // bf16 (mixed precision) each trainable base weight also has a float32 master copy, so full
    // fine-tuning costs 16 bytes per parameter in either precision (2 + 2 + 4 + 8 against 4 + 4 + 8).
    e.gradientBytes = static_cast<double>(trainableBase) * bytes + static_cast<double>(e.adapterParameters) * 4.0;
    const double masterBytes = bytes < 4.0 ? 4.0 * static_cast<double>(trainableBase) : 0.0;
    e.optimizerBytes = 8.0 * static_cast<double>(e.trainableParameters) + masterBytes;

    // Activations of one micro-batch saved for the backward pass. Per token and layer: the norms'
    // inputs and outputs, q/k/v before and after RoPE, the attention output, the MLP's gate, up, SiLU
    // and product, and the residual sums. Attention in fp32 is fused (docs/architecture.md) and keeps
    // one log-sum-exp per head; in bf16/fp16 it keeps the probabilities (a row of max_length per head,
    // in the compute precision: kernels/narrow_softmax.h).
    // A soft prompt's virtual tokens go through every layer with each row.
    // DPO gives each answer of a pair a row: a micro-batch of batch_size pairs has twice the rows.
    const double answersPerExample = c.isPreferenceTraining() ? 2.0 : 1.0;
    const double rowLength = static_cast<double>(c.maxLength + (prompt ? c.numVirtualTokens : 0));
    const double tokens = static_cast<double>(c.batchSize) * answersPerExample * rowLength;
    const bool fusedAttention = bytes == 4.0;
    const double attentionPerToken = fusedAttention ? static_cast<double>(m.numHeads) : m.numHeads * rowLength;
    const double perTokenLayer = 7.0 * h + 2.0 * qDim + 3.0 * m.kvDim() + 4.0 * m.intermediateSize + attentionPerToken +
                                 (lora ? 7.0 * c.loraRank + 2.0 * h : 0.0); // adapter inputs (dropout) and A x
    // Checkpointed layers (checkpointedLayerCount: a count, a share, or all) keep only their input,
    // and one of them is recomputed at a time in the backward pass; the others keep everything.
    const double checkpointed = static_cast<double>(checkpointedLayerCount(c, L));
    const double kept = static_cast<double>(L) - checkpointed;
    e.activationBytes = kActivationOverhead * tokens *
                        (checkpointed * h + kept * perTokenLayer + (checkpointed > 0 ? perTokenLayer : 0.0) +
                         (kept > 0 ? 2.0 * h : 0.0)) *
                        bytes;
    if (checkpointed == static_cast<double>(L))
        e.notes << QStringLiteral(
            "gradient checkpointing keeps one input per layer and recomputes the layer (about a third more compute)");
    else if (checkpointed > 0)
        e.notes << QStringLiteral(
                       "gradient checkpointing of %1 of %2 layers: they keep one input each and are recomputed")
                       .arg(checkpointed)
                       .arg(L);
    // The fused output head works through the tokens in chunks of about 16M logits (fp32) in one
    // buffer, which becomes their gradient in place, and keeps the gradient of the hidden states.
    const double chunkRows = std::max(16.0, std::floor(16.0 * 1024 * 1024 / std::max<double>(1.0, m.vocabSize)));
    e.logitsBytes = std::min(chunkRows, tokens) * m.vocabSize * 4.0 + tokens * h * 4.0;
    // The step's working memory (measured, see kActivationOverhead): about one more gradient's worth,
    // and the head's gradient accumulated in fp32 when the head trains.
    const bool headTrains = !lora && !prompt && (!topLayers || c.trainLmHead);
    e.temporaryBytes = e.gradientBytes + (headTrains ? static_cast<double>(vocabByHidden) * 4.0 : 0.0);

    // Time: FLOPs per trained token. Forward 2 per weight of every matrix product, backward 4 (inputs
    // and weights) where weights train, 2 (inputs only) where gradients just pass through.
    const double head = static_cast<double>(vocabByHidden);
    const double base = static_cast<double>(projectionParams) + head;
    const double attention =
        4.0 * static_cast<double>(L) * static_cast<double>(c.maxLength) * qDim; // QK^T and PV, forward
    double flops = 0;
    if (lora) {
        const double adapter = static_cast<double>(e.adapterParameters);
        flops = 4.0 * base + 6.0 * adapter + 3.0 * attention;
        if (quantization != QLatin1String("none"))
            e.notes << QStringLiteral(
                "a quantized base is dequantized on the fly, which adds time the estimate does not count");
    } else if (prompt) {
        // Forward and the backward's input gradients through every layer; the virtual tokens add their
        // share of rows to every layer (not to the head, whose outputs for them are dropped).
        const double share = rowLength / std::max<double>(1, static_cast<double>(c.maxLength));
        flops = 4.0 * static_cast<double>(projectionParams) * share + 4.0 * head + 3.0 * attention * share * share;
    } else if (topLayers) {
        const double layers = static_cast<double>(std::min<qint64>(c.trainTopLayers, L));
        const double topProjections = layers * projectionsPerLayer;
        flops = 2.0 * base + attention // forward through everything
                + 4.0 * topProjections +
                2.0 * layers / std::max<double>(1, L) * attention // backward through the top layers
                + (c.trainLmHead ? 4.0 : 2.0) * head;             // the head: weights or only inputs
    } else {
        flops = 6.0 * base + 3.0 * attention;
    }
    if (checkpointed > 0) // the recomputed forward of the checkpointed layers
        flops += checkpointed / static_cast<double>(L) * (2.0 * static_cast<double>(projectionParams) + attention);
    e.flopsPerToken = flops;

    e.tokensPerStep = static_cast<qint64>(answersPerExample) * c.batchSize * c.gradAccumulation * c.maxLength;
    if (c.maxSteps > 0) {
        e.totalSteps = c.maxSteps;
    } else if (!options.trainLengths.empty() && options.trainExamples > 0) {
        e.totalSteps = stepsFromLengths(options.trainLengths, options.trainExamples, c);
    } else if (c.packing && options.tokensPerEpoch > 0) {
        // Without the examples' lengths: rows assumed full, so this may count a few steps short.
        const auto stepsPerEpoch = static_cast<qint64>(
            std::ceil(static_cast<double>(options.tokensPerEpoch) / static_cast<double>(e.tokensPerStep)));
        e.totalSteps = stepsPerEpoch * std::max<qint64>(1, c.epochs);
    } else if (options.trainExamples > 0) {
        e.totalSteps =
            stepsForRows(options.trainExamples, c.batchSize, c.gradAccumulation) * std::max<qint64>(1, c.epochs);
    }
    if (options.tokensPerEpoch > 0 && c.maxSteps <= 0)
        e.totalTokens = answersPerExample * static_cast<double>(options.tokensPerEpoch) *
                        static_cast<double>(std::max<qint64>(1, c.epochs)); // the rejected answers about as long
    else
        e.totalTokens = static_cast<double>(e.totalSteps) * static_cast<double>(e.tokensPerStep);

    const bool bf16 = c.computeDtype == QLatin1String("bfloat16");
    const bool bf16Measured = bf16 && std::isfinite(options.bf16Gflops) && options.bf16Gflops > 0;
    e.gflopsMeasured = bf16Measured || (std::isfinite(options.sgemmGflops) && options.sgemmGflops > 0);
    e.gflops = bf16Measured ? options.bf16Gflops : e.gflopsMeasured ? options.sgemmGflops : kAssumedGflops;
    if (!e.gflopsMeasured)
        e.notes
            << QStringLiteral("this machine's throughput is not measured yet; %1 GFLOP/s assumed").arg(kAssumedGflops);
    else if (bf16 && !bf16Measured)
        e.notes << QStringLiteral("bf16's matrix speed on this machine is not measured; the time is fp32's");
    const double givenEfficiency = bf16Measured ? options.bf16Efficiency : options.efficiency;
    const double efficiency = std::isfinite(givenEfficiency) ? std::clamp(givenEfficiency, 0.01, 2.0)
                                                             : trainingEfficiency(m.hiddenSize, bf16Measured);
    if (e.totalSteps > 0) {
        e.seconds = e.totalTokens * e.flopsPerToken / (e.gflops * 1e9 * efficiency);
        if (c.isPreferenceTraining()) {
            // Before the first step the reference scores every answer once: a forward pass over an epoch.
            const double epochTokens = e.totalTokens / static_cast<double>(std::max<qint64>(1, c.epochs));
            e.seconds += epochTokens * (2.0 * base + attention) / (e.gflops * 1e9 * efficiency);
            e.notes << QStringLiteral("DPO scores both answers of every pair, and the starting model scores them once "
                                      "before the first step");
        }
    } else {
        e.notes << QStringLiteral("the time needs a step limit or measured training data");
    }

    // This machine.
    e.machineMemoryBytes = options.machineMemoryBytes >= 0 ? options.machineMemoryBytes : machineMemoryBytes();
    if (e.machineMemoryBytes > 0) {
        const double total = e.totalBytes();
        const double machine = static_cast<double>(e.machineMemoryBytes);
        if (total > 0.9 * machine) {
            e.fits = false;
            e.warning =
                QStringLiteral("Needs about %1, but this machine has %2 of memory: lower the batch size or max length, "
                               "turn on gradient checkpointing, or choose QLoRA.")
                    .arg(formatBytes(total), formatBytes(machine));
        } else if (total > 0.7 * machine) {
            e.warning =
                QStringLiteral("Needs about %1 of this machine's %2: it fits, with little room for anything else.")
                    .arg(formatBytes(total), formatBytes(machine));
        }
    }
    return e;
}

qint64 parseMemTotal(const QByteArray& meminfo)
{
    for (const QByteArray& line : meminfo.split('\n')) {
        if (!line.startsWith("MemTotal:"))
            continue;
        const QList<QByteArray> parts = line.mid(9).simplified().split(' ');
        bool ok = false;
        const qint64 value = parts.value(0).toLongLong(&ok);
        if (!ok || value <= 0)
            return 0;
        const QByteArray unit = parts.value(1).toLower();
        return unit == "kb" ? value * 1024 : unit.isEmpty() ? value : 0;
    }
    return 0;
}

qint64 machineMemoryBytes()
{
    QFile file(QStringLiteral("/proc/meminfo"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    return parseMemTotal(file.read(64 * 1024));
}

QString formatBytes(double bytes)
{
    if (!std::isfinite(bytes) || bytes < 0)
        return QStringLiteral("?");
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2")
        .arg(bytes, 0, 'f', unit == 0 || bytes >= 100 ? 0 : 1)
        .arg(QLatin1String(units[unit]));
}

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("?");
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(std::max(1.0, std::round(seconds)));
    const auto minutes = static_cast<qint64>(std::round(seconds / 60));
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 48)
        return QStringLiteral("%1 h %2 min").arg(hours).arg(minutes % 60);
    return QStringLiteral("%1 days").arg(hours / 24);
}

void applyMeasuredData(ResourceEstimateOptions* options, const TrainingDataMeasure& measure, const TrainConfig& config,
                       bool sharedValidation)
{
    const double share = sharedValidation ? 1.0 - config.valFraction : 1.0;
    options->tokensPerEpoch = static_cast<qint64>(static_cast<double>(measure.estimatedTokens) * share);
    const std::vector<bool> validates =
        sharedValidation ? sharedValidationMask(measure.records, config.valFraction, config.seed) : std::vector<bool>{};
    options->trainExamples =
        measure.records - static_cast<qint64>(std::count(validates.begin(), validates.end(), true));
    options->trainLengths.clear();
    for (size_t i = 0; i < measure.sampleLengths.size(); ++i)
        if (i >= validates.size() || !validates[i])
            options->trainLengths.push_back(measure.sampleLengths[i]);
}

} // namespace ft
