// ftstudio-cli bench: engine benchmarks. Numbers are reported (human and --json), never asserted.
// The training benchmark is in cmd_bench_train.cpp.

#include <algorithm>

#include "bench_support.h"
#include "cli_common.h"
#include "engine/compute_threads.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/process_memory.h"
#include "engine_commands.h"
#include "engine_threads.h"

namespace ft::cli {

namespace {

int benchSgemm(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("size"), QStringLiteral("Matrix size (default 2048)."), QStringLiteral("N"),
                        QStringLiteral("2048")},
                       {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Measure the matrix-multiply throughput (GFLOP/s) of this machine, in fp32 "
                                       "and in bf16 (fast where the CPU has AVX-512 BF16 or AMX).")))
        return 0;
    const int threads = applyThreadsOption(parser);
    const int size = intOption(parser, QStringLiteral("size"));
    const double gflops = sgemmGflops(size, 7);
    const double bf16Gflops = matmulGflops(size, 7, torch::kBFloat16);
    if (parser.isSet(QStringLiteral("json")))
        printJson({{QStringLiteral("sgemm_gflops"), gflops},
                   {QStringLiteral("bf16_gflops"), bf16Gflops},
                   {QStringLiteral("threads"), threads}});
    else
        out() << QStringLiteral("sgemm %1: %2 GFLOP/s, bf16 %3 GFLOP/s on %4 threads\n")
                     .arg(size)
                     .arg(gflops, 0, 'f', 1)
                     .arg(bf16Gflops, 0, 'f', 1)
                     .arg(threads);
    return 0;
}

int benchGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL"), QStringLiteral("Model folder or llama2.c .bin."));
    parser.addOptions(
        {{QStringLiteral("tokens"), QStringLiteral("New tokens per run (default 200)."), QStringLiteral("N"),
          QStringLiteral("200")},
         {QStringLiteral("runs"), QStringLiteral("Runs (default 5)."), QStringLiteral("N"), QStringLiteral("5")},
         {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Measure greedy generation speed (tokens/s, median of runs) from BOS.")))
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
        rates.push_back(
            generate(*loaded.model, *loaded.tokenizer, {loaded.tokenizer->bosId()}, options).tokensPerSecond());
    const double rate = median(rates);
    if (parser.isSet(QStringLiteral("json")))
        printJson({{QStringLiteral("tokens_per_second"), rate},
                   {QStringLiteral("threads"), threads},
                   {QStringLiteral("new_tokens"), options.maxNewTokens}});
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
    parser.addOptions({{QStringLiteral("dtype"), QStringLiteral("Compute dtype (default float32)."),
                        QStringLiteral("D"), QStringLiteral("float32")},
                       {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Measure model load time and peak resident memory.")))
        return 0;
    const QString path = requirePositional(parser, 1, QStringLiteral("MODEL"))[0];
    applyThreadsOption(parser);
    const int64_t before = residentBytes();
    resetPeakResident();
    LoadOptions options;
    options.dtype =
        parser.value(QStringLiteral("dtype")) == QLatin1String("bfloat16") ? torch::kBFloat16 : torch::kFloat32;
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
