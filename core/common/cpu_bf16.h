#pragma once
// Whether this CPU multiplies bfloat16 matrices in hardware: the instructions oneDNN's bf16 products
// use (AVX-512 BF16, or AMX's bf16 tiles). Elsewhere bf16 products are emulated and slower than float32.

namespace ft {

bool cpuHasNativeBf16();

} // namespace ft
