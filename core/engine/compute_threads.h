#pragma once
// Thread settings of the tensor library and of the BLAS it calls.

namespace ft {

// Sets LibTorch's intra-op threads and OpenBLAS's threads to `threads` (resolved with
// resolveThreadCount: 0 means $FT_THREADS or the physical core count). Returns the count used.
int configureComputeThreads(int threads);

} // namespace ft
