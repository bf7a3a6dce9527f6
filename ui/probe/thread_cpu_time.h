#pragma once
// CPU time of the calling thread: what it computed itself, which neither load elsewhere nor time
// spent waiting adds to. Read by EventLoopProbe, its test and bench_plot.

#include <ctime>

namespace ft::ui {

inline long long threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<long long>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

inline double threadCpuMs() { return static_cast<double>(threadCpuNs()) / 1e6; }

} // namespace ft::ui
