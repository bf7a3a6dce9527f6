#include "engine/nf4.h"

#include <cstring>

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cmath>

#include "common/error.h"
#include "engine/kernels/cpu_features.h"

namespace ft {

namespace {

// bitsandbytes' NF4 code (functional.py, create_normal_map / the NF4 data table), fp32 values.
constexpr float kLevels[16] = {-1.0f,
                               -0.6961928009986877f,
                               -0.5250730514526367f,
                               -0.39491748809814453f,
                               -0.28444138169288635f,
                               -0.18477343022823334f,
                               -0.09105003625154495f,
                               0.0f,
                               0.07958029955625534f,
                               0.16093020141124725f,
                               0.24611230194568634f,
                               0.33791524171829224f,
                               0.44070982933044434f,
                               0.5626170039176941f,
                               0.7229568362236023f,
                               1.0f};

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Pads a 1-D tensor with zeros to a multiple of `block` and views it as (blocks, block).
torch::Tensor blocksOf(const torch::Tensor& flat, int64_t block)
{
    const int64_t pad = ceilDiv(flat.numel(), block) * block - flat.numel();
    const torch::Tensor padded = pad ? torch::constant_pad_nd(flat, {0, pad}, 0) : flat;
    return padded.view({-1, block});
}

// (256, 2) fp32: the two levels a packed byte stands for, so that dequantizing is one gather per byte.
const torch::Tensor& pairTable()
{
    static const torch::Tensor table = [] {
        const torch::Tensor bytes = torch::arange(256, torch::kInt64);
        return torch::stack(
            {nf4Levels().index_select(0, bytes.div(16, "floor")), nf4Levels().index_select(0, bytes.remainder(16))}, 1);
    }();
    return table;
}

// A uniform grid of cells over the normalised range [-1, 1]: the cell of a value gives its code in one
// table lookup, except in the few cells that hold (or nearly hold) a threshold, marked kAmbiguous, whose
// values are encoded exactly. Bucketizing every value (a binary search each) is 2-3x slower.
constexpr int64_t kGridCells = 4096;
constexpr uint8_t kAmbiguous = 255;

const torch::Tensor& gridCodes()
{
    static const torch::Tensor table = [] {
        const auto t = nf4Thresholds().accessor<float, 1>();
        torch::Tensor codes = torch::empty({kGridCells + 1}, torch::kUInt8); // the last cell holds 1.0
        auto c = codes.accessor<uint8_t, 1>();
        const double width = 2.0 / kGridCells;
        for (int64_t j = 0; j <= kGridCells; ++j) {
            // Widened by a tenth of a cell, far more than the rounding in computing a value's cell.
            const double low = -1.0 + (j - 0.1) * width;
            const double high = -1.0 + (j + 1.1) * width;
            uint8_t code = 0;
            bool ambiguous = false;
            for (int64_t i = 0; i < 15; ++i) {
                ambiguous |= t[i] >= low && t[i] <= high;
                code += t[i] < low;
            }
            c[j] = ambiguous ? kAmbiguous : code;
        }
        return codes;
    }();
    return table;
}

// Codes (blocks, 64) uint8 of blocks (blocks, 64) fp32 divided by their absmax (blocks), never 0.
torch::Tensor encodeBlocks(const torch::Tensor& blocks, const torch::Tensor& absmax)
{
    const torch::Tensor half = torch::full({}, kGridCells / 2.0, blocks.options());
    // (value / absmax + 1) * cells / 2, truncated: the cell index in [0, cells].
    const torch::Tensor cells = torch::addcmul(half, blocks, (half / absmax).unsqueeze(1)).to(torch::kInt32);
    torch::Tensor codes = gridCodes().to(blocks.device()).index_select(0, cells.view({-1})); // (n)
    const torch::Tensor exact = codes.eq(kAmbiguous).nonzero().squeeze(1);                   // (m), m << n
    if (exact.numel() > 0) {
        const torch::Tensor values = blocks.reshape({-1}).index_select(0, exact);
        const torch::Tensor scales = absmax.index_select(0, exact.div(kNf4BlockSize, "floor"));
        codes.index_copy_(0, exact, nf4Encode(values / scales));
    }
    return codes.view_as(blocks);
}

} // namespace

const torch::Tensor& nf4Levels()
{
    static const torch::Tensor levels = torch::from_blob(const_cast<float*>(kLevels), {16}, torch::kFloat32).clone();
    return levels;
}

const torch::Tensor& nf4Thresholds()
{
    static const torch::Tensor thresholds = [] {
        std::vector<float> t(15);
        for (size_t i = 0; i < t.size(); ++i) {
            // The midpoint of two fp32 levels is exact in double; round it down so that every fp32
            // value strictly above the threshold is at least as close to the upper level.
            const double mid = (static_cast<double>(kLevels[i]) + static_cast<double>(kLevels[i + 1])) / 2.0;
            float f = static_cast<float>(mid);
            if (static_cast<double>(f) > mid)
                f = std::nextafter(f, -INFINITY);
            t[i] = f;
        }
        return torch::tensor(t, torch::kFloat32);
    }();
    return thresholds;
}

QuantizedScales quantizeScales(const torch::Tensor& scales)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor s = scales.reshape({-1}).to(torch::kFloat32);
    const int64_t n = s.numel();
    QuantizedScales q;
    q.offset = s.mean().reshape({1});                                         // (1)
    const torch::Tensor centred = blocksOf(s - q.offset, kNf4ScaleBlockSize); // (sb, 256)
    q.steps = centred.abs().amax(1) / 127.0;                                  // (sb)
    const torch::Tensor safeSteps = torch::where(q.steps > 0, q.steps, torch::ones_like(q.steps));
    q.codes =
        torch::round(centred / safeSteps.unsqueeze(1)).clamp(-127, 127).to(torch::kInt8).view({-1}).narrow(0, 0, n);
    q.codes = q.codes.contiguous();
    return q;
}

