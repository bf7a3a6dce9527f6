// Each hand-written kernel of core/engine/kernels against the composite LibTorch code it replaces, forward
// and backward, at the shapes of one stories15M training step (batch 8 x 256 tokens, hidden 288, 6 heads of
// 48, MLP 768, vocabulary 32000): whether a kernel still pays for its code. Runs alternate fused and
// composite, so both see the same machine; medians of `repeats` after a warm-up.
//   bench_kernels [repeats]      (default 15; threads from $FT_THREADS, default 2)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <torch/torch.h>

#include "engine/compute_threads.h"
#include "engine/kernels/fused_attention.h"
#include "engine/kernels/fused_rms_norm.h"
#include "engine/kernels/fused_swiglu.h"
#include "engine/kernels/narrow_softmax.h"
#include "engine/kernels/softmax_xent_kernel.h"

namespace {

constexpr int64_t kBatch = 8, kTokens = 256, kHidden = 288, kHeads = 6, kHeadDim = 48, kMlp = 768, kVocab = 32000;
constexpr int64_t kXentRows = 512; // the trainer's head works on chunks of about 64 MB of logits

double millisecondsOf(const std::function<void()>& run)
{
    const auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Forward and backward of fused and composite, interleaved; prints one row.
void compare(const char* name, int repeats, const std::function<void()>& fused, const std::function<void()>& composite)
{
    fused();
    composite();
    std::vector<double> a, b;
    for (int i = 0; i < repeats; ++i) {
        a.push_back(millisecondsOf(fused));
        b.push_back(millisecondsOf(composite));
    }
    const double f = median(a), c = median(b);
    std::printf("%-34s %10.2f %12.2f %8.2f x\n", name, f, c, c / f);
    std::fflush(stdout);
}

// Runs forward then backward with a fixed output gradient, clearing the inputs' gradients first.
void step(const torch::Tensor& out, const torch::Tensor& gradOut) { out.backward(gradOut); }

void clearGradients(std::initializer_list<torch::Tensor> tensors)
{
    for (torch::Tensor t : tensors)
        if (t.grad().defined())
            t.mutable_grad().reset();
}

void benchAttention(int repeats)
{
    torch::manual_seed(1);
    // q, k, v (B, T, H, D); causal mask (1, T, T)
    auto make = [] { return torch::randn({kBatch, kTokens, kHeads, kHeadDim}).requires_grad_(); };
    const torch::Tensor q = make(), k = make(), v = make();
    const torch::Tensor allowed = torch::ones({kTokens, kTokens}, torch::kBool).tril().unsqueeze(0);
    const torch::Tensor gradOut = torch::randn({kBatch, kTokens, kHeads, kHeadDim});
    const double scale = 1.0 / std::sqrt(double(kHeadDim));
    compare(
        "attention (fwd+bwd)", repeats,
        [&] {
            clearGradients({q, k, v});
            step(ft::fusedAttention(q, k, v, allowed, scale), gradOut);
        },
        [&] {
            clearGradients({q, k, v});
            // The composite path of AttentionImpl: (B, H, T, D) products, masked softmax in fp32.
            const torch::Tensor qh = q.transpose(1, 2), kh = k.transpose(1, 2), vh = v.transpose(1, 2);
            const torch::Tensor scores = (torch::matmul(qh, kh.transpose(-2, -1)) * scale)
                                             .masked_fill(allowed.unsqueeze(1).logical_not(), -INFINITY);
            const torch::Tensor out = torch::matmul(torch::softmax(scores, -1), vh).transpose(1, 2);
            step(out, gradOut);
        });
}

void benchRmsNorm(int repeats)
{
    torch::manual_seed(2);
    const torch::Tensor x = torch::randn({kBatch, kTokens, kHidden}).requires_grad_();
    const torch::Tensor weight = (torch::rand({kHidden}) + 0.5).requires_grad_();
    const torch::Tensor gradOut = torch::randn({kBatch, kTokens, kHidden});
    compare(
        "RMSNorm (fwd+bwd)", repeats,
        [&] {
            clearGradients({x, weight});
            step(ft::fusedRmsNorm(x, weight, 1e-5), gradOut);
        },
        [&] {
            clearGradients({x, weight});
            step(weight * (x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-5)), gradOut);
        });
}

void benchSwiglu(int repeats)
{
    torch::manual_seed(3);
    const torch::Tensor gate = torch::randn({kBatch, kTokens, kMlp}).requires_grad_();
    const torch::Tensor up = torch::randn({kBatch, kTokens, kMlp}).requires_grad_();
    const torch::Tensor gradOut = torch::randn({kBatch, kTokens, kMlp});
    compare(
        "SwiGLU silu(gate)*up (fwd+bwd)", repeats,
        [&] {
            clearGradients({gate, up});
            step(ft::fusedSwiglu(gate, up), gradOut);
        },
        [&] {
            clearGradients({gate, up});
            step(torch::silu(gate) * up, gradOut);
        });
}

void benchSoftmaxXent(int repeats)
{
    torch::manual_seed(4);
    const torch::Tensor logits = torch::randn({kXentRows, kVocab});
    const torch::Tensor targets = torch::randint(0, kVocab, {kXentRows}, torch::kInt64);
    torch::Tensor work = logits.clone();
    double sink = 0.0;
    compare(
        "softmax-xent + gradient (chunk)", repeats,
        [&] {
            work.copy_(logits);
            sink += ft::softmaxCrossEntropyInPlace(work.data_ptr<float>(), targets.data_ptr<int64_t>(), kXentRows,
                                                   kVocab, true);
        },
        [&] {
            // What the kernel replaces: logsumexp, gather, then the gradient softmax - one-hot.
            work.copy_(logits);
            const torch::Tensor lse = torch::logsumexp(work, 1, true);
            sink += (lse.squeeze(1) - work.gather(1, targets.unsqueeze(1)).squeeze(1)).sum().item<double>();
            work.sub_(lse).exp_();
            work.scatter_add_(1, targets.unsqueeze(1), torch::full({kXentRows, 1}, -1.0f));
        });
    if (sink == 42.0)
        std::printf("(unlikely)\n");
}

// bf16 attention's softmax (fwd+bwd) against the composite it replaced (softmax in fp32, then to bf16),
// on the scores of one decoder layer: stories15M's step (8 x 6 heads x 256 x 256) and a 1B model's at
// batch 1 x 512 (32 heads x 512 x 512, TinyLlama's and Llama-3.2-1B's).
void benchNarrowSoftmax(int repeats)
{
    torch::manual_seed(5);
    for (const auto& shape :
         {std::vector<int64_t>{kBatch, kHeads, kTokens, kTokens}, std::vector<int64_t>{1, 32, 512, 512}}) {
        const torch::Tensor scores = (torch::randn(shape) * 2.0).to(torch::kBFloat16).requires_grad_();
        const torch::Tensor gradOut = torch::randn(shape).to(torch::kBFloat16);
        compare(
            shape[0] == 1 ? "bf16 softmax, 1B layer (fwd+bwd)" : "bf16 softmax (fwd+bwd)", repeats,
            [&] {
                clearGradients({scores});
                step(ft::narrowSoftmax(scores), gradOut);
            },
            [&] {
                clearGradients({scores});
                step(torch::softmax(scores, -1, torch::kFloat32).to(torch::kBFloat16), gradOut);
            });
    }
}

} // namespace

int main(int argc, char** argv)
{
    const int repeats = argc > 1 ? std::max(3, std::atoi(argv[1])) : 15;
    const char* threadsEnv = std::getenv("FT_THREADS");
    const int threads = threadsEnv ? std::max(1, std::atoi(threadsEnv)) : 2;
    ft::configureComputeThreads(threads);
    std::printf("stories15M step shapes, %d threads, median of %d (ms)\n", threads, repeats);
    std::printf("%-34s %10s %12s %10s\n", "kernel", "fused", "composite", "speed-up");
    benchAttention(repeats);
    benchRmsNorm(repeats);
    benchSwiglu(repeats);
    benchSoftmaxXent(repeats);
    benchNarrowSoftmax(repeats);
    return 0;
}
