#include "bench_support.h"

#include <algorithm>

#include <time.h>

#include <torch/torch.h>

#include "cli_common.h"

namespace ft::cli {

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

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

double sgemmGflops(int n, int repeats) { return matmulGflops(n, repeats, torch::kFloat32); }

double matmulGflops(int n, int repeats, torch::ScalarType dtype)
{
    const torch::Tensor a = torch::randn({n, n}).to(dtype);
    const torch::Tensor b = torch::randn({n, n}).to(dtype);
    torch::Tensor c = torch::mm(a, b); // warm up threads and caches
    std::vector<double> seconds;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        c = torch::mm(a, b);
        seconds.push_back(since(start));
    }
    return 2.0 * n * n * static_cast<double>(n) / median(seconds) / 1e9;
}

} // namespace ft::cli
