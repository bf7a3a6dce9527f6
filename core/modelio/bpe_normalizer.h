#pragma once
// The "normalizer" of a tokenizer.json: NFC / NFD / NFKC / NFKD (Qt's Unicode normalization),
// Replace (a String or a Regex pattern), Prepend, and Sequence of those. Any other type is refused
// with an error naming the file, the key and the type.

#include <memory>
#include <string>

#include "modelio/tokenizer_regex.h"

namespace ft {

class JsonNode;

class TextNormalizer {
public:
    virtual ~TextNormalizer() = default;
    // Normalizes one piece of text (valid UTF-8) in place.
    virtual void apply(std::string& text, RegexMatchData& match, std::vector<TextSpan>& spans) const = 0;
};

// Null for a null or absent normalizer.
std::unique_ptr<TextNormalizer> makeNormalizer(const JsonNode& node);

// A Replace/Split "pattern": {"String": "..."} or {"Regex": "..."}; errors name `node`.
std::unique_ptr<TokenizerRegex> makePattern(const JsonNode& node);

} // namespace ft
