#pragma once
// Thread settings of the tensor library and of the BLAS it calls.

namespace ft {

// Sets LibTorch's intra-op threads and OpenBLAS's threads to `threads` (resolved with
// resolveThreadCount: 0 means $FT_THREADS or the physical core count). Returns the count used.
int configureComputeThreads(int threads);

// How many threads the engine's own kernels share work between at the current thread count: the
// chunks at::parallel_for makes of work it could split among them all. Below at::get_num_threads()
// means the engine was compiled without OpenMP, whose absence turns at::parallel_for serial.
int engineKernelThreads();

} // namespace ft
