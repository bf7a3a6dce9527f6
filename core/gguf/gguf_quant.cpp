#include "gguf/gguf_quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ft {

namespace {

uint32_t floatBits(float f)
{
    uint32_t bits = 0;
    std::memcpy(&bits, &f, 4);
    return bits;
}

float bitsFloat(uint32_t bits)
{
    float f = 0;
    std::memcpy(&f, &bits, 4);
    return f;
}

void putHalf(uint8_t* out, uint16_t h)
{
    out[0] = static_cast<uint8_t>(h);
    out[1] = static_cast<uint8_t>(h >> 8);
}

uint16_t getHalf(const uint8_t* in) { return static_cast<uint16_t>(in[0] | (in[1] << 8)); }

} // namespace

uint16_t fp32ToFp16(float value)
{
    const uint32_t x = floatBits(value);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    const uint32_t a = x & 0x7fffffff;
    if (a > 0x7f800000) // NaN: a quiet NaN
        return sign | 0x7e00;
    if (a >= 0x477ff000) // 65520 and above round to infinity
        return sign | 0x7c00;
    if (a >= 0x38800000) { // a normal half (2^-14 and above): rebias the exponent, round the mantissa to 10 bits
        uint32_t r = a - 0x38000000;
        r += 0xfff + ((r >> 13) & 1);
        return static_cast<uint16_t>(sign | (r >> 13));
    }
    if (a <= 0x33000000) // 2^-25 and below round to zero (2^-25 itself is a tie, to the even zero)
        return sign;
    // A subnormal half: the number of 2^-24 steps, rounded to nearest even.
    const uint32_t exponent = a >> 23;                 // 102..112
    const uint32_t mantissa = (a & 0x7fffff) | 0x800000; // value = mantissa * 2^(exponent - 150)
    const uint32_t shift = 126 - exponent;             // 14..24
    uint32_t q = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1)))
        ++q;
    return static_cast<uint16_t>(sign | q);
}

float fp16ToFp32(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    if (exponent == 0x1f)
        return bitsFloat(sign | 0x7f800000 | (mantissa << 13));
    if (exponent != 0)
        return bitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0)
        return bitsFloat(sign);
    // Subnormal half: mantissa * 2^-24, exactly representable as a normal float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
}

uint16_t fp32ToBf16(float value)
{
    const uint32_t x = floatBits(value);
    if ((x & 0x7fffffff) > 0x7f800000)
        return static_cast<uint16_t>((x >> 16) | 64); // NaN, made quiet
    return static_cast<uint16_t>((x + (0x7fff + ((x >> 16) & 1))) >> 16);
}

float bf16ToFp32(uint16_t bits) { return bitsFloat(static_cast<uint32_t>(bits) << 16); }

void quantizeRowQ8_0(const float* x, uint8_t* out, int64_t k)
{
    for (int64_t b = 0; b < k / kQK; ++b, x += kQK, out += ggmlBlockBytes(GgmlType::Q8_0)) {
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        putHalf(out, fp32ToFp16(d));
        for (int j = 0; j < kQK; ++j)
            out[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::round(x[j] * id)));
    }
}

void dequantizeRowQ8_0(const uint8_t* in, float* y, int64_t k)
{
    for (int64_t b = 0; b < k / kQK; ++b, y += kQK, in += ggmlBlockBytes(GgmlType::Q8_0)) {
        const float d = fp16ToFp32(getHalf(in));
        for (int j = 0; j < kQK; ++j)
            y[j] = static_cast<float>(static_cast<int8_t>(in[2 + j])) * d;
    }
}

void quantizeRowQ4_0(const float* x, uint8_t* out, int64_t k)
{
    for (int64_t b = 0; b < k / kQK; ++b, x += kQK, out += ggmlBlockBytes(GgmlType::Q4_0)) {
        float amax = 0.0f;
        float max = 0.0f; // the value of largest magnitude, with its sign (the first such value on ties)
        for (int j = 0; j < kQK; ++j) {
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        putHalf(out, fp32ToFp16(d));
        for (int j = 0; j < kQK / 2; ++j) {
            // Truncation toward zero of x/d + 8.5, as the reference's (int8_t) cast; never negative here.
            const int low = std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f)));
            const int high = std::min(15, static_cast<int>(static_cast<int8_t>(x[j + kQK / 2] * id + 8.5f)));
            out[2 + j] = static_cast<uint8_t>(low | (high << 4));
        }
    }
}

