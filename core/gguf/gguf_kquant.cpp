// The k-quants Q4_K and Q6_K: super-blocks of 256 values whose sub-block scales are themselves quantized. The
// choices (weights, search ranges and steps, rounding) follow ggml's reference quantizers
// `quantize_row_q4_K_ref` and `quantize_row_q6_K_ref`, so that the bytes match what llama.cpp would write for
// the same fp32 row without an importance matrix.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gguf/gguf_quant.h"

namespace ft {

namespace {

constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even: ggml's nearest_int (which adds 1.5 * 2^23 in float) for |x| < 2^22.
int nearestInt(float x) { return static_cast<int>(std::nearbyint(x)); }

void putHalf(uint8_t* out, uint16_t h)
{
    out[0] = static_cast<uint8_t>(h);
    out[1] = static_cast<uint8_t>(h >> 8);
}

uint16_t getHalf(const uint8_t* in) { return static_cast<uint16_t>(in[0] | (in[1] << 8)); }

// Fits x ≈ scale * L - min (L in 0..nmax, min >= 0) over n weighted values: a first guess from the range, then
// nstep+1 trial scales around nmax/range, each refined by weighted least squares; the smallest weighted squared
// error wins. Returns the scale; *theMin receives min.
float fitScaleAndMin(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* theMin, uint8_t* Laux,
                     float rmin, float rdelta, int nstep)
{
    float min = x[0];
    float max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        sumW += weights[i];
        sumX += weights[i] * x[i];
    }
    if (min > 0)
        min = 0;
    if (max == min) {
        std::fill(L, L + n, uint8_t(0));
        *theMin = -min;
        return 0.0f;
    }
    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1.0f / iscale;
    float bestError = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = std::clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
        L[i] = static_cast<uint8_t>(l);
        const float diff = scale * static_cast<float>(l) + min - x[i];
        bestError += weights[i] * (diff * diff);
    }
    for (int step = 0; step <= nstep; ++step) {
        iscale = (rmin + rdelta * static_cast<float>(step) + static_cast<float>(nmax)) / (max - min);
        float sumL = 0.0f, sumL2 = 0.0f, sumXL = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = static_cast<uint8_t>(l);
            const float w = weights[i];
            sumL += w * static_cast<float>(l);
            sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
            sumXL += w * static_cast<float>(l) * x[i];
        }
        const float det = sumW * sumL2 - sumL * sumL;
        if (det <= 0)
            continue;
        float thisScale = (sumW * sumXL - sumX * sumL) / det;
        float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
        if (thisMin > 0) {
            thisMin = 0;
            thisScale = sumXL / sumL2;
        }
        float error = 0.0f;
        for (int i = 0; i < n; ++i) {
            const float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
            error += weights[i] * (diff * diff);
        }
        if (error < bestError) {
            std::copy(Laux, Laux + n, L);
            bestError = error;
            scale = thisScale;
            min = thisMin;
        }
    }
    *theMin = -min;
    return scale;
}

// Fits x ≈ scale * (L - nmax), L in 0..2*nmax-1, weighting each value by x² (ggml's make_qx_quants with
// rmse_type 1): the scale from max/-nmax, then 18 nearby trial scales, keeping the best weighted fit.
float fitSymmetricScale(int n, int nmax, const float* x, int8_t* L)
{
    float max = 0.0f;
    float amax = 0.0f;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, int8_t(0));
        return 0.0f;
    }
    auto level = [nmax](float v) { return std::clamp(nearestInt(v), -nmax, nmax - 1); };
    float iscale = -static_cast<float>(nmax) / max;
    float sumLX = 0.0f, sumL2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = level(iscale * x[i]);
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sumLX += w * x[i] * static_cast<float>(l);
        sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = sumL2 != 0.0f ? sumLX / sumL2 : 0.0f;
    float best = scale * sumLX;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0)
            continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(step)) / max;
        sumLX = sumL2 = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = level(iscale * x[i]);
            const float w = x[i] * x[i];
            sumLX += w * x[i] * static_cast<float>(l);
            sumL2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<int8_t>(nmax + level(iscale * x[i]));
            scale = sumLX / sumL2;
            best = scale * sumLX;
        }
    }
    return scale;
}

