// ftstudio-cli bench train: training throughput, phases, peak memory and MFU of one or several modes.
// Several modes (--mode full,instruction) are built in one process and stepped in turn, one step of
// each, so that a busy machine slows them alike and their ratio holds even when the absolute numbers
// do not.

#include <numeric>
#include <optional>

#include <malloc.h>

#include <QJsonArray>

#include "bench_support.h"
#include "cli_common.h"
#include "engine/compute_threads.h"
#include "engine/process_memory.h"
#include "engine/quantized_linear.h"
#include "engine/starter_model.h"
#include "engine/token_loss.h"
#include "engine/trainable_setup.h"
#include "engine/training_model.h"
#include "engine_threads.h"

namespace ft::cli {

namespace {

// Seconds of the measured steps, by phase: body forward, head + loss, backward, clip + optimizer.
struct TrainSamples {
    std::vector<double> step, forward, loss, backward, optimizer, cpu;
    int64_t dequantizeNs = 0;
};

struct ModeCase {
    QString label;
    TrainConfig config;
    LoadedModel loaded;
    std::vector<NamedParameter> trainable;
    std::unique_ptr<FusedAdamW> optimizer;
    TrainSamples samples;
};

// One case of the run: a mode, and the LoRA dropout and checkpointed layers (a count or a share) given
// for it, if any.
struct CaseSpec {
    QString mode;
    std::optional<double> loraDropout;
    std::optional<int64_t> checkpointLayers;
    std::optional<double> checkpointFraction;
    bool namesCheckpointLayers = false; // the label gets them (once the preset says it checkpoints)
    QString label;                      // how the ratios name it: the mode, with the values that differ per case
};

// The values of a per-mode option: none, one for all modes, or one per mode (in order).
QStringList perModeValues(const QCommandLineParser& parser, const QString& option, qsizetype modes)
{
    const QStringList values =
        parser.isSet(option) ? parser.value(option).split(QLatin1Char(','), Qt::SkipEmptyParts) : QStringList();
    if (values.size() > 1 && values.size() != modes)
        throw UsageError{QStringLiteral("--%1 takes one value, or one per mode (%2 modes, %3 values)")
                             .arg(option)
                             .arg(modes)
                             .arg(values.size())};
    return values;
}

QString valueFor(const QStringList& values, qsizetype mode) { return values[values.size() > 1 ? mode : 0].trimmed(); }

// --mode a,b,... with --lora-dropout P, --checkpoint-layers N and --checkpoint-fraction F, each for all
// modes or per mode.
std::vector<CaseSpec> caseSpecs(const QCommandLineParser& parser)
{
    const QStringList modes = parser.value(QStringLiteral("mode")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (modes.isEmpty())
        throw UsageError{QStringLiteral("--mode expects one or more modes")};
    const QStringList dropouts = perModeValues(parser, QStringLiteral("lora-dropout"), modes.size());
    const QStringList checkpointed = perModeValues(parser, QStringLiteral("checkpoint-layers"), modes.size());
    const QStringList fractions = perModeValues(parser, QStringLiteral("checkpoint-fraction"), modes.size());
    std::vector<CaseSpec> specs;
    for (qsizetype i = 0; i < modes.size(); ++i) {
        CaseSpec spec{modes[i].trimmed(), std::nullopt, std::nullopt, std::nullopt, false, modes[i].trimmed()};
        if (!dropouts.isEmpty()) {
            const QString value = valueFor(dropouts, i);
            bool ok = false;
            spec.loraDropout = value.toDouble(&ok);
            if (!ok || *spec.loraDropout < 0.0 || *spec.loraDropout >= 1.0)
                throw UsageError{QStringLiteral("--lora-dropout expects values in [0, 1), not %1").arg(value)};
            if (dropouts.size() > 1)
                spec.label += QStringLiteral(", dropout %1").arg(value);
        }
        if (!checkpointed.isEmpty()) {
            const QString value = valueFor(checkpointed, i);
            bool ok = false;
            spec.checkpointLayers = value.toLongLong(&ok);
            if (!ok || *spec.checkpointLayers < 0)
                throw UsageError{
                    QStringLiteral("--checkpoint-layers expects layer counts (0: by the fraction), not %1").arg(value)};
            spec.namesCheckpointLayers = spec.namesCheckpointLayers || checkpointed.size() > 1;
        }
        if (!fractions.isEmpty()) {
            const QString value = valueFor(fractions, i);
            bool ok = false;
            spec.checkpointFraction = value.toDouble(&ok);
            if (!ok || !(*spec.checkpointFraction > 0.0 && *spec.checkpointFraction <= 1.0))
                throw UsageError{QStringLiteral("--checkpoint-fraction expects shares in (0, 1], not %1").arg(value)};
            spec.namesCheckpointLayers = spec.namesCheckpointLayers || fractions.size() > 1;
        }
        specs.push_back(spec);
    }
    return specs;
}

TrainConfig configFor(const QCommandLineParser& parser, const CaseSpec& spec)
{
    TrainConfig config;
    config.applyModePreset(spec.mode);
    if (config.isPreferenceTraining())
        throw UsageError{QStringLiteral("bench train does not measure DPO: its steps are those of Instruction's "
                                        "LoRA over twice the rows (one per answer)")};
    if (parser.isSet(QStringLiteral("base")))
        config.baseQuantization = parser.value(QStringLiteral("base"));
    if (spec.loraDropout)
        config.loraDropout = *spec.loraDropout;
    config.computeDtype = parser.value(QStringLiteral("dtype"));
    config.gradientCheckpointing =
        config.gradientCheckpointing || parser.isSet(QStringLiteral("gradient-checkpointing"));
    if (spec.checkpointLayers)
        config.checkpointLayers = *spec.checkpointLayers;
    if (spec.checkpointFraction)
        config.checkpointFraction = *spec.checkpointFraction;
    config.learningRate = 1e-4;
    return config;
}

std::unique_ptr<ModeCase> makeCase(const QCommandLineParser& parser, const CaseSpec& spec, torch::ScalarType dtype)
{
    auto c = std::make_unique<ModeCase>();
    c->label = spec.label;
    c->config = configFor(parser, spec);
    if (parser.isSet(QStringLiteral("model"))) {
        // The trainer's own path: quantized while loading, adapters applied.
        c->config.model = parser.value(QStringLiteral("model"));
        c->loaded = loadTrainingModel(c->config);
    } else {
        c->loaded.config = starterPresetConfig(parser.value(QStringLiteral("preset")));
        c->loaded.model = LlamaForCausalLM(c->loaded.config, dtype, WeightInit::Random, 1);
        const BaseQuantization quantization = baseQuantizationFrom(c->config);
        if (quantization.kind != BaseQuantizationKind::None)
            quantizeBase(*c->loaded.model, quantization, /*quantizeCurrentWeights=*/true);
        if (c->config.trainable == QLatin1String("lora"))
            applyLora(*c->loaded.model, loraSettingsFrom(c->config), c->config.seed);
        if (c->config.trainable == QLatin1String("prompt"))
            applySoftPrompt(*c->loaded.model, softPromptSettingsFrom(c->config), nullptr, c->config.seed);
    }
    LlamaForCausalLMImpl& model = *c->loaded.model;
    model.train();
    const int64_t checkpointed = checkpointedLayerCount(c->config, c->loaded.config.numLayers);
    model.setGradientCheckpointing(checkpointed > 0, checkpointed);
    if (spec.namesCheckpointLayers && checkpointed > 0)
        c->label += QStringLiteral(", checkpointing %1 of %2 layers").arg(checkpointed).arg(c->loaded.config.numLayers);
    c->trainable = selectTrainableParameters(model, c->config);
    ::malloc_trim(0); // what setup freed (a random model's dense weights before quantizing) leaves resident memory
    c->optimizer = makeOptimizer(c->trainable, c->config);
    return c;
}

void runStep(ModeCase& c, const torch::Tensor& inputs, const torch::Tensor& targets, double tokens, bool measured)
{
    LlamaForCausalLMImpl& model = *c.loaded.model;
    const int64_t dequantizeBefore = dequantizeNanoseconds();
    const auto start = Clock::now();
    const double cpuStart = processCpuSeconds();
    for (auto& p : c.trainable)
        p.tensor.mutable_grad() = torch::Tensor();
    const torch::Tensor hidden = model.hiddenStates(inputs);
    const auto forwardDone = Clock::now();
    const torch::Tensor loss = tokenCrossEntropySum(model, hidden, targets) / tokens;
    const auto lossDone = Clock::now();
    loss.backward();
    const auto backwardDone = Clock::now();
    const double norm = gradientNorm(c.trainable);
    if (norm > 1.0)
        c.optimizer->setGradientScale(1.0 / (norm + 1e-6));
    c.optimizer->step();
    const auto end = Clock::now();
    if (!measured)
        return;
    const auto seconds = [](Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration<double>(b - a).count();
    };
    TrainSamples& s = c.samples;
    s.cpu.push_back(processCpuSeconds() - cpuStart);
    s.step.push_back(seconds(start, end));
    s.forward.push_back(seconds(start, forwardDone));
    s.loss.push_back(seconds(forwardDone, lossDone));
    s.backward.push_back(seconds(lossDone, backwardDone));
    s.optimizer.push_back(seconds(backwardDone, end));
    s.dequantizeNs += dequantizeNanoseconds() - dequantizeBefore;
}

struct RunShape {
    QString shape;
    QString dtype;
    int batch = 0;
    int seq = 0;
    int threads = 0;
    int steps = 0;
    double sgemmGflops = 0;
    double bf16Gflops = 0; // bf16 runs: the bf16 matrix rate measured in the same process
};

QJsonObject summaryOf(const ModeCase& c, const RunShape& run)
{
    const TrainSamples& s = c.samples;
    const double tokens = static_cast<double>(run.batch) * run.seq;
    const double stepSeconds = median(s.step);
    const double tokensPerSecond = tokens / stepSeconds;
    const double totalSeconds = std::accumulate(s.step.begin(), s.step.end(), 0.0);
    const int64_t parameters = parameterCount(c.trainable);
    const int64_t modelParameters = c.loaded.config.parameterCount();
    // Training FLOPs per token: 6 per trainable weight (forward, input and weight gradients), 4 per
    // frozen weight (forward and input gradients only).
    const double flopsPerToken = 6.0 * static_cast<double>(parameters) +
                                 4.0 * static_cast<double>(std::max<int64_t>(0, modelParameters - parameters));
    return {
        {QStringLiteral("shape"), run.shape},
        {QStringLiteral("mode"), c.config.mode},
        {QStringLiteral("label"), c.label},
        {QStringLiteral("base_quantization"), c.config.baseQuantization},
        {QStringLiteral("lora_dropout"),
         c.config.trainable == QLatin1String("lora") ? QJsonValue(c.config.loraDropout) : QJsonValue()},
        {QStringLiteral("gradient_checkpointing"), c.config.gradientCheckpointing},
        {QStringLiteral("checkpointed_layers"), static_cast<qint64>(c.loaded.model->checkpointedLayerCount())},
        {QStringLiteral("parameters"), static_cast<qint64>(modelParameters)},
        {QStringLiteral("trainable_parameters"), static_cast<qint64>(parameters)},
        {QStringLiteral("dequantize_share"),
         totalSeconds > 0 ? static_cast<double>(s.dequantizeNs) / 1e9 / totalSeconds : 0.0},
        {QStringLiteral("batch"), run.batch},
        {QStringLiteral("seq"), run.seq},
        {QStringLiteral("dtype"), run.dtype},
        {QStringLiteral("threads"), run.threads},
        {QStringLiteral("steps"), run.steps},
        {QStringLiteral("ms_per_step_median"), stepSeconds * 1e3},
        {QStringLiteral("cpu_ms_per_step_median"), median(s.cpu) * 1e3},
        {QStringLiteral("tokens_per_second"), tokensPerSecond},
        {QStringLiteral("sgemm_gflops"), run.sgemmGflops},
        {QStringLiteral("mfu"), flopsPerToken * tokensPerSecond / (run.sgemmGflops * 1e9)},
        {QStringLiteral("bf16_matmul_gflops"), run.bf16Gflops > 0 ? QJsonValue(run.bf16Gflops) : QJsonValue()},
        {QStringLiteral("bf16_mfu"),
         run.bf16Gflops > 0 ? QJsonValue(flopsPerToken * tokensPerSecond / (run.bf16Gflops * 1e9)) : QJsonValue()},
        {QStringLiteral("phase_ms_median"),
         QJsonObject{{QStringLiteral("forward"), median(s.forward) * 1e3},
                     {QStringLiteral("head_and_loss"), median(s.loss) * 1e3},
                     {QStringLiteral("backward"), median(s.backward) * 1e3},
                     {QStringLiteral("clip_and_optimizer"), median(s.optimizer) * 1e3}}},
    };
}

void printSummary(const QJsonObject& r)
{
    const auto number = [&](const char* key) { return r[QLatin1String(key)].toDouble(); };
    const QJsonObject phases = r[QStringLiteral("phase_ms_median")].toObject();
    const QString dropout = r[QStringLiteral("lora_dropout")].isDouble()
                                ? QStringLiteral(", LoRA dropout %1").arg(number("lora_dropout"))
                                : QString();
    out() << QStringLiteral(
                 "%1 (%2 parameters, %3 trainable), mode %4 (base %5%6%7), batch %8 x %9, %10, %11 threads\n")
                 .arg(r[QStringLiteral("shape")].toString(), humanCount(static_cast<int64_t>(number("parameters"))),
                      humanCount(static_cast<int64_t>(number("trainable_parameters"))),
                      r[QStringLiteral("mode")].toString(), r[QStringLiteral("base_quantization")].toString(),
                      r[QStringLiteral("gradient_checkpointing")].toBool()
                          ? QStringLiteral(", gradient checkpointing of %1 layers")
                                .arg(r[QStringLiteral("checkpointed_layers")].toInteger())
                          : QString(),
                      dropout)
                 .arg(r[QStringLiteral("batch")].toInt())
                 .arg(r[QStringLiteral("seq")].toInt())
                 .arg(r[QStringLiteral("dtype")].toString())
                 .arg(r[QStringLiteral("threads")].toInt())
          << QStringLiteral("  %1 ms/step (median of %2), %3 tokens/s; %4 ms of CPU per step\n")
                 .arg(number("ms_per_step_median"), 0, 'f', 1)
                 .arg(r[QStringLiteral("steps")].toInt())
                 .arg(number("tokens_per_second"), 0, 'f', 0)
                 .arg(number("cpu_ms_per_step_median"), 0, 'f', 1)
          << QStringLiteral("  phases: forward %1 ms, head+loss %2 ms, backward %3 ms, clip+optimizer %4 ms\n")
                 .arg(phases[QStringLiteral("forward")].toDouble(), 0, 'f', 1)
                 .arg(phases[QStringLiteral("head_and_loss")].toDouble(), 0, 'f', 1)
                 .arg(phases[QStringLiteral("backward")].toDouble(), 0, 'f', 1)
                 .arg(phases[QStringLiteral("clip_and_optimizer")].toDouble(), 0, 'f', 1)
          << QStringLiteral("  sgemm peak %1 GFLOP/s, model FLOPs utilisation %2%; dequantizing %3% of step time\n")
                 .arg(number("sgemm_gflops"), 0, 'f', 1)
                 .arg(number("mfu") * 100, 0, 'f', 1)
                 .arg(number("dequantize_share") * 100, 0, 'f', 1);
    if (r[QStringLiteral("bf16_matmul_gflops")].isDouble())
        out() << QStringLiteral("  bf16 matrix products %1 GFLOP/s, model FLOPs utilisation against them %2%\n")
                     .arg(number("bf16_matmul_gflops"), 0, 'f', 1)
                     .arg(number("bf16_mfu") * 100, 0, 'f', 1);
    if (r.contains(QStringLiteral("peak_rss_bytes")))
        out() << QStringLiteral("  peak resident memory %1\n")
                     .arg(humanBytes(static_cast<int64_t>(number("peak_rss_bytes"))));
}

} // namespace

int benchTrain(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("preset"),
         QStringLiteral("Model shape: %1 (default stories15m).").arg(starterPresets().join(QStringLiteral(", "))),
         QStringLiteral("P"), QStringLiteral("stories15m")},
        {QStringLiteral("model"),
         QStringLiteral("Benchmark this model folder instead of a random model of a preset shape."),
         QStringLiteral("PATH")},
        {QStringLiteral("batch"), QStringLiteral("Rows per step (default 8)."), QStringLiteral("B"),
         QStringLiteral("8")},
        {QStringLiteral("seq"), QStringLiteral("Tokens per row (default 256)."), QStringLiteral("T"),
         QStringLiteral("256")},
        {QStringLiteral("steps"), QStringLiteral("Measured steps (default 10)."), QStringLiteral("N"),
         QStringLiteral("10")},
        {QStringLiteral("warmup"), QStringLiteral("Unmeasured steps first (default 2)."), QStringLiteral("N"),
         QStringLiteral("2")},
        {QStringLiteral("dtype"), QStringLiteral("Compute dtype: float32 or bfloat16."), QStringLiteral("D"),
         QStringLiteral("float32")},
        {QStringLiteral("gradient-checkpointing"), QStringLiteral("Recompute decoder layers in the backward pass.")},
        {QStringLiteral("mode"),
         QStringLiteral("full (default), instruction (LoRA), qlora, prompt (prompt tuning) or freeze: the presets "
                        "of training. "
                        "Several, comma-separated (full,instruction), are stepped in turn in one "
                        "process and compared with the first."),
         QStringLiteral("MODE"), QStringLiteral("full")},
        {QStringLiteral("base"), QStringLiteral("Override the preset's base storage: none, int8 or nf4."),
         QStringLiteral("Q")},
        {QStringLiteral("lora-dropout"),
         QStringLiteral("Override the preset's LoRA dropout (default 0.05): one value, or one per mode "
                        "(--mode instruction,instruction --lora-dropout 0.05,0)."),
         QStringLiteral("P")},
        {QStringLiteral("checkpoint-layers"),
         QStringLiteral("With gradient checkpointing (QLoRA's preset, or --gradient-checkpointing): "
                        "how many decoder layers, from the first, recompute their forward (0: by "
                        "--checkpoint-fraction); one value, or one per mode (--mode qlora,qlora "
                        "--checkpoint-layers 22,14)."),
         QStringLiteral("N")},
        {QStringLiteral("checkpoint-fraction"),
         QStringLiteral("With gradient checkpointing: the share of the decoder layers recomputed, "
                        "rounded up (1: all; QLoRA's preset 0.6); one value, or one per mode "
                        "(--mode qlora,qlora --checkpoint-fraction 1,0.6)."),
         QStringLiteral("F")},
        {QStringLiteral("json"), QStringLiteral("Print JSON.")},
    });
    addThreadsOption(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Measure training throughput (AdamW, loss on all tokens) on random data: "
                                       "tokens/s, ms/step, phases, peak resident memory, and the model FLOPs "
                                       "utilisation against this machine's sgemm throughput.")))
        return 0;
    RunShape run;
    run.threads = applyThreadsOption(parser);
    run.batch = intOption(parser, QStringLiteral("batch"));
    run.seq = intOption(parser, QStringLiteral("seq"));
    run.steps = std::max(1, intOption(parser, QStringLiteral("steps")));
    run.dtype = parser.value(QStringLiteral("dtype"));
    run.shape = parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model"))
                                                      : parser.value(QStringLiteral("preset"));
    const int warmup = intOption(parser, QStringLiteral("warmup"));
    const auto dtype = run.dtype == QLatin1String("bfloat16") ? torch::kBFloat16 : torch::kFloat32;
    const std::vector<CaseSpec> specs = caseSpecs(parser);

    run.sgemmGflops = sgemmGflops(2048, 5);
    if (dtype == torch::kBFloat16)
        run.bf16Gflops = matmulGflops(2048, 5, torch::kBFloat16);
    const int64_t baseline = residentBytes();
    std::vector<std::unique_ptr<ModeCase>> cases;
    for (const CaseSpec& spec : specs)
        cases.push_back(makeCase(parser, spec, dtype));
    const torch::Tensor tokens =
        torch::randint(0, cases.front()->loaded.config.vocabSize, {run.batch, run.seq + 1}, torch::kInt64);
    const torch::Tensor inputs = tokens.narrow(1, 0, run.seq).contiguous();
    const torch::Tensor targets = tokens.narrow(1, 1, run.seq).contiguous();
    for (int step = 0; step < warmup + run.steps; ++step) {
        if (step == warmup)
            resetPeakResident();
        for (auto& c : cases)
            runStep(*c, inputs, targets, static_cast<double>(run.batch) * run.seq, step >= warmup);
    }

    QJsonArray summaries;
    for (const auto& c : cases) {
        QJsonObject summary = summaryOf(*c, run);
        if (cases.size() == 1) { // with several models in the process, its peak is theirs together
            summary[QStringLiteral("peak_rss_bytes")] = static_cast<qint64>(peakResidentBytes());
            summary[QStringLiteral("rss_before_model_bytes")] = static_cast<qint64>(baseline);
        }
        summaries.append(summary);
    }
    const double firstRate = summaries[0].toObject()[QStringLiteral("tokens_per_second")].toDouble();
    QJsonObject ratios;
    for (const QJsonValue& s : summaries)
        ratios[s.toObject()[QStringLiteral("label")].toString()] =
            s.toObject()[QStringLiteral("tokens_per_second")].toDouble() / firstRate;
    if (parser.isSet(QStringLiteral("json"))) {
        if (cases.size() == 1)
            printJson(summaries[0].toObject());
        else
            printJson({{QStringLiteral("modes"), summaries}, {QStringLiteral("tokens_per_second_vs_first"), ratios}});
        return 0;
    }
    for (const QJsonValue& s : summaries)
        printSummary(s.toObject());
    if (cases.size() > 1) {
        out() << QStringLiteral("tokens/s against %1, stepped in turn:").arg(specs.front().label);
        for (const QJsonValue& s : summaries) {
            const QString label = s.toObject()[QStringLiteral("label")].toString();
            out() << QStringLiteral(" %1 %2x").arg(label).arg(ratios[label].toDouble(), 0, 'f', 2);
        }
        out() << "\n";
    }
    return 0;
}

} // namespace ft::cli
