#pragma once
// The tokenizer of a model: a sentencepiece `tokenizer.model` or a Hugging Face `tokenizer.json` (BPE:
// byte-level as Llama 3 / Qwen, or SentencePiece-style as Llama 2 / Mistral), behind one interface
// (tokenizer_backend.h). Special token ids are resolved from config.json, tokenizer_config.json,
// special_tokens_map.json and generation_config.json (in that order), falling back to the ids the
// tokenizer file itself declares. See docs/tokenizers.md.
//
// Every method is const and thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QString>

namespace ft {

struct ModelConfig;
struct TokenizerConfigFiles;
class TokenizerBackend;
using TokenId = int32_t;

enum class TokenizerKind {
    SentencePiece, // tokenizer.model
    TokenizerJson, // tokenizer.json with a BPE model
};

class Tokenizer {
public:
    // A tokenizer file on its own: a sentencepiece `.model`, or a `tokenizer.json` (any `.json` name);
    // ids as the file declares them.
    static std::shared_ptr<const Tokenizer> fromFile(const QString& path);
    // A Hugging Face tokenizer.json on its own. BOS/EOS: the special tokens its post-processor puts
    // before and after the text. Unsupported components are refused with an ft::Error naming the file,
    // the key and the component type.
    static std::shared_ptr<const Tokenizer> fromTokenizerJson(const QString& path);
    // The tokenizer of a Hugging Face model folder: tokenizer.json when the folder has one, else
    // tokenizer.model. `config` (config.json) supplies bos/eos/pad ids when given.
    static std::shared_ptr<const Tokenizer> fromModelFolder(const QString& folder, const ModelConfig* config = nullptr);

    ~Tokenizer();

    // Token ids of `text` (UTF-8) without special tokens: Hugging Face's
    // encode(text, add_special_tokens=False). Special tokens written in the text are recognised
    // (tokenizer.json).
    std::vector<TokenId> encode(const std::string& text) const;
    std::vector<TokenId> encode(const QString& text) const { return encode(text.toStdString()); }
    // With special tokens: add_special_tokens=True (tokenizer.json: its post-processor; sentencepiece:
    // BOS when addsBos(), EOS when addsEos()).
    std::vector<TokenId> encodeWithSpecialTokens(const std::string& text) const;
    std::vector<TokenId> encodeWithSpecialTokens(const QString& text) const
    {
        return encodeWithSpecialTokens(text.toStdString());
    }
    // decode(ids, skip_special_tokens=False); ids outside the vocabulary are skipped.
    std::string decode(const std::vector<TokenId>& ids) const { return decode(ids, false); }
    std::string decode(const std::vector<TokenId>& ids, bool skipSpecialTokens) const;
    // decode() as a QString; a leading U+FEFF is kept (QString::fromStdString would drop it).
    QString decodeText(const std::vector<TokenId>& ids, bool skipSpecialTokens = false) const;
    // The token's own text ("▁Hello", "Ġworld", "<|im_end|>"); empty for an id without one.
    std::string piece(TokenId id) const;
    TokenId tokenToId(const std::string& token) const; // -1 when no token has this text

    int vocabSize() const; // highest id + 1, added tokens included
    TokenId bosId() const { return m_bos; }
    TokenId eosId() const { return m_eos; }
    TokenId padId() const { return m_pad; }
    TokenId unkId() const;
    // Every id that ends generation: eosId(), config.json's and generation_config.json's
    // eos_token_id (an id or a list) and tokenizer_config.json's eos_token, without repeats.
    const std::vector<TokenId>& eosIds() const { return m_eosIds; }
    // The token that closes a chat turn (<|eot_id|>, <|im_end|>, <end_of_turn>, ...): one of eosIds()
    // when one of them is such a token, else such a token of the vocabulary, else eosId().
    TokenId endOfTurnId() const { return m_endOfTurn; }
    bool isSpecial(TokenId id) const;         // dropped by decode(ids, true)
    bool isAddedToken(TokenId id) const;      // a tokenizer.json added token (special or not)
    bool addsBos() const { return m_addBos; } // tokenizer_config.json add_bos_token, else the format's default
    bool addsEos() const { return m_addEos; } // tokenizer_config.json add_eos_token, else the format's default
    TokenizerKind kind() const { return m_kind; }
    QString kindName() const; // "sentencepiece" or "tokenizer.json bpe"
    const QString& path() const { return m_path; }

private:
    Tokenizer();
    void resolveSpecialIds(const TokenizerConfigFiles* files, const ModelConfig* config);

    std::unique_ptr<TokenizerBackend> m_backend;
    TokenizerKind m_kind = TokenizerKind::SentencePiece;
    QString m_path;
    TokenId m_bos = -1;
    TokenId m_eos = -1;
    TokenId m_pad = -1;
    TokenId m_endOfTurn = -1;
    std::vector<TokenId> m_eosIds;
    bool m_addBos = true;
    bool m_addEos = false;
};

// Trains a BPE sentencepiece model with byte fallback on the UTF-8 lines of `textFile`, writing
// `<outputPrefix>.model` (and `.vocab`). Deterministic for the same input and vocabulary size.
void trainSentencepieceModel(const QString& textFile, const QString& outputPrefix, int vocabSize);

} // namespace ft
