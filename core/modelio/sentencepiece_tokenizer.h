#pragma once
// A sentencepiece `tokenizer.model` behind the TokenizerBackend interface (the library itself is
// reached through the dlopen'ed module of sentencepiece_backend.h).

#include <memory>

#include "modelio/tokenizer_backend.h"

namespace ft {

class SentencePieceBackend;

class SentencePieceTokenizer final : public TokenizerBackend {
public:
    // Throws ft::Error naming the file when it is missing, too large or not a sentencepiece model.
    static std::unique_ptr<SentencePieceTokenizer> load(const QString& path);
    ~SentencePieceTokenizer() override;

    QString kindName() const override { return QStringLiteral("sentencepiece"); }
    std::vector<TokenId> encode(std::string_view text) const override;
    std::vector<TokenId> encodeWithSpecialTokens(std::string_view text, TokenId bos, TokenId eos) const override;
    std::string decode(const std::vector<TokenId>& ids, bool skipSpecial) const override;
    std::string tokenText(TokenId id) const override;
    TokenId tokenId(std::string_view text) const override;
    int vocabSize() const override;
    TokenId unkId() const override;
    bool isSpecial(TokenId id) const override;
    bool isAdded(TokenId id) const override { return isSpecial(id); }
    TokenId declaredBos() const override;
    TokenId declaredEos() const override;
    TokenId declaredPad() const override;

private:
    SentencePieceTokenizer();
    std::unique_ptr<SentencePieceBackend> m_processor;
    QString m_path;
};

} // namespace ft
