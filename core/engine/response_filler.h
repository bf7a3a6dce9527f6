#pragma once
// Filling the empty responses of a dataset by generating them with a model (e.g. after synthetic
// expansion, or for records imported without answers). Records that have a response are left as
// they are.

#include <cstdint>
#include <vector>

#include "engine/generation.h"
#include "engine/llama_model.h"

#include "common/progress.h"
#include "data/example_record.h"
#include "data/prompt_template.h"
#include "modelio/tokenizer.h"

namespace ft {

// True when the record's answer is missing: an empty (or whitespace-only) response, or, for a
// conversation, an empty last assistant turn.
bool needsResponse(const ExampleRecord& record);

// Generates an answer for every record that needsResponse(), from the template's prompt (what
// training would show before the answer). Record k of those gets seed options.seed + k, so a run
// is reproducible. Returns how many were filled (a generation that is empty after trimming is not
// counted and leaves the record as it was). `progress` is called with (filled so far, to fill);
// returning false stops before the next record.
int64_t fillEmptyResponses(std::vector<ExampleRecord>& records, LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                           const PromptTemplate& promptTemplate, const SamplingOptions& options,
                           const ProgressCallback& progress = {});

} // namespace ft
