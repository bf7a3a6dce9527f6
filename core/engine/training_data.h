#pragma once
// The examples a run trains and validates on: read (every bad line reported before training starts),
// split, frozen into the run folder, and tokenized.

#include <vector>

#include <QString>

#include "data/example_encoder.h"
#include "contract/train_config.h"

namespace ft {

struct TrainingRecords {
    std::vector<ExampleRecord> train;
    std::vector<ExampleRecord> val;
};

// Reads config.trainFile (and valFile, or a seeded split of the training set by valFraction).
TrainingRecords readTrainingRecords(const TrainConfig& config);

// Writes runDir/data/{train,val}.jsonl and runDir/data/manifest.json (record counts and SHA-256).
void freezeTrainingRecords(const TrainingRecords& records, const QString& runDir);
// Reads them back (what a resumed run trains on).
TrainingRecords readFrozenRecords(const QString& runDir);

struct TokenizedSet {
    std::vector<TokenizedExample> examples;
    int64_t truncated = 0; // examples cut to max_length
    int64_t tokens = 0;
    int64_t targets = 0;
};

TokenizedSet tokenizeRecords(const std::vector<ExampleRecord>& records, const Tokenizer& tokenizer,
                             const PromptTemplate& promptTemplate, LossOn lossOn, int64_t maxLength);

} // namespace ft
