#include "engine/quantized_linear.h"

#include <atomic>
#include <chrono>

namespace ft {

namespace {

std::atomic<int64_t> g_dequantizeNanoseconds{0};

// Times one dequantization into the benchmark counter.
template <typename F> torch::Tensor timedDequantize(F&& dequantize)
{
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor w = dequantize();
    g_dequantizeNanoseconds +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    return w;
}

// Saved for backward: the packed codes and the scales, never a dequantized weight. Undefined entries
// (absmax under double quantization, or the double-quant scales without it) are saved as undefined.
enum Nf4Saved { Codes, Absmax, ScaleCodes, ScaleSteps, ScaleOffset };

Nf4Tensor nf4FromSaved(torch::autograd::AutogradContext* ctx)
{
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    Nf4Tensor w;
    w.shape = ctx->saved_data["shape"].toIntVector();
    w.codes = saved[Codes];
    w.absmax = saved[Absmax];
    w.scales = {saved[ScaleCodes], saved[ScaleSteps], saved[ScaleOffset]};
    return w;
}

} // namespace

torch::Tensor Nf4LinearFunction::forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                                         const Nf4Tensor& weight)
{
    ctx->save_for_backward(
        {weight.codes, weight.absmax, weight.scales.codes, weight.scales.steps, weight.scales.offset});
    ctx->saved_data["shape"] = weight.shape;
    return torch::linear(x, timedDequantize([&] {
                             return nf4Dequantize(weight, x.scalar_type());
                         })); // W (out, in) lives only for this call
}

torch::autograd::variable_list Nf4LinearFunction::backward(torch::autograd::AutogradContext* ctx,
                                                           torch::autograd::variable_list gradOutputs)
{
    const torch::Tensor& gradY = gradOutputs[0]; // (..., out)
    const torch::Tensor w =
        timedDequantize([&] { return nf4Dequantize(nf4FromSaved(ctx), gradY.scalar_type()); }); // (out, in)
    return {torch::matmul(gradY, w), torch::Tensor()};                                          // (..., in)
}

torch::Tensor Int8LinearFunction::forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                                          const Int8Tensor& weight)
{
    ctx->save_for_backward({weight.codes, weight.steps});
    return torch::linear(x, timedDequantize([&] { return int8Dequantize(weight, x.scalar_type()); }));
}

torch::autograd::variable_list Int8LinearFunction::backward(torch::autograd::AutogradContext* ctx,
                                                            torch::autograd::variable_list gradOutputs)
{
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& gradY = gradOutputs[0];
    const torch::Tensor w = timedDequantize([&] {
        return int8Dequantize({saved[0], saved[1]}, gradY.scalar_type());
    }); // (out, in)
    return {torch::matmul(gradY, w), torch::Tensor()};
}

torch::Tensor timedNf4Dequantize(const Nf4Tensor& weight, torch::ScalarType dtype)
{
    return timedDequantize([&] { return nf4Dequantize(weight, dtype); });
}

torch::Tensor timedInt8Dequantize(const Int8Tensor& weight, torch::ScalarType dtype)
{
    return timedDequantize([&] { return int8Dequantize(weight, dtype); });
}

int64_t dequantizeNanoseconds() { return g_dequantizeNanoseconds.load(); }
void resetDequantizeNanoseconds() { g_dequantizeNanoseconds = 0; }

torch::Tensor nf4Linear(const torch::Tensor& x, const Nf4Tensor& weight) { return Nf4LinearFunction::apply(x, weight); }

torch::Tensor int8Linear(const torch::Tensor& x, const Int8Tensor& weight)
{
    return Int8LinearFunction::apply(x, weight);
}

} // namespace ft
