#pragma once
// The "BPE" model of a tokenizer.json, token for token what Hugging Face's tokenizers crate does:
// the word split into characters (with continuing_subword_prefix / end_of_word_suffix), unknown
// characters as <0xXX> byte tokens (byte_fallback) or the unk token (fused when fuse_unk), then
// merges applied lowest rank first (ties: leftmost) with a binary heap over a linked list of symbols,
// ignore_merges taking a whole word that is in the vocabulary as it is.
//
// Speed: results are cached per word (BpeWordCache); ByteLevel pieces start from a 256-entry table of
// byte ids without building the mapped text; and a SentencePiece-style vocabulary, where no token has
// "▁" after another character, lets a long text without pre-tokenizer be cut before each such "▁"
// (no merge can cross those points, so the result is the same) and each part be cached.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <QString>

#include "modelio/bpe_tables.h"
#include "modelio/bpe_word_cache.h"

namespace ft {

class JsonNode;

// Per-call working memory (never shared between threads).
struct BpeScratch {
    struct Symbol {
        int32_t id;
        int32_t prev;
        int32_t next;
        uint32_t length; // bytes; 0: merged into its left neighbour
    };
    struct HeapEntry {
        uint64_t key; // rank << 32 | position
        int32_t merged;
    };
    std::vector<Symbol> symbols;
    std::vector<HeapEntry> heap;
    std::vector<int32_t> ids;
    std::string text;
};

class BpeModel {
public:
    // `node` is the tokenizer.json "model" object (its type already checked to be "BPE").
    static std::unique_ptr<BpeModel> fromJson(const JsonNode& node);

    // Appends the ids of one pre-token. `byteLevel`: `piece` holds raw bytes that stand for their
    // ByteLevel characters (the pre-tokenizer's mapping, applied here without materialising it).
    void tokenize(std::string_view piece, bool byteLevel, BpeScratch& scratch, std::vector<int32_t>& out) const;

    int32_t tokenToId(std::string_view token) const { return m_vocab.find(token); }
    const std::string* idToToken(int32_t id) const;
    size_t vocabCount() const { return m_vocab.size(); } // distinct tokens, as the crate's get_vocab_size
    int32_t maxId() const { return static_cast<int32_t>(m_idToToken.size()) - 1; }
    int32_t unkId() const { return m_unkId; }

private:
    BpeModel() = default;
    void tokenizeWord(std::string_view word, bool byteLevel, BpeScratch& scratch, std::vector<int32_t>& out) const;
    void initialSymbols(std::string_view word, bool byteLevel, BpeScratch& scratch) const;
    void addCharacter(std::string_view text, bool first, bool last, uint32_t byteLength, BpeScratch& scratch,
                      int32_t& pendingUnk, uint32_t& pendingUnkLength) const;
    void mergeAll(BpeScratch& scratch) const;

    QString m_file;
    StringIdMap m_vocab;
    std::vector<std::string> m_idToToken;
    std::vector<bool> m_hasToken;
    PairMergeMap m_merges;
    std::string m_unkToken;
    bool m_hasUnk = false;
    int32_t m_unkId = -1;
    std::string m_prefix; // continuing_subword_prefix ("" when null)
    std::string m_suffix; // end_of_word_suffix
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    std::array<int32_t, 256> m_byteFallbackIds{};
    std::array<int32_t, 256> m_byteLevelIds{}; // id of each byte's ByteLevel character
    bool m_byteLevelFast = false;              // every byte's character is a token, no prefix/suffix
    bool m_metaSplit = false;                  // see the header comment
    BpeWordCache m_cache;
    BpeWordCache m_byteLevelCache;
};

} // namespace ft
