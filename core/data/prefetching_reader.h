#pragma once
// A dataset reader that parses ahead on a thread of its own, so that parsing and whatever consumes
// the records (the database import) run at the same time on two cores. Records, progress, skipped
// records and errors arrive in the same order and at the same points as from the reader it wraps.

#include <memory>

#include "data/dataset_format.h"

namespace ft {

// Takes ownership of `reader`. `batch` records are handed over at a time; at most `depth` batches wait.
std::unique_ptr<DatasetReader> prefetchingReader(std::unique_ptr<DatasetReader> reader, int batch = 256, int depth = 8);

} // namespace ft
