#pragma once
// What the bench commands share: clocks, medians, option parsing, the machine's sgemm rate.

#include <chrono>
#include <vector>

#include <QCommandLineParser>

#include <c10/core/ScalarType.h>

namespace ft::cli {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start);
// CPU seconds of this process (all threads): on a busy machine a steadier measure than wall time.
double processCpuSeconds();
double median(std::vector<double> values);
// --name as a non-negative integer; throws UsageError otherwise.
int intOption(const QCommandLineParser& parser, const QString& name);
// GFLOP/s of an n x n x n fp32 matrix product: the machine's practical peak for the engine.
double sgemmGflops(int n, int repeats);
// The same in `dtype` (bf16: oneDNN's products, where the CPU has AVX-512 BF16 several times sgemm's).
double matmulGflops(int n, int repeats, torch::ScalarType dtype);

int benchTrain(const QStringList& args);

} // namespace ft::cli
