// Times one LoRA projection (the fused LoraLinearFunction: a frozen fp32 base plus a rank-r adapter),
// forward and backward, with and without dropout, at the projection shapes of the two benchmark
// models, and the parts of the dropout path on their own. It shows what the preset's dropout adds to
// an Instruction step, projection by projection.
//   bench_lora [repeats] [rank]      (default 20 repeats, rank 8; threads from $FT_THREADS)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "engine/compute_threads.h"
#include "engine/frozen_weight.h"
#include "engine/kernels/lora_dropout_corrections.h"
#include "engine/lora_linear_function.h"
#include "engine/kernels/lora_masked_product.h"
#include "engine/kernels/sparse_dropout.h"

namespace {

// Median wall time of `repeats` runs after one warm-up, in milliseconds.
double medianMs(int repeats, const std::function<void()>& run)
{
    run();
    std::vector<double> wall;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(wall.begin(), wall.end());
    return wall[wall.size() / 2];
}

struct Shape {
    const char* name;
    int64_t tokens, in, out;
};

void benchShape(const Shape& shape, int64_t rank, int repeats)
{
    torch::manual_seed(0);
    const torch::Tensor weight = torch::randn({shape.out, shape.in}) * 0.02; // (out, in)
    const ft::FrozenWeight base = ft::FrozenWeight::dense(weight);
    const torch::Tensor loraA = (torch::randn({rank, shape.in}) * 0.02).requires_grad_();  // (r, in)
    const torch::Tensor loraB = (torch::randn({shape.out, rank}) * 0.02).requires_grad_(); // (out, r)
    const torch::Tensor x = torch::randn({shape.tokens, shape.in}).requires_grad_();       // (n, in)
    const torch::Tensor gradY = torch::randn({shape.tokens, shape.out});                   // (n, out)

    std::printf("%-10s %5lld x %4lld -> %4lld", shape.name, static_cast<long long>(shape.tokens),
                static_cast<long long>(shape.in), static_cast<long long>(shape.out));
    for (double dropout : {0.0, 0.05}) {
        torch::Tensor y;
        const double forwardMs =
            medianMs(repeats, [&] { y = ft::loraLinear(x, base, torch::Tensor(), loraA, loraB, 2.0, dropout); });
        const double backwardMs = medianMs(repeats,
                                           [&] {
                                               y = ft::loraLinear(x, base, torch::Tensor(), loraA, loraB, 2.0, dropout);
                                               torch::autograd::grad({y}, {x, loraA, loraB}, {gradY});
                                           }) -
                                  forwardMs;
        std::printf("   p=%.2f fwd %6.2f bwd %6.2f", dropout, forwardMs, backwardMs);
    }
    // The dropout path's parts: the base product alone, the rank-r products, and the corrections.
    torch::NoGradGuard noGrad;
    const torch::Tensor xd = x.detach(), a = loraA.detach(), b = loraB.detach();
    const torch::Tensor aT = a.t().contiguous();
    const ft::SparseDropout drop(12345, 0.05);
    const double baseMs = medianMs(repeats, [&] { torch::mm(xd, weight.t()); });
    torch::Tensor y = torch::mm(xd, weight.t());
    torch::Tensor t = torch::mm(xd, a.t());
    const double rankMs = medianMs(repeats, [&] {
        t = torch::mm(xd, a.t());
        y.addmm_(t, b.t(), 1.0, 2.0);
    });
    // t = dropout(x) Aᵀ: the product and corrections as two passes over x, and the one-pass kernel.
    const double twoPassMs =
        medianMs(repeats, [&] { ft::maskedLowRankProduct(xd, aT, drop, ft::MaskedProductIsa::Portable); });
    const double onePassMs = medianMs(repeats, [&] { ft::maskedLowRankProduct(xd, aT, drop); });
    torch::Tensor gx = torch::mm(gradY, weight);
    const torch::Tensor gradT = torch::mm(gradY, b).contiguous();
    const double correctBackMs = medianMs(repeats, [&] { ft::correctDroppedGradients(xd, aT, gradT, drop, gx, true); });
    std::printf(
        "   | base mm %6.2f, rank-r mm+addmm %5.2f, t two passes %5.2f, one pass %5.2f, bwd corrections %5.2f\n",
        baseMs, rankMs, twoPassMs, onePassMs, correctBackMs);
}

} // namespace

int main(int argc, char** argv)
{
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 20;
    const int64_t rank = argc > 2 ? std::atoll(argv[2]) : 8;
    const int threads = ft::configureComputeThreads(0);
    std::printf("LoRA projection, rank %lld, %d threads, median of %d (ms)\n", static_cast<long long>(rank), threads,
                repeats);
    const std::vector<Shape> shapes = {
        {"15M qkvo", 2048, 288, 288},   {"15M up", 2048, 288, 768},   {"15M down", 2048, 768, 288},
        {"1.1B q,o", 512, 2048, 2048},  {"1.1B k,v", 512, 2048, 256}, {"1.1B up", 512, 2048, 5632},
        {"1.1B down", 512, 5632, 2048},
    };
    for (const Shape& shape : shapes)
        benchShape(shape, rank, repeats);
    return 0;
}
