// ftstudio-cli bench: engine benchmarks. Numbers are reported (human and --json), never asserted.

#include <algorithm>
#include <chrono>
#include <numeric>

#include <malloc.h>
#include <time.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QTemporaryDir>

#include "cli_common.h"
#include "commands.h"
#include "engine/batching.h"
#include "engine/compute_threads.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/process_memory.h"
#include "engine/starter_model.h"
#include "engine/token_loss.h"
#include "engine/quantized_linear.h"
#include "engine/trainable_setup.h"
#include "engine/training_model.h"

namespace ft::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU seconds of this process (all threads): on a busy machine a steadier measure than wall time.
double processCpuSeconds()
{
    timespec spec{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec);
    return static_cast<double>(spec.tv_sec) + static_cast<double>(spec.tv_nsec) * 1e-9;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n == 0 ? 0.0 : (n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]));
}

int intOption(const QCommandLineParser& parser, const QString& name)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < 0)
        throw UsageError{QStringLiteral("--%1 expects a non-negative integer").arg(name)};
    return value;
}

// GFLOP/s of an n x n x n fp32 matrix product: the machine's practical peak for the engine.
double sgemmGflops(int n, int repeats)
{
    const torch::Tensor a = torch::randn({n, n});
    const torch::Tensor b = torch::randn({n, n});
    torch::Tensor c = torch::mm(a, b); // warm up threads and caches
    std::vector<double> seconds;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        c = torch::mm(a, b);
        seconds.push_back(since(start));
    }
    return 2.0 * n * n * static_cast<double>(n) / median(seconds) / 1e9;
}

int benchSgemm(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("size"), QStringLiteral("Matrix size (default 2048)."), QStringLiteral("N"), QStringLiteral("2048")},
                       {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Measure the fp32 matrix-multiply throughput (GFLOP/s) of this machine.")))
        return 0;
    const int threads = applyThreadsOption(parser);
    const double gflops = sgemmGflops(intOption(parser, QStringLiteral("size")), 7);
    if (parser.isSet(QStringLiteral("json")))
        printJson({{QStringLiteral("sgemm_gflops"), gflops}, {QStringLiteral("threads"), threads}});
    else
        out() << QStringLiteral("sgemm %1: %2 GFLOP/s on %3 threads\n").arg(parser.value(QStringLiteral("size"))).arg(gflops, 0, 'f', 1).arg(threads);
    return 0;
}

