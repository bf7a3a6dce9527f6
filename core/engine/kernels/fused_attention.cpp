#include "engine/kernels/fused_attention.h"

#include "engine/kernels/attention_kernel.h"

namespace ft {

namespace {

AttentionDims attentionDims(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& allowed)
{
    AttentionDims dims;
    dims.batch = q.size(0);
    dims.queries = q.size(1);
    dims.heads = q.size(2);
    dims.headDim = q.size(3);
    dims.keys = k.size(1);
    dims.kvHeads = k.size(2);
    dims.maskBatch = allowed.size(0);
    return dims;
}

struct FusedAttentionFunction : public torch::autograd::Function<FusedAttentionFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& qInput,
                                 const torch::Tensor& kInput, const torch::Tensor& vInput,
                                 const torch::Tensor& allowedInput, double scale)
    {
        const torch::Tensor q = qInput.contiguous();
        const torch::Tensor k = kInput.contiguous();
        const torch::Tensor v = vInput.contiguous();
        const torch::Tensor allowed = allowedInput.contiguous();
        const AttentionDims dims = attentionDims(q, k, allowed);
        torch::Tensor out = torch::empty_like(q);
        torch::Tensor lse = torch::empty({dims.batch, dims.heads, dims.queries}, q.options());
        attentionForward(dims, q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), allowed.data_ptr<bool>(),
                         static_cast<float>(scale), out.data_ptr<float>(), lse.data_ptr<float>());
        ctx->save_for_backward({q, k, v, out, lse});
        ctx->saved_data["allowed"] = allowed;
        ctx->saved_data["scale"] = scale;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::autograd::variable_list saved = ctx->get_saved_variables();
        const torch::Tensor& q = saved[0];
        const torch::Tensor& k = saved[1];
        const torch::Tensor& v = saved[2];
        const torch::Tensor allowed = ctx->saved_data["allowed"].toTensor();
        const torch::Tensor gradOut = gradOutputs[0].contiguous();
        const AttentionDims dims = attentionDims(q, k, allowed);
        torch::Tensor gradQ = torch::empty_like(q);
        torch::Tensor gradK = torch::empty_like(k);
        torch::Tensor gradV = torch::empty_like(v);
        attentionBackward(dims, q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), allowed.data_ptr<bool>(),
                          static_cast<float>(ctx->saved_data["scale"].toDouble()), saved[3].data_ptr<float>(),
                          saved[4].data_ptr<float>(), gradOut.data_ptr<float>(), gradQ.data_ptr<float>(),
                          gradK.data_ptr<float>(), gradV.data_ptr<float>());
        return {gradQ, gradK, gradV, torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

bool fusedAttentionApplies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v)
{
    for (const torch::Tensor* tensor : {&q, &k, &v})
        if (tensor->scalar_type() != torch::kFloat32 || !tensor->device().is_cpu())
            return false;
    return true;
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& allowed, double scale)
{
    const bool shapesFit = q.dim() == 4 && k.dim() == 4 && v.sizes() == k.sizes() && q.size(0) == k.size(0) &&
                           q.size(3) == k.size(3) && k.size(2) > 0 && q.size(2) % k.size(2) == 0 &&
                           allowed.dim() == 3 && (allowed.size(0) == 1 || allowed.size(0) == q.size(0)) &&
                           allowed.size(1) == q.size(1) && allowed.size(2) == k.size(1) &&
                           allowed.scalar_type() == torch::kBool;
    TORCH_CHECK(shapesFit && fusedAttentionApplies(q, k, v), "fused attention: unexpected shapes or types (q ",
                q.sizes(), ", k ", k.sizes(), ", allowed ", allowed.sizes(), ")");
    return FusedAttentionFunction::apply(q, k, v, allowed, scale);
}

} // namespace ft