void dequantizeRowQ4_0(const uint8_t* in, float* y, int64_t k)
{
    for (int64_t b = 0; b < k / kQK; ++b, y += kQK, in += ggmlBlockBytes(GgmlType::Q4_0)) {
        const float d = fp16ToFp32(getHalf(in));
        for (int j = 0; j < kQK / 2; ++j) {
            y[j] = static_cast<float>((in[2 + j] & 0x0f) - 8) * d;
            y[j + kQK / 2] = static_cast<float>((in[2 + j] >> 4) - 8) * d;
        }
    }
}

QString checkConvertible(GgmlType type, const float* x, int64_t count)
{
    float amax = 0.0f;
    for (int64_t i = 0; i < count; ++i) {
        if (!std::isfinite(x[i]))
            return QStringLiteral("element %1 is %2").arg(i).arg(std::isnan(x[i]) ? QStringLiteral("NaN")
                                                                                  : QStringLiteral("infinite"));
        amax = std::max(amax, std::fabs(x[i]));
    }
    // The largest magnitude each type's fp16 values or block scales can take without overflowing.
    float limit = 0.0f;
    switch (type) {
    case GgmlType::F16:
        limit = 65504.0f;
        break;
    case GgmlType::Q8_0:
        limit = 65504.0f * 127.0f;
        break;
    case GgmlType::Q4_0:
        limit = 65504.0f * 8.0f;
        break;
    case GgmlType::Q4_K:
        limit = 1.0e7f; // scales up to range/14 per sub-block, stored as fp16 multiples of max_scale/63
        break;
    case GgmlType::Q6_K:
        limit = 1.0e8f; // d is about amax/4096
        break;
    default:
        return {};
    }
    if (amax > limit)
        return QStringLiteral("its largest magnitude %1 is beyond what %2 can hold (%3); export it as F32 or BF16")
            .arg(static_cast<double>(amax))
            .arg(ggmlTypeName(type))
            .arg(static_cast<double>(limit));
    return {};
}

void convertRows(GgmlType type, const float* x, int64_t rows, int64_t rowLength, uint8_t* out)
{
    const int64_t rowBytes = ggmlRowBytes(type, rowLength);
    for (int64_t r = 0; r < rows; ++r, x += rowLength, out += rowBytes) {
        switch (type) {
        case GgmlType::F32:
            std::memcpy(out, x, static_cast<size_t>(rowBytes));
            break;
        case GgmlType::F16:
            for (int64_t i = 0; i < rowLength; ++i)
                putHalf(out + 2 * i, fp32ToFp16(x[i]));
            break;
        case GgmlType::BF16:
            for (int64_t i = 0; i < rowLength; ++i)
                putHalf(out + 2 * i, fp32ToBf16(x[i]));
            break;
        case GgmlType::Q8_0:
            quantizeRowQ8_0(x, out, rowLength);
            break;
        case GgmlType::Q4_0:
            quantizeRowQ4_0(x, out, rowLength);
            break;
        case GgmlType::Q4_K:
            quantizeRowQ4_K(x, out, rowLength);
            break;
        case GgmlType::Q6_K:
            quantizeRowQ6_K(x, out, rowLength);
            break;
        default:
            std::memset(out, 0, static_cast<size_t>(rowBytes));
            break;
        }
    }
}

void dequantizeRows(GgmlType type, const uint8_t* in, int64_t rows, int64_t rowLength, float* y)
{
    const int64_t rowBytes = ggmlRowBytes(type, rowLength);
    for (int64_t r = 0; r < rows; ++r, y += rowLength, in += rowBytes) {
        switch (type) {
        case GgmlType::F32:
            std::memcpy(y, in, static_cast<size_t>(rowBytes));
            break;
        case GgmlType::F16:
            for (int64_t i = 0; i < rowLength; ++i)
                y[i] = fp16ToFp32(getHalf(in + 2 * i));
            break;
        case GgmlType::BF16:
            for (int64_t i = 0; i < rowLength; ++i)
                y[i] = bf16ToFp32(getHalf(in + 2 * i));
            break;
        case GgmlType::Q8_0:
            dequantizeRowQ8_0(in, y, rowLength);
            break;
        case GgmlType::Q4_0:
            dequantizeRowQ4_0(in, y, rowLength);
            break;
        case GgmlType::Q4_K:
            dequantizeRowQ4_K(in, y, rowLength);
            break;
        case GgmlType::Q6_K:
            dequantizeRowQ6_K(in, y, rowLength);
            break;
        default:
            std::fill(y, y + rowLength, 0.0f);
            break;
        }
    }
}

} // namespace ft
