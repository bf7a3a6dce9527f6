#pragma once
// The "added_tokens" of a tokenizer.json (special and not), as the crate's AddedVocabulary handles
// them: ids assigned as add_tokens does (the model's id for a token it knows, else the next free id
// after the model's vocabulary); matched in the raw text before normalization (normalized: false) or
// in each normalized piece (normalized: true), leftmost then longest first; single_word, lstrip and
// rstrip honoured. Special tokens in the input text are recognised (the crate's default).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "modelio/tokenizer_regex.h"

namespace ft {

class JsonNode;
class BpeModel;
class TextNormalizer;

struct AddedToken {
    std::string content;
    int32_t id = -1;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

// A piece of split text: an added token (id >= 0) or text to tokenize (id -1), as byte offsets.
struct AddedSplit {
    size_t begin = 0;
    size_t end = 0;
    int32_t id = -1;
};

class AddedVocabulary {
public:
    AddedVocabulary();
    ~AddedVocabulary();

    // Reads the "added_tokens" array; `normalizer` builds the patterns of normalized tokens.
    void load(const JsonNode& node, const BpeModel& model, const TextNormalizer* normalizer);

    bool empty() const { return m_byId.empty(); }
    bool hasRawTokens() const;
    bool hasNormalizedTokens() const;
    // Splits `text` on the tokens matched before (raw) or after (normalized) normalization.
    void splitRaw(std::string_view text, std::vector<AddedSplit>& out) const;
    void splitNormalized(std::string_view text, std::vector<AddedSplit>& out) const;

    const AddedToken* byId(int32_t id) const;
    int32_t idOf(std::string_view content) const; // -1 when none
    bool isSpecialContent(std::string_view content) const;
    int32_t maxId() const { return m_maxId; }
    const std::vector<AddedToken>& tokens() const { return m_tokens; }

private:
    struct Trie;
    void split(std::string_view text, const Trie& trie, std::vector<AddedSplit>& out) const;

    std::vector<AddedToken> m_tokens; // in the file's order, one per id
    std::unordered_map<int32_t, size_t> m_byId;
    std::unordered_map<std::string, int32_t> m_byContent;
    std::unique_ptr<Trie> m_raw;
    std::unique_ptr<Trie> m_normalized;
    std::unique_ptr<TokenizerRegex> m_wordCharacter; // single_word's \w
    int32_t m_maxId = -1;
};

} // namespace ft
