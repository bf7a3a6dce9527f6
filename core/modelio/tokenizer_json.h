#pragma once
// A Hugging Face tokenizer.json with a BPE model (byte-level BPE as GPT-2, Llama 3 and Qwen use it,
// or SentencePiece-style BPE with byte fallback as Llama 2 and Mistral ship it), giving the same ids
// and text as the crate `tokenizers`: added tokens split out of the raw text, then per piece the
// normalizer, the pre-tokenizer and the model; the post-processor only for
// encodeWithSpecialTokens; the decoder for decode. Components the crate has but this does not are
// refused when the file is read, naming the file, the key and the type, never tokenized differently.
// "truncation" and "padding" are not applied (the studio truncates and pads itself, as transformers
// resets them per call).

#include <memory>

#include "modelio/tokenizer_backend.h"

namespace ft {

class AddedVocabulary;
class BpeModel;
class PostProcessor;
class PreTokenizer;
class TextNormalizer;
class TokenDecoder;

class TokenizerJsonBackend final : public TokenizerBackend {
public:
    // Throws ft::Error naming the file (and the key) when it cannot be read or is not supported.
    static std::unique_ptr<TokenizerJsonBackend> load(const QString& path);
    ~TokenizerJsonBackend() override;

    QString kindName() const override { return QStringLiteral("tokenizer.json bpe"); }
    std::vector<TokenId> encode(std::string_view text) const override;
    std::vector<TokenId> encodeWithSpecialTokens(std::string_view text, TokenId bos, TokenId eos) const override;
    std::string decode(const std::vector<TokenId>& ids, bool skipSpecial) const override;
    std::string tokenText(TokenId id) const override;
    TokenId tokenId(std::string_view text) const override;
    int vocabSize() const override { return m_vocabSize; }
    TokenId unkId() const override;
    bool isSpecial(TokenId id) const override;
    bool isAdded(TokenId id) const override;
    TokenId declaredBos() const override { return m_bos; }
    TokenId declaredEos() const override { return m_eos; }
    TokenId declaredPad() const override { return -1; }

private:
    TokenizerJsonBackend();
    void encodeInto(std::string_view text, std::vector<TokenId>& out) const;

    QString m_path;
    std::unique_ptr<AddedVocabulary> m_added;
    std::unique_ptr<TextNormalizer> m_normalizer;
    std::unique_ptr<PreTokenizer> m_preTokenizer;
    std::unique_ptr<BpeModel> m_model;
    std::unique_ptr<PostProcessor> m_postProcessor;
    std::unique_ptr<TokenDecoder> m_decoder;
    int m_vocabSize = 0;
    TokenId m_bos = -1; // the post-processor's special token before $A
    TokenId m_eos = -1; // and after it
};

} // namespace ft
