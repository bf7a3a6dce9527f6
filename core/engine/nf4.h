#pragma once
// NF4 (4-bit NormalFloat) quantization as in QLoRA (Dettmers et al., 2023) and bitsandbytes.
//
// The weight is flattened row-major and cut into blocks of 64 values (the last block zero-padded).
// Each block keeps its absmax as scale; every value/absmax is replaced by the code (0..15) of the
// nearest of the 16 NF4 levels. Two codes share a byte: element 2i in the high nibble, element 2i+1
// in the low nibble (bitsandbytes' order), so byte i holds (code[2i] << 4) | code[2i+1].
//
// Ties: a value exactly halfway between two levels takes the lower level. The decision thresholds are
// the exact midpoints between adjacent levels, rounded down to fp32, and a value goes up only when it
// is strictly greater (bitsandbytes' dQuantizeNF4 compares with `>` the same way).
//
// Double quantization (QLoRA section 3) stores the fp32 block scales in 8 bits: their mean is
// subtracted (one fp32 offset), then they are quantized in blocks of 256 with a symmetric linear int8
// code, round(d / step) in [-127, 127], and one fp32 step (absmax / 127) per block. bitsandbytes uses
// its dynamic 8-bit map instead; the linear code keeps the reconstructed scales within about 0.5% on
// normal weights (see tests/engine/tst_nf4.cpp). Storage: 4 + 32/64 = 4.5 bits per parameter with fp32
// scales, 4 + 8/64 + 32/(64*256) ≈ 4.127 with double quantization.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace ft {

constexpr int64_t kNf4BlockSize = 64;
constexpr int64_t kNf4ScaleBlockSize = 256;

// The 16 NF4 levels in ascending order, code i -> level i: fp32 (16), on the CPU.
const torch::Tensor& nf4Levels();
// The 15 decision thresholds: a normalised value v gets code #{i : v > threshold[i]}. fp32 (15).
const torch::Tensor& nf4Thresholds();

// fp32 block scales stored in 8 bits (double quantization).
struct QuantizedScales {
    torch::Tensor codes;  // int8 (n): round((absmax - offset) / step of its block)
    torch::Tensor steps;  // fp32 (ceil(n / 256)): absmax(|absmax - offset|) / 127 of each block
    torch::Tensor offset; // fp32 (1): mean of the scales
};

QuantizedScales quantizeScales(const torch::Tensor& scales); // fp32 (n) -> 8-bit
torch::Tensor dequantizeScales(const QuantizedScales& q);    // -> fp32 (n)

// One NF4-quantized tensor. Either `absmax` (fp32 scales) or `scales` (double-quantized) is defined.
struct Nf4Tensor {
    std::vector<int64_t> shape; // of the original tensor
    torch::Tensor codes;        // uint8 (blocks * 32): packed 4-bit codes, element 2i in the high nibble
    torch::Tensor absmax;       // fp32 (blocks), or undefined with double quantization
    QuantizedScales scales;     // defined with double quantization

    bool doubleQuant() const { return scales.codes.defined(); }
    int64_t numel() const;
    int64_t storageBytes() const; // bytes held by the tensors above
};

int64_t nf4BlockCount(int64_t numel);
int64_t nf4StorageBytes(int64_t numel, bool doubleQuant); // what storageBytes() will be
// Uninitialised buffers of the right sizes, for modules that quantize into them later.
Nf4Tensor nf4Empty(const std::vector<int64_t>& shape, bool doubleQuant, torch::Device device = torch::kCPU);

// Any float tensor (fp32/bf16/fp16, any shape, e.g. a view of a memory map); throws ft::Error when it
// holds NaN or infinity.
Nf4Tensor nf4Quantize(const torch::Tensor& weight, bool doubleQuant);
// The tensor back, in `dtype`, with its original shape.
torch::Tensor nf4Dequantize(const Nf4Tensor& q, torch::ScalarType dtype = torch::kFloat32);
// The per-block scales as used by nf4Dequantize: fp32 (blocks).
torch::Tensor nf4BlockScales(const Nf4Tensor& q);

// The building blocks, exposed for tests.
// The exact rule, one binary search per value; nf4Quantize uses a faster table lookup that falls back
// to it near thresholds, and gives the same codes.
torch::Tensor nf4Encode(const torch::Tensor& normalised); // float (n) in [-1, 1] -> codes uint8 (n)
torch::Tensor nf4Pack(const torch::Tensor& codes);        // uint8 (2m) -> uint8 (m)
torch::Tensor nf4Unpack(const torch::Tensor& packed);     // uint8 (m) -> uint8 (2m)

} // namespace ft