torch::Tensor dequantizeScales(const QuantizedScales& q)
{
    torch::NoGradGuard noGrad;
    const int64_t n = q.codes.numel();
    const torch::Tensor codes = blocksOf(q.codes.to(torch::kFloat32), kNf4ScaleBlockSize); // (sb, 256)
    return (codes * q.steps.unsqueeze(1)).view({-1}).narrow(0, 0, n) + q.offset;           // (n)
}

int64_t Nf4Tensor::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

int64_t Nf4Tensor::storageBytes() const
{
    int64_t bytes = 0;
    for (const torch::Tensor* t : {&codes, &absmax, &scales.codes, &scales.steps, &scales.offset})
        if (t->defined())
            bytes += t->numel() * t->element_size();
    return bytes;
}

int64_t nf4BlockCount(int64_t numel) { return ceilDiv(numel, kNf4BlockSize); }

int64_t nf4StorageBytes(int64_t numel, bool doubleQuant)
{
    const int64_t blocks = nf4BlockCount(numel);
    const int64_t codes = blocks * kNf4BlockSize / 2;
    if (!doubleQuant)
        return codes + blocks * 4;
    return codes + blocks + ceilDiv(blocks, kNf4ScaleBlockSize) * 4 + 4;
}

Nf4Tensor nf4Empty(const std::vector<int64_t>& shape, bool doubleQuant, torch::Device device)
{
    Nf4Tensor q;
    q.shape = shape;
    const int64_t blocks = nf4BlockCount(q.numel());
    const auto options = torch::TensorOptions().device(device);
    q.codes = torch::zeros({blocks * kNf4BlockSize / 2}, options.dtype(torch::kUInt8));
    if (doubleQuant) {
        q.scales.codes = torch::zeros({blocks}, options.dtype(torch::kInt8));
        q.scales.steps = torch::zeros({ceilDiv(blocks, kNf4ScaleBlockSize)}, options.dtype(torch::kFloat32));
        q.scales.offset = torch::zeros({1}, options.dtype(torch::kFloat32));
    } else {
        q.absmax = torch::zeros({blocks}, options.dtype(torch::kFloat32));
    }
    return q;
}

torch::Tensor nf4Encode(const torch::Tensor& normalised)
{
    const torch::Tensor thresholds = nf4Thresholds().to(normalised.device());
    return torch::bucketize(normalised, thresholds, /*out_int32=*/true).to(torch::kUInt8);
}

torch::Tensor nf4Pack(const torch::Tensor& codes)
{
    const torch::Tensor pairs = codes.view({-1, 2}); // (m, 2)
    return pairs.select(1, 0) * 16 + pairs.select(1, 1);
}

torch::Tensor nf4Unpack(const torch::Tensor& packed)
{
    return torch::stack({packed.__rshift__(4), packed.bitwise_and(15)}, 1).view({-1});
}

Nf4Tensor nf4Quantize(const torch::Tensor& weight, bool doubleQuant)
{
    torch::NoGradGuard noGrad;
    if (!weight.is_floating_point())
        throw Error(QStringLiteral("NF4 quantization needs a floating-point tensor, got %1")
                        .arg(QLatin1String(c10::toString(weight.scalar_type()))));
    if (weight.numel() == 0)
        throw Error(QStringLiteral("NF4 quantization of an empty tensor"));

    Nf4Tensor q;
    q.shape = weight.sizes().vec();
    const torch::Tensor blocks =
        blocksOf(weight.detach().reshape({-1}).to(torch::kFloat32), kNf4BlockSize); // (blocks, 64)
    const torch::Tensor absmax = blocks.abs().amax(1);                              // (blocks)
    if (!torch::isfinite(absmax).all().item<bool>())
        throw Error(QStringLiteral("NF4 quantization: the tensor holds NaN or infinite values"));
    const torch::Tensor safe = torch::where(absmax > 0, absmax, torch::ones_like(absmax));
    const torch::Tensor codes = encodeBlocks(blocks, safe); // (blocks, 64) uint8 in 0..15
    q.codes = nf4Pack(codes.view({-1}));                    // (blocks * 32)
    if (doubleQuant)
        q.scales = quantizeScales(absmax);
    else
        q.absmax = absmax;
    return q;
}