// Q4_K's 12 scale bytes: sub-blocks 0..3 keep scale and min in the low 6 bits of bytes j and j+4; sub-blocks
// 4..7 keep their low 4 bits in byte j+4 (scale low nibble, min high nibble) and their top 2 bits in the top
// bits of bytes j-4 (scale) and j (min).
void getScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min)
{
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = static_cast<uint8_t>((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
        *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

constexpr int kQ4KBytes = 144;
constexpr int kQ6KBytes = 210;

} // namespace

void quantizeRowQ4_K(const float* x, uint8_t* out, int64_t k)
{
    for (int64_t b = 0; b < k / kQKK; ++b, x += kQKK, out += kQ4KBytes) {
        uint8_t L[kQKK];
        uint8_t Laux[32];
        float weights[32];
        float scales[8];
        float mins[8];
        float maxScale = 0.0f;
        float maxMin = 0.0f;
        for (int j = 0; j < 8; ++j) {
            const float* xs = x + 32 * j;
            float sumX2 = 0.0f;
            for (int l = 0; l < 32; ++l)
                sumX2 += xs[l] * xs[l];
            const float avX = std::sqrt(sumX2 / 32.0f);
            for (int l = 0; l < 32; ++l)
                weights[l] = avX + std::fabs(xs[l]);
            scales[j] = fitScaleAndMin(32, 15, xs, weights, L + 32 * j, &mins[j], Laux, -1.0f, 0.1f, 20);
            maxScale = std::max(maxScale, scales[j]);
            maxMin = std::max(maxMin, mins[j]);
        }

        uint8_t* scaleBytes = out + 4;
        std::memset(scaleBytes, 0, 12);
        const float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
        const float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
        for (int j = 0; j < 8; ++j) {
            const uint8_t ls = static_cast<uint8_t>(std::min(63, static_cast<int>(static_cast<uint8_t>(nearestInt(invScale * scales[j])))));
            const uint8_t lm = static_cast<uint8_t>(std::min(63, static_cast<int>(static_cast<uint8_t>(nearestInt(invMin * mins[j])))));
            if (j < 4) {
                scaleBytes[j] = ls;
                scaleBytes[j + 4] = lm;
            } else {
                scaleBytes[j + 4] = static_cast<uint8_t>((ls & 0x0f) | ((lm & 0x0f) << 4));
                scaleBytes[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
                scaleBytes[j] |= static_cast<uint8_t>((lm >> 4) << 6);
            }
        }
        const uint16_t dBits = fp32ToFp16(maxScale / 63.0f);
        const uint16_t dminBits = fp32ToFp16(maxMin / 63.0f);
        putHalf(out, dBits);
        putHalf(out + 2, dminBits);

        // Requantize every value against the stored (rounded) scales and mins.
        for (int j = 0; j < 8; ++j) {
            uint8_t sc = 0, m = 0;
            getScaleMinK4(j, scaleBytes, &sc, &m);
            const float d = fp16ToFp32(dBits) * static_cast<float>(sc);
            if (d == 0.0f)
                continue;
            const float dm = fp16ToFp32(dminBits) * static_cast<float>(m);
            for (int i = 0; i < 32; ++i)
                L[32 * j + i] = static_cast<uint8_t>(std::clamp(nearestInt((x[32 * j + i] + dm) / d), 0, 15));
        }

        // Each 64 values share 32 bytes: the first 32 in the low nibbles, the next 32 in the high nibbles.
        uint8_t* q = out + 16;
        for (int j = 0; j < kQKK; j += 64, q += 32)
            for (int l = 0; l < 32; ++l)
                q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
    }
}

void dequantizeRowQ4_K(const uint8_t* in, float* y, int64_t k)
{
    for (int64_t b = 0; b < k / kQKK; ++b, in += kQ4KBytes) {
        const float d = fp16ToFp32(getHalf(in));
        const float dmin = fp16ToFp32(getHalf(in + 2));
        const uint8_t* scaleBytes = in + 4;
        const uint8_t* q = in + 16;
        for (int j = 0; j < kQKK; j += 64, q += 32) {
            uint8_t sc = 0, m = 0;
            getScaleMinK4(j / 32, scaleBytes, &sc, &m);
            const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
            getScaleMinK4(j / 32 + 1, scaleBytes, &sc, &m);
            const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>(q[l] & 0x0f) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void quantizeRowQ6_K(const float* x, uint8_t* out, int64_t k)
{
    for (int64_t b = 0; b < k / kQKK; ++b, x += kQKK, out += kQ6KBytes) {
        int8_t L[kQKK];
        float scales[16];
        float maxScale = 0.0f;
        float maxAbsScale = 0.0f;
        for (int ib = 0; ib < 16; ++ib) {
            scales[ib] = fitSymmetricScale(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(scales[ib]) > maxAbsScale) {
                maxAbsScale = std::fabs(scales[ib]);
                maxScale = scales[ib];
            }
        }
        uint8_t* ql = out;
        uint8_t* qh = out + 128;
        int8_t scaleBytes[16];
        if (maxAbsScale < kGroupMaxEps) {
            std::memset(out, 0, kQ6KBytes);
            continue;
        }
        const float iscale = -128.0f / maxScale;
        const uint16_t dBits = fp32ToFp16(1.0f / iscale);
        for (int ib = 0; ib < 16; ++ib)
            scaleBytes[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
        for (int j = 0; j < 16; ++j) {
            const float d = fp16ToFp32(dBits) * static_cast<float>(scaleBytes[j]);
            if (d == 0.0f)
                continue;
            for (int i = 0; i < 16; ++i)
                L[16 * j + i] = static_cast<int8_t>(std::clamp(nearestInt(x[16 * j + i] / d), -32, 31) + 32);
        }
        // Per 128 values: ql byte l holds values l (low nibble) and l+64 (high); ql byte l+32 holds l+32 and l+96;
        // qh byte l holds the top two bits of l, l+32, l+64 and l+96.
        for (int j = 0; j < kQKK; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const uint8_t v0 = static_cast<uint8_t>(L[j + l]), v1 = static_cast<uint8_t>(L[j + l + 32]);
                const uint8_t v2 = static_cast<uint8_t>(L[j + l + 64]), v3 = static_cast<uint8_t>(L[j + l + 96]);
                ql[l] = static_cast<uint8_t>((v0 & 0x0f) | ((v2 & 0x0f) << 4));
                ql[l + 32] = static_cast<uint8_t>((v1 & 0x0f) | ((v3 & 0x0f) << 4));
                qh[l] = static_cast<uint8_t>((v0 >> 4) | ((v1 >> 4) << 2) | ((v2 >> 4) << 4) | ((v3 >> 4) << 6));
            }
        }
        std::memcpy(out + 192, scaleBytes, 16);
        putHalf(out + 208, dBits);
    }
}

void dequantizeRowQ6_K(const uint8_t* in, float* y, int64_t k)
{
    for (int64_t b = 0; b < k / kQKK; ++b, in += kQ6KBytes) {
        const float d = fp16ToFp32(getHalf(in + 208));
        const uint8_t* ql = in;
        const uint8_t* qh = in + 128;
        const int8_t* sc = reinterpret_cast<const int8_t*>(in + 192);
        for (int n = 0; n < kQKK; n += 128, ql += 64, qh += 32, sc += 8, y += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                // (d * scale) * q, rounded twice, exactly as ggml's dequantize_row_q6_K computes it.
                y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
        }
    }
}

} // namespace ft
