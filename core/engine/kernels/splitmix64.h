#pragma once
// splitmix64: a 64-bit hash of a counter, the random source of the dropout masks (fast_dropout.h,
// sparse_dropout.h). Counter-based, so any element's or row's draw can be made again, on any thread.

#include <cstdint>

namespace ft {

inline uint64_t splitmix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace ft