int benchTrain(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("preset"), QStringLiteral("Model shape: %1 (default stories15m).").arg(starterPresets().join(QStringLiteral(", "))), QStringLiteral("P"), QStringLiteral("stories15m")},
        {QStringLiteral("model"), QStringLiteral("Benchmark this model folder instead of a random model of a preset shape."), QStringLiteral("PATH")},
        {QStringLiteral("batch"), QStringLiteral("Rows per step (default 8)."), QStringLiteral("B"), QStringLiteral("8")},
        {QStringLiteral("seq"), QStringLiteral("Tokens per row (default 256)."), QStringLiteral("T"), QStringLiteral("256")},
        {QStringLiteral("steps"), QStringLiteral("Measured steps (default 10)."), QStringLiteral("N"), QStringLiteral("10")},
        {QStringLiteral("warmup"), QStringLiteral("Unmeasured steps first (default 2)."), QStringLiteral("N"), QStringLiteral("2")},
        {QStringLiteral("dtype"), QStringLiteral("Compute dtype: float32 or bfloat16."), QStringLiteral("D"), QStringLiteral("float32")},
        {QStringLiteral("gradient-checkpointing"), QStringLiteral("Recompute decoder layers in the backward pass.")},
        {QStringLiteral("mode"), QStringLiteral("full (default), instruction (LoRA), qlora, or freeze: the presets of training."), QStringLiteral("MODE"), QStringLiteral("full")},
        {QStringLiteral("base"), QStringLiteral("Override the preset's base storage: none, int8 or nf4."), QStringLiteral("Q")},
        {QStringLiteral("lora-dropout"), QStringLiteral("Override the preset's LoRA dropout (default 0.05)."), QStringLiteral("P")},
        {QStringLiteral("json"), QStringLiteral("Print JSON.")},
    });
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Measure training throughput (full fine-tuning, AdamW, loss on all tokens) "
                                                     "on random data: tokens/s, ms/step, peak resident memory, and the model "
                                                     "FLOPs utilisation against this machine's sgemm throughput.")))
        return 0;
    const int threads = applyThreadsOption(parser);
    const int batch = intOption(parser, QStringLiteral("batch"));
    const int seq = intOption(parser, QStringLiteral("seq"));
    const int steps = std::max(1, intOption(parser, QStringLiteral("steps")));
    const int warmup = intOption(parser, QStringLiteral("warmup"));
    const auto dtype = parser.value(QStringLiteral("dtype")) == QLatin1String("bfloat16") ? torch::kBFloat16 : torch::kFloat32;

    const double peak = sgemmGflops(2048, 5);
    const int64_t baseline = residentBytes();
    TrainConfig config;
    config.applyModePreset(parser.value(QStringLiteral("mode")));
    if (parser.isSet(QStringLiteral("base")))
        config.baseQuantization = parser.value(QStringLiteral("base"));
    if (parser.isSet(QStringLiteral("lora-dropout")))
        config.loraDropout = parser.value(QStringLiteral("lora-dropout")).toDouble();
    config.computeDtype = parser.value(QStringLiteral("dtype"));
    config.gradientCheckpointing = config.gradientCheckpointing || parser.isSet(QStringLiteral("gradient-checkpointing"));
    config.learningRate = 1e-4;
    LoadedModel loaded;
    if (parser.isSet(QStringLiteral("model"))) {
        // The trainer's own path: quantized while loading, adapters applied.
        config.model = parser.value(QStringLiteral("model"));
        loaded = loadTrainingModel(config);
    } else {
        loaded.config = starterPresetConfig(parser.value(QStringLiteral("preset")));
        loaded.model = LlamaForCausalLM(loaded.config, dtype, WeightInit::Random, 1);
        const BaseQuantization quantization = baseQuantizationFrom(config);
        if (quantization.kind != BaseQuantizationKind::None)
            quantizeBase(*loaded.model, quantization, /*quantizeCurrentWeights=*/true);
        if (config.trainable == QLatin1String("lora"))
            applyLora(*loaded.model, loraSettingsFrom(config), config.seed);
    }
    LlamaForCausalLMImpl& model = *loaded.model;
    model.train();
    model.setGradientCheckpointing(config.gradientCheckpointing);
    const auto trainable = selectTrainableParameters(model, config);
    ::malloc_trim(0); // what setup freed (a random model's dense weights before quantizing) leaves resident memory
    auto optimizer = makeOptimizer(trainable, config);
    const torch::Tensor tokens = torch::randint(0, loaded.config.vocabSize, {batch, seq + 1}, torch::kInt64);
    const torch::Tensor inputs = tokens.narrow(1, 0, seq).contiguous();
    const torch::Tensor targets = tokens.narrow(1, 1, seq).contiguous();
    const double count = static_cast<double>(batch) * seq;

    // Phase times of the measured steps: body forward, head + loss, backward, optimizer.
    std::vector<double> stepSeconds, forwardSeconds, lossSeconds, backwardSeconds, optimizerSeconds, cpuSeconds;
    int64_t dequantizeNs = 0;
    for (int step = 0; step < warmup + steps; ++step) {
        if (step == warmup) {
            resetPeakResident();
            resetDequantizeNanoseconds();
        }
        const auto start = Clock::now();
        const double cpuStart = processCpuSeconds();
        for (auto& p : trainable)
            p.tensor.mutable_grad() = torch::Tensor();
        const torch::Tensor hidden = model.hiddenStates(inputs);
        const auto forwardDone = Clock::now();
        const torch::Tensor loss = tokenCrossEntropySum(model, hidden, targets) / count;
        const auto lossDone = Clock::now();
        loss.backward();
        const auto backwardDone = Clock::now();
        const double norm = gradientNorm(trainable);
        if (norm > 1.0)
            scaleGradients(trainable, 1.0 / (norm + 1e-6));
        optimizer->step();
        const auto end = Clock::now();
        if (step >= warmup) {
            cpuSeconds.push_back(processCpuSeconds() - cpuStart);
            stepSeconds.push_back(std::chrono::duration<double>(end - start).count());
            forwardSeconds.push_back(std::chrono::duration<double>(forwardDone - start).count());
            lossSeconds.push_back(std::chrono::duration<double>(lossDone - forwardDone).count());
            backwardSeconds.push_back(std::chrono::duration<double>(backwardDone - lossDone).count());
            optimizerSeconds.push_back(std::chrono::duration<double>(end - backwardDone).count());
        }
    }
    dequantizeNs = dequantizeNanoseconds();
    const double dequantizeShare = static_cast<double>(dequantizeNs) / 1e9 / std::accumulate(stepSeconds.begin(), stepSeconds.end(), 0.0);
    const double msPerStep = median(stepSeconds) * 1e3;
    const double tokensPerSecond = count / median(stepSeconds);
    const int64_t parameters = parameterCount(trainable);
    const int64_t modelParameters = loaded.config.parameterCount();
    // Training FLOPs per token: 6 per trainable weight (forward, input and weight gradients), 4 per
    // frozen weight (forward and input gradients only).
    const double flopsPerToken = 6.0 * static_cast<double>(parameters) + 4.0 * static_cast<double>(std::max<int64_t>(0, modelParameters - parameters));
    const double mfu = flopsPerToken * tokensPerSecond / (peak * 1e9);
    const int64_t peakRss = peakResidentBytes();
    const QJsonObject result{
        {QStringLiteral("shape"), parser.isSet(QStringLiteral("model")) ? parser.value(QStringLiteral("model")) : parser.value(QStringLiteral("preset"))},
        {QStringLiteral("mode"), config.mode},
        {QStringLiteral("base_quantization"), config.baseQuantization},
        {QStringLiteral("gradient_checkpointing"), config.gradientCheckpointing},
        {QStringLiteral("parameters"), static_cast<qint64>(modelParameters)},
        {QStringLiteral("trainable_parameters"), static_cast<qint64>(parameters)},
        {QStringLiteral("dequantize_share"), dequantizeShare},
        {QStringLiteral("batch"), batch},
        {QStringLiteral("seq"), seq},
        {QStringLiteral("dtype"), parser.value(QStringLiteral("dtype"))},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("steps"), steps},
        {QStringLiteral("ms_per_step_median"), msPerStep},
        {QStringLiteral("cpu_ms_per_step_median"), median(cpuSeconds) * 1e3},
        {QStringLiteral("tokens_per_second"), tokensPerSecond},
        {QStringLiteral("sgemm_gflops"), peak},
        {QStringLiteral("mfu"), mfu},
        {QStringLiteral("peak_rss_bytes"), static_cast<qint64>(peakRss)},
        {QStringLiteral("rss_before_model_bytes"), static_cast<qint64>(baseline)},
        {QStringLiteral("phase_ms_median"), QJsonObject{{QStringLiteral("forward"), median(forwardSeconds) * 1e3},
                                                         {QStringLiteral("head_and_loss"), median(lossSeconds) * 1e3},
                                                         {QStringLiteral("backward"), median(backwardSeconds) * 1e3},
                                                         {QStringLiteral("clip_and_optimizer"), median(optimizerSeconds) * 1e3}}},
    };
    if (parser.isSet(QStringLiteral("json"))) {
        printJson(result);
        return 0;
    }
    out() << QStringLiteral("%1 (%2 parameters, %7 trainable), mode %8 (base %9%10), batch %3 x %4, %5, %6 threads\n")
                 .arg(result[QStringLiteral("shape")].toString(), humanCount(modelParameters))
                 .arg(batch)
                 .arg(seq)
                 .arg(parser.value(QStringLiteral("dtype")))
                 .arg(threads)
                 .arg(humanCount(parameters), config.mode, config.baseQuantization,
                      config.gradientCheckpointing ? QStringLiteral(", gradient checkpointing") : QString())
          << QStringLiteral("  %1 ms/step (median of %2), %3 tokens/s; %4 ms of CPU per step\n")
                 .arg(msPerStep, 0, 'f', 1)
                 .arg(steps)
                 .arg(tokensPerSecond, 0, 'f', 0)
                 .arg(median(cpuSeconds) * 1e3, 0, 'f', 1)
          << QStringLiteral("  phases: forward %1 ms, head+loss %2 ms, backward %3 ms, clip+optimizer %4 ms\n")
                 .arg(median(forwardSeconds) * 1e3, 0, 'f', 1)
                 .arg(median(lossSeconds) * 1e3, 0, 'f', 1)
                 .arg(median(backwardSeconds) * 1e3, 0, 'f', 1)
                 .arg(median(optimizerSeconds) * 1e3, 0, 'f', 1)
          << QStringLiteral("  sgemm peak %1 GFLOP/s, model FLOPs utilisation %2%\n").arg(peak, 0, 'f', 1).arg(mfu * 100, 0, 'f', 1)
          << QStringLiteral("  peak resident memory %1; dequantizing %2% of step time\n").arg(humanBytes(peakRss)).arg(dequantizeShare * 100, 0, 'f', 1);
    return 0;
}

int benchGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("Model folder or llama2.c .bin."));
    parser.addOptions({{QStringLiteral("tokens"), QStringLiteral("New tokens per run (default 200)."), QStringLiteral("N"), QStringLiteral("200")},
                       {QStringLiteral("runs"), QStringLiteral("Runs (default 5)."), QStringLiteral("N"), QStringLiteral("5")},
                       {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Measure greedy generation speed (tokens/s, median of runs) from BOS.")))
        return 0;
    const QString path = requirePositional(parser, 1, QStringLiteral("MODEL"))[0];
    const int threads = applyThreadsOption(parser);
    LoadedModel loaded = loadModel(path);
    SamplingOptions options;
    options.greedy = true;
    options.stopAtEos = false;
    options.maxNewTokens = intOption(parser, QStringLiteral("tokens"));
    std::vector<double> rates;
    for (int i = 0; i < std::max(1, intOption(parser, QStringLiteral("runs"))); ++i)
        rates.push_back(generate(*loaded.model, *loaded.tokenizer, {loaded.tokenizer->bosId()}, options).tokensPerSecond());
    const double rate = median(rates);
    if (parser.isSet(QStringLiteral("json")))
        printJson({{QStringLiteral("tokens_per_second"), rate}, {QStringLiteral("threads"), threads}, {QStringLiteral("new_tokens"), options.maxNewTokens}});
    else
        out() << QStringLiteral("%1: %2 tokens/s (greedy, %3 new tokens, median of %4 runs, %5 threads)\n")
                     .arg(path)
                     .arg(rate, 0, 'f', 1)
                     .arg(options.maxNewTokens)
                     .arg(rates.size())
                     .arg(threads);
    return 0;
}

int benchLoad(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("Model folder."));
    parser.addOptions({{QStringLiteral("dtype"), QStringLiteral("Compute dtype (default float32)."), QStringLiteral("D"), QStringLiteral("float32")},
                       {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Measure model load time and peak resident memory.")))
        return 0;
    const QString path = requirePositional(parser, 1, QStringLiteral("MODEL"))[0];
    applyThreadsOption(parser);
    const int64_t before = residentBytes();
    resetPeakResident();
    LoadOptions options;
    options.dtype = parser.value(QStringLiteral("dtype")) == QLatin1String("bfloat16") ? torch::kBFloat16 : torch::kFloat32;
    options.requireTokenizer = false;
    const auto start = Clock::now();
    LoadedModel loaded = loadModel(path, options);
    const double seconds = since(start);
    const int64_t peak = peakResidentBytes();
    int64_t weightBytes = 0;
    for (const auto& p : loaded.model->parameters())
        weightBytes += p.numel() * p.element_size();
    const QJsonObject result{{QStringLiteral("seconds"), seconds},
                             {QStringLiteral("peak_rss_bytes"), static_cast<qint64>(peak)},
                             {QStringLiteral("rss_before_bytes"), static_cast<qint64>(before)},
                             {QStringLiteral("weights_bytes"), static_cast<qint64>(weightBytes)},
                             {QStringLiteral("parameters"), static_cast<qint64>(loaded.config.parameterCount())}};
    if (parser.isSet(QStringLiteral("json")))
        printJson(result);
    else
        out() << QStringLiteral("%1: loaded in %2 s; peak resident %3 (before loading %4); the weights in memory: %5\n")
                     .arg(path)
                     .arg(seconds, 0, 'f', 2)
                     .arg(humanBytes(peak), humanBytes(before), humanBytes(weightBytes));
    return 0;
}

} // namespace

int runBench(const QStringList& args)
{
    const QString what = args.size() > 1 ? args[1] : QString();
    QStringList rest = args.mid(1);
    if (!rest.isEmpty())
        rest[0] = args[0] + QLatin1Char(' ') + what;
    if (what == QLatin1String("train"))
        return benchTrain(rest);
    if (what == QLatin1String("sgemm"))
        return benchSgemm(rest);
    if (what == QLatin1String("generate"))
        return benchGenerate(rest);
    if (what == QLatin1String("load"))
        return benchLoad(rest);
    if (what == QLatin1String("--help") || what == QLatin1String("-h")) {
        out() << "Usage: ftstudio-cli bench <train|sgemm|generate|load> [options]\n\n"
              << "  train     training throughput, phases, peak memory, MFU\n"
              << "  sgemm     matrix-multiply throughput\n"
              << "  generate  generation speed of a model\n"
              << "  load      load time and peak memory of a model\n";
        return 0;
    }
    throw UsageError{QStringLiteral("expected train, sgemm, generate or load")};
}

} // namespace ft::cli
