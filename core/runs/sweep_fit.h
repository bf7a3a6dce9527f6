#pragma once
// How many of a sweep's trials may train at once: the spec's `parallel`, lowered to what fits this
// machine's memory together. Each trial's need is the resource estimate of its configuration (the
// swept settings change it: a larger batch or rank needs more), and the most demanding trial counts
// for every slot; 15 % of the memory is left to the studio and the system.

#include <QString>

#include "contract/sweep_spec.h"
#include "contract/train_config.h"

namespace ft {

struct SweepParallelism {
    int trials = 1;
    QString reason; // why fewer than the spec asks, or why memory was not checked; empty otherwise
};

// `machineMemoryBytes` -1: this machine's (/proc/meminfo). A model whose configuration cannot be read
// (a llama2.c .bin, a missing folder) is not estimated: the spec's number is kept, and `reason` says so.
SweepParallelism sweepParallelism(const SweepSpec& spec, const TrainConfig& base, qint64 machineMemoryBytes = -1);

} // namespace ft
