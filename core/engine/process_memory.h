#pragma once
// Resident memory of this process, for benchmarks (Linux /proc).

#include <cstdint>

namespace ft {

int64_t residentBytes();     // VmRSS now
int64_t peakResidentBytes(); // VmHWM: the high-water mark
void resetPeakResident();    // starts a new high-water mark (writes 5 to /proc/self/clear_refs)

} // namespace ft
