#pragma once
// What an evaluation shows and keeps of a record: the prompt a person reads, the reference answer,
// and digests that recognise the same example (and the same set of examples) across evaluations.

#include <vector>

#include <QString>

#include "data/example_record.h"

namespace ft {

// The request: the instruction (with its input after a blank line), or a conversation's last user turn.
QString evalPromptText(const ExampleRecord& record);
// The reference answer: the response, or a conversation's last assistant turn.
QString evalReferenceText(const ExampleRecord& record);

// SHA-256 (hex) of the record's compact JSON (keys sorted): equal records have equal keys.
QString recordKey(const ExampleRecord& record);
// SHA-256 (hex) of the records in order (their compact JSON, one per line): what a base-model
// evaluation is cached under, together with the model and the settings.
QString recordsSha256(const std::vector<ExampleRecord>& records);

} // namespace ft
