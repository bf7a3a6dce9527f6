#pragma once
// The checks of TrainConfig::validate() without those of the data files, for a run whose files do
// not exist yet: one trained on a workspace dataset, whose worker writes the frozen snapshot into
// the run folder (train --dataset) before it reads train_file and val_file.

#include "contract/train_config.h"

namespace ft {

// Throws ft::Error naming the field and what was expected, like TrainConfig::validate().
void validateTrainSettings(const TrainConfig& config);

} // namespace ft
