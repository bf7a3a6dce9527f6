#include "engine/layer_checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include "engine/llama_model.h"

namespace ft {

namespace {

struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, DecoderLayerImpl* layer,
                                 const AttentionContext* context, int64_t layerIndex)
    {
        ctx->save_for_backward({x});
        ctx->saved_data["layer"] = reinterpret_cast<int64_t>(layer);
        // The context's tensors are kept by value: the forward's context is gone by the time backward runs.
        ctx->saved_data["cos"] = context->rotary.cos;
        ctx->saved_data["sin"] = context->rotary.sin;
        ctx->saved_data["allowed"] = context->allowed;
        ctx->saved_data["index"] = layerIndex;
        // Dropout inside the layer (LoRA) must draw the same masks when the backward recomputes it.
        ctx->saved_data["rng"] = at::detail::getDefaultCPUGenerator().get_state();
        torch::NoGradGuard noGrad;
        return layer->forward(x, *context, static_cast<size_t>(layerIndex));
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
        AttentionContext context;
        context.rotary.cos = ctx->saved_data["cos"].toTensor();
        context.rotary.sin = ctx->saved_data["sin"].toTensor();
        context.allowed = ctx->saved_data["allowed"].toTensor();
        const auto index = static_cast<size_t>(ctx->saved_data["index"].toInt());
        torch::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);

        auto generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor currentRng = generator.get_state();
        generator.set_state(ctx->saved_data["rng"].toTensor());
        torch::Tensor y;
        {
            torch::AutoGradMode enableGrad(true);
            y = layer->forward(x, context, index);
        }
        generator.set_state(currentRng);
        torch::autograd::backward({y}, {gradOutputs[0]});
        return {x.grad(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

bool hasTrainableParameter(const torch::nn::Module& layer)
{
    for (const torch::Tensor& p : layer.parameters())
        if (p.requires_grad())
            return true;
    return false;
}

} // namespace

torch::Tensor checkpointedLayerForward(DecoderLayerImpl& layer, const torch::Tensor& x, const AttentionContext& context,
                                       size_t layerIndex)
{
    // Autograd records the checkpointed layer only when its input requires a gradient. Under LoRA the
    // embedding is frozen, so the first layer's input does not, yet the layer's adapters need gradients:
    // let the input ask for one then (Hugging Face's enable_input_require_grads does the same).
    torch::Tensor input = x;
    if (!x.requires_grad() && hasTrainableParameter(layer))
        input = x.detach().requires_grad_(true);
    return CheckpointedLayer::apply(input, &layer, &context, static_cast<int64_t>(layerIndex));
}

} // namespace ft
