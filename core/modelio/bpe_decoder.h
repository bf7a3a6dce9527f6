#pragma once
// The "decoder" of a tokenizer.json: ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace and
// Sequence, each a step over the list of token strings as in the crate's decode_chain. Any other
// type is refused by name.

#include <memory>
#include <string>
#include <vector>

namespace ft {

class JsonNode;

class TokenDecoder {
public:
    virtual ~TokenDecoder() = default;
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;
};

// Null for a null or absent decoder (tokens are then joined with spaces, as the crate does).
std::unique_ptr<TokenDecoder> makeDecoder(const JsonNode& node);

} // namespace ft