torch::Tensor nf4BlockScales(const Nf4Tensor& q) { return q.doubleQuant() ? dequantizeScales(q.scales) : q.absmax; }

namespace {

// out[64 b + j] = level(code j of block b) * scale[b]: one pass over the packed bytes, parallel over
// blocks, writing straight into the output dtype. (A gather through a (256, 2) table plus a separate
// multiply is several times slower and makes QLoRA's per-step dequantization dominate.)
template <typename Out> void dequantizeBlocks(const uint8_t* codes, const float* scales, int64_t blocks, Out* out)
{
    float levels[16];
    std::memcpy(levels, nf4Levels().data_ptr<float>(), sizeof(levels));
    at::parallel_for(0, blocks, 256, [&](int64_t begin, int64_t end) {
        for (int64_t b = begin; b < end; ++b) {
            const float scale = scales[b];
            const uint8_t* bytes = codes + b * (kNf4BlockSize / 2);
            Out* values = out + b * kNf4BlockSize;
            for (int64_t j = 0; j < kNf4BlockSize / 2; ++j) {
                values[2 * j] = static_cast<Out>(levels[bytes[j] >> 4] * scale);
                values[2 * j + 1] = static_cast<Out>(levels[bytes[j] & 15] * scale);
            }
        }
    });
}

#if defined(__x86_64__)
// GCC 12 flags the intrinsics' own placeholder operands (_mm512_undefined) once OpenMP is on.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same for fp32 output with AVX-512: the 16 levels fit one register, so a whole row of 16 codes
// is looked up with one permute. Chosen at run time when the processor has AVX-512.
__attribute__((target("avx512f"))) void dequantizeRangeAvx512(const uint8_t* codes, const float* scales, int64_t begin,
                                                              int64_t end, const float* levelTable, float* out)
{
    const __m512 levels = _mm512_loadu_ps(levelTable);
    const __m128i low = _mm_set1_epi8(0x0F);
    for (int64_t b = begin; b < end; ++b) {
        const __m512 scale = _mm512_set1_ps(scales[b]);
        const uint8_t* bytes = codes + b * (kNf4BlockSize / 2);
        float* values = out + b * kNf4BlockSize;
        for (int half = 0; half < 2; ++half) {
            const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16 * half));
            const __m128i high = _mm_and_si128(_mm_srli_epi16(packed, 4), low);
            const __m128i lowCodes = _mm_and_si128(packed, low);
            // Element 2i is the high nibble of byte i: interleave high and low nibbles.
            const __m128i first = _mm_unpacklo_epi8(high, lowCodes);
            const __m128i second = _mm_unpackhi_epi8(high, lowCodes);
            _mm512_storeu_ps(values + 32 * half,
                             _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_cvtepu8_epi32(first), levels), scale));
            _mm512_storeu_ps(values + 32 * half + 16,
                             _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_cvtepu8_epi32(second), levels), scale));
        }
    }
}
#pragma GCC diagnostic pop

void dequantizeBlocksAvx512(const uint8_t* codes, const float* scales, int64_t blocks, float* out)
{
    const float* levels = nf4Levels().data_ptr<float>();
    at::parallel_for(0, blocks, 256, [&](int64_t begin, int64_t end) {
        dequantizeRangeAvx512(codes, scales, begin, end, levels, out);
    });
}
#endif

} // namespace

torch::Tensor nf4Dequantize(const Nf4Tensor& q, torch::ScalarType dtype)
{
    torch::NoGradGuard noGrad;
    const int64_t blocks = q.codes.numel() * 2 / kNf4BlockSize;
    const torch::Tensor scales = nf4BlockScales(q).to(torch::kFloat32).contiguous();
    const torch::Tensor codes = q.codes.contiguous();
    if (codes.is_cpu() && (dtype == torch::kFloat32 || dtype == torch::kBFloat16)) {
        torch::Tensor values = torch::empty({blocks * kNf4BlockSize}, torch::TensorOptions().dtype(dtype));
#if defined(__x86_64__)
        if (dtype == torch::kFloat32 && cpuHasAvx512())
            dequantizeBlocksAvx512(codes.data_ptr<uint8_t>(), scales.data_ptr<float>(), blocks,
                                   values.data_ptr<float>());
        else
#endif
            if (dtype == torch::kFloat32)
            dequantizeBlocks(codes.data_ptr<uint8_t>(), scales.data_ptr<float>(), blocks, values.data_ptr<float>());
        else
            dequantizeBlocks(codes.data_ptr<uint8_t>(), scales.data_ptr<float>(), blocks,
                             values.data_ptr<at::BFloat16>());
        return values.narrow(0, 0, q.numel()).reshape(q.shape);
    }
    const torch::Tensor table = pairTable().to(codes.device());
    torch::Tensor values = table.index_select(0, codes.to(torch::kInt32)).view({blocks, kNf4BlockSize}); // (blocks, 64)
    values.mul_(scales.unsqueeze(1));
    return values.view({-1}).narrow(0, 0, q.numel()).reshape(q.shape).to(dtype);
}

} // namespace ft
