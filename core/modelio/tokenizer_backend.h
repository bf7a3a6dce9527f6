#pragma once
// What ft::Tokenizer needs of a tokenizer file format: one implementation per format (sentencepiece's
// tokenizer.model, Hugging Face's tokenizer.json). Every method is const and safe to call from
// several threads at once.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <QString>

namespace ft {

using TokenId = int32_t;

class TokenizerBackend {
public:
    virtual ~TokenizerBackend() = default;

    virtual QString kindName() const = 0;

    // Ids of `text` (UTF-8; invalid sequences are read as U+FFFD) without special tokens.
    virtual std::vector<TokenId> encode(std::string_view text) const = 0;
    // With the special tokens the format adds: the tokenizer.json post-processor; for sentencepiece
    // `bos` / `eos` when >= 0 (the caller's resolution of add_bos_token / add_eos_token).
    virtual std::vector<TokenId> encodeWithSpecialTokens(std::string_view text, TokenId bos, TokenId eos) const = 0;
    // Ids outside the vocabulary are skipped; `skipSpecial` drops special tokens first.
    virtual std::string decode(const std::vector<TokenId>& ids, bool skipSpecial) const = 0;

    virtual std::string tokenText(TokenId id) const = 0;      // empty when the id has none
    virtual TokenId tokenId(std::string_view text) const = 0; // -1 when no token has this text
    virtual int vocabSize() const = 0;                        // highest id + 1, added tokens included
    virtual TokenId unkId() const = 0;                        // -1 when none
    virtual bool isSpecial(TokenId id) const = 0;             // skipped by decode(ids, skipSpecial)
    virtual bool isAdded(TokenId id) const = 0;               // an added token (tokenizer.json) / control piece

    // The special ids the file itself declares, -1 when it declares none.
    virtual TokenId declaredBos() const = 0;
    virtual TokenId declaredEos() const = 0;
    virtual TokenId declaredPad() const = 0;
};

} // namespace ft
