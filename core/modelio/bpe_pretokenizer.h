#pragma once
// The "pre_tokenizer" of a tokenizer.json: Split (String or Regex pattern; Isolated, Removed,
// MergedWithPrevious, MergedWithNext or Contiguous; invert), ByteLevel (add_prefix_space, GPT-2's
// regex when use_regex), Metaspace (replacement, prepend_scheme first/always/never, split), Digits
// (individual_digits) and Sequence. Any other type is refused by name.
//
// Pieces are byte ranges of one buffer. A ByteLevel piece keeps its raw bytes and a flag: the BPE model
// maps them itself; a later stage that needs the mapped text materialises it.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "modelio/tokenizer_regex.h"

namespace ft {

class JsonNode;

struct PreTokenPiece {
    size_t begin = 0;
    size_t end = 0;
    bool byteLevel = false; // the bytes stand for their ByteLevel characters
    bool atStart = false;   // begins at offset 0 of the original text (Metaspace's prepend_scheme "first")
};

struct PreTokenizeScratch {
    std::string buffer;
    RegexMatchData match;
    std::vector<TextSpan> spans;
    std::vector<PreTokenPiece> pieces;
    std::vector<PreTokenPiece> next;
    std::string text;
};

class PreTokenizerStage {
public:
    virtual ~PreTokenizerStage() = default;
    // Appends the non-empty pieces `piece` splits into.
    virtual void split(PreTokenizeScratch& scratch, const PreTokenPiece& piece,
                       std::vector<PreTokenPiece>& out) const = 0;
};

class PreTokenizer {
public:
    // Null for a null or absent pre_tokenizer.
    static std::unique_ptr<PreTokenizer> fromJson(const JsonNode& node);
    ~PreTokenizer();

    // Splits `text`; the pieces (into scratch.buffer) are left in scratch.pieces.
    void run(std::string_view text, bool atStart, PreTokenizeScratch& scratch) const;

private:
    PreTokenizer() = default;
    static void addStages(const JsonNode& node, std::vector<std::unique_ptr<PreTokenizerStage>>& stages);
    std::vector<std::unique_ptr<PreTokenizerStage>> m_stages;
};

} // namespace ft
