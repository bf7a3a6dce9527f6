// Times NF4 and int8 quantization of one Llama-sized projection and reports its storage.
//   bench_quant [rows cols] [repeats]      (default 2048 5632, 5 repeats; threads from $FT_THREADS)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "engine/compute_threads.h"
#include "engine/int8_quant.h"
#include "engine/nf4.h"

namespace {

// Process CPU time across all threads, in milliseconds: on a shared machine it shows what the work
// costs when wall time is inflated by other processes.
double cpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct Timing {
    double wallMs;
    double cpuMs;
};

// Median wall and CPU time of `repeats` runs.
Timing median(int repeats, const std::function<void()>& run)
{
    std::vector<double> wall, cpu;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const double cpuStart = cpuMs();
        run();
        cpu.push_back(cpuMs() - cpuStart);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

} // namespace

int main(int argc, char** argv)
{
    const int64_t rows = argc > 2 ? std::atoll(argv[1]) : 2048;
    const int64_t cols = argc > 2 ? std::atoll(argv[2]) : 5632;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
    const int threads = ft::configureComputeThreads(0);
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    const torch::Tensor w = torch::randn({rows, cols}) * 0.02; // (rows, cols) fp32
    const torch::Tensor wBf16 = w.to(torch::kBFloat16);
    const double n = static_cast<double>(w.numel());
    std::printf("weight %lld x %lld (%.1f M parameters), %d threads, median of %d runs\n", (long long)rows,
                (long long)cols, n / 1e6, threads, repeats);
    std::printf("%-30s %10s %10s %18s %18s\n", "format", "bytes", "bits/param", "quant ms wall/cpu",
                "dequant ms wall/cpu");

    for (bool dq : {false, true}) {
        for (const torch::Tensor* source : {&w, &wBf16}) {
            ft::Nf4Tensor q;
            const Timing quant = median(repeats, [&] { q = ft::nf4Quantize(*source, dq); });
            const Timing dequant = median(repeats, [&] { ft::nf4Dequantize(q, source->scalar_type()); });
            const double err = (ft::nf4Dequantize(q) - w).abs().mean().item<double>() / w.abs().mean().item<double>();
            char name[64];
            std::snprintf(name, sizeof name, "nf4%s from %s", dq ? " double-quant" : "",
                          source == &w ? "fp32" : "bf16");
            std::printf("%-30s %10lld %10.4f %8.1f / %7.1f %8.1f / %7.1f   (mean rel. error %.4f)\n", name,
                        (long long)q.storageBytes(), q.storageBytes() * 8 / n, quant.wallMs, quant.cpuMs,
                        dequant.wallMs, dequant.cpuMs, err);
        }
    }
    ft::Int8Tensor q8;
    const Timing quant = median(repeats, [&] { q8 = ft::int8Quantize(w); });
    const Timing dequant = median(repeats, [&] { ft::int8Dequantize(q8); });
    std::printf("%-30s %10lld %10.4f %8.1f / %7.1f %8.1f / %7.1f\n", "int8 per-row from fp32",
                (long long)q8.storageBytes(), q8.storageBytes() * 8 / n, quant.wallMs, quant.cpuMs, dequant.wallMs,
                dequant.cpuMs);
    std::printf("%-30s %10lld %10.4f\n", "fp32", (long long)(w.numel() * 4), 32.0);
    std::printf("%-30s %10lld %10.4f\n", "bf16", (long long)(w.numel() * 2), 16.0);
    return 0;
}
