#pragma once
// The sentencepiece tokenizer of a model, with its special token ids resolved from config.json,
// tokenizer_config.json and special_tokens_map.json (in that order), falling back to the ids the
// sentencepiece model itself declares.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QString>

namespace ft {

struct ModelConfig;
class SentencePieceBackend;
using TokenId = int32_t;

class Tokenizer {
public:
    // A sentencepiece `.model` file on its own (ids as that model declares them).
    static std::shared_ptr<const Tokenizer> fromFile(const QString& path);
    // The tokenizer of a Hugging Face model folder. A folder with only a BPE tokenizer.json is refused
    // with an error that says so. `config` supplies bos/eos/pad ids when given.
    static std::shared_ptr<const Tokenizer> fromModelFolder(const QString& folder, const ModelConfig* config = nullptr);

    ~Tokenizer();

    // Token ids of `text` (UTF-8), without BOS or EOS.
    std::vector<TokenId> encode(const std::string& text) const;
    std::vector<TokenId> encode(const QString& text) const { return encode(text.toStdString()); }
    std::string decode(const std::vector<TokenId>& ids) const;
    QString decodeText(const std::vector<TokenId>& ids) const { return QString::fromStdString(decode(ids)); }
    std::string piece(TokenId id) const;

    int vocabSize() const;
    TokenId bosId() const { return m_bos; }
    TokenId eosId() const { return m_eos; }
    TokenId padId() const { return m_pad; }
    TokenId unkId() const;
    bool addsBos() const { return m_addBos; } // tokenizer_config.json add_bos_token (default true)
    const QString& path() const { return m_path; }

private:
    Tokenizer() = default;
    std::unique_ptr<SentencePieceBackend> m_processor;
    QString m_path;
    TokenId m_bos = -1;
    TokenId m_eos = -1;
    TokenId m_pad = -1;
    bool m_addBos = true;
};

// Trains a BPE sentencepiece model with byte fallback on the UTF-8 lines of `textFile`, writing
// `<outputPrefix>.model` (and `.vocab`). Deterministic for the same input and vocabulary size.
void trainSentencepieceModel(const QString& textFile, const QString& outputPrefix, int vocabSize);

} // namespace ft
