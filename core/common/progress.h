#pragma once
// Progress and cancellation as one contract: long operations call back with how far they are;
// returning false asks them to stop at the next safe point.

#include <cstdint>
#include <functional>

namespace ft {

using ProgressCallback = std::function<bool(int64_t done, int64_t total)>;

inline bool reportProgress(const ProgressCallback& progress, int64_t done, int64_t total)
{
    return !progress || progress(done, total);
}

} // namespace ft
