#pragma once
// The "post_processor" of a tokenizer.json, for one sequence: TemplateProcessing (its "single"
// template, e.g. BOS + $A), ByteLevel (offsets only: no change to ids), BertProcessing and
// RobertaProcessing ([CLS] $A [SEP]), and Sequence. Applied only when special tokens are asked for.
// Any other type is refused by name.

#include <cstdint>
#include <memory>
#include <vector>

namespace ft {

class JsonNode;

class PostProcessor {
public:
    virtual ~PostProcessor() = default;
    virtual void process(std::vector<int32_t>& ids) const = 0;
};

// Null for a null or absent post-processor.
std::unique_ptr<PostProcessor> makePostProcessor(const JsonNode& node);

} // namespace ft
