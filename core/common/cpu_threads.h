#pragma once
// How many threads compute work should use.

namespace ft {

// Physical cores (hyper-threads of one core counted once); at least 1.
int physicalCoreCount();

// The thread count to use: `requested` if > 0, else $FT_THREADS if set, else physicalCoreCount().
int resolveThreadCount(int requested);

} // namespace ft
