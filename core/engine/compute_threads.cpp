#include "engine/compute_threads.h"

#include <dlfcn.h>

#include <atomic>

#include <ATen/Parallel.h>

#include <torch/torch.h>

#include "common/cpu_threads.h"

namespace ft {

int configureComputeThreads(int threads)
{
    const int count = resolveThreadCount(threads);
    torch::set_num_threads(count);
    // LibTorch hands matrix products to whatever libblas.so.3 is selected; OpenBLAS keeps its own pool.
    using SetThreads = void (*)(int);
    if (auto setBlasThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        setBlasThreads(count);
    return count;
}

int engineKernelThreads()
{
    const int64_t work = at::get_num_threads();
    std::atomic<int> chunks{0};
    at::parallel_for(0, work, 1, [&](int64_t, int64_t) { ++chunks; });
    return chunks.load();
}

} // namespace ft
