#pragma once
// The validation report of a dataset: what a person should look at before training on it.

#include <map>
#include <vector>

#include <QString>

#include "common/progress.h"
#include "data/example_record.h"
#include "data/prompt_template.h"
#include "modelio/tokenizer.h"

namespace ft {

enum class IssueKind { EmptyInstruction, EmptyResponse, Duplicate, TooLong, ControlCharacters, Pii };
QString issueKindName(
    IssueKind kind); // "empty-instruction", "empty-response", "duplicate", "too-long", "control-characters", "pii"

struct ValidationSettings {
    // Token lengths are checked when both are given: an example is too long when template + fields
    // exceed maxTokens.
    const Tokenizer* tokenizer = nullptr;
    const PromptTemplate* promptTemplate = nullptr;
    int64_t maxTokens = 0;
    bool checkDuplicates = true; // exact duplicates after normalising case and whitespace
    bool checkPii = true;
    bool allowEmptyInstruction = false; // true for continued pre-training text (response-only records)
};

struct ValidationFinding {
    int64_t index = 0; // position in the examples given
    IssueKind kind = IssueKind::EmptyResponse;
    QString detail; // e.g. "612 tokens > 512", "duplicate of #17", "2 e-mail addresses"
};

struct ValidationReport {
    int64_t examples = 0;
    std::vector<ValidationFinding> findings;
    std::map<IssueKind, int64_t> counts;
    bool cancelled = false;
};

ValidationReport validateExamples(const std::vector<ExampleRecord>& examples, const ValidationSettings& settings,
                                  const ProgressCallback& progress = {});

} // namespace ft
