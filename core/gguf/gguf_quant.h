#pragma once
// Converting fp32 rows to the ggml types the exporter writes, byte for byte as ggml's reference code does
// (ggml-quants.c `quantize_row_*_ref`, ggml-impl.h's fp16/bf16 conversions), and back for the tests.
//
// Block layouts (little-endian, packed):
//   Q8_0 (32 values, 34 bytes): fp16 d = amax/127 | int8 qs[32] = round(x/d), halves away from zero
//   Q4_0 (32 values, 18 bytes): fp16 d = max/-8 (max: the value of largest magnitude, with its sign) |
//        qs[16]: byte j holds value j in its low nibble and value j+16 in its high nibble, each min(15, x/d + 8.5)
//   Q4_K (256 values, 144 bytes): fp16 d | fp16 dmin | scales[12]: eight 6-bit scales and eight 6-bit mins |
//        qs[128]: 4-bit values, x = d*scale_j*q - dmin*min_j for the 8 sub-blocks of 32
//   Q6_K (256 values, 210 bytes): ql[128] low 4 bits | qh[64] high 2 bits | int8 scales[16] | fp16 d;
//        x = d*scale_j*(q - 32) for the 16 sub-blocks of 16

#include <cstdint>

#include <QString>

#include "gguf/gguf_format.h"

namespace ft {

uint16_t fp32ToFp16(float value); // round to nearest even; NaN stays NaN (quiet), overflow gives infinity
float fp16ToFp32(uint16_t bits);
uint16_t fp32ToBf16(float value); // round to nearest even, subnormals kept, NaN made quiet (as ggml)
float bf16ToFp32(uint16_t bits);

// One row of `k` values (a multiple of the block size) into ggmlRowBytes(type, k) bytes at `out`.
void quantizeRowQ8_0(const float* x, uint8_t* out, int64_t k);
void quantizeRowQ4_0(const float* x, uint8_t* out, int64_t k);
void quantizeRowQ4_K(const float* x, uint8_t* out, int64_t k);
void quantizeRowQ6_K(const float* x, uint8_t* out, int64_t k);
void dequantizeRowQ8_0(const uint8_t* in, float* y, int64_t k);
void dequantizeRowQ4_0(const uint8_t* in, float* y, int64_t k);
void dequantizeRowQ4_K(const uint8_t* in, float* y, int64_t k);
void dequantizeRowQ6_K(const uint8_t* in, float* y, int64_t k);

// Why `count` values cannot be stored as `type`, or an empty string when they can: NaN or infinity (refused for
// every type, as llama.cpp refuses such data when it validates a file), or magnitudes whose fp16 value or block
// scale would overflow to infinity (F16, Q8_0, Q4_0, Q4_K, Q6_K).
QString checkConvertible(GgmlType type, const float* x, int64_t count);

// `rows` rows of `rowLength` values into rows * ggmlRowBytes(type, rowLength) bytes at `out`. The types F32, F16,
// BF16, Q8_0, Q4_0, Q4_K and Q6_K; rowLength must fit the type's block size. No checks on the values: call
// checkConvertible first.
void convertRows(GgmlType type, const float* x, int64_t rows, int64_t rowLength, uint8_t* out);
// The inverse, for the same types.
void dequantizeRows(GgmlType type, const uint8_t* in, int64_t rows, int64_t rowLength, float* y);

} // namespace ft
