#include "modelio/sentencepiece_tokenizer.h"

#include <QFileInfo>

#include "common/error.h"
#include "modelio/sentencepiece_backend.h"

namespace ft {

SentencePieceTokenizer::SentencePieceTokenizer() = default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const QString& path)
{
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("%1: tokenizer model not found").arg(path));
    if (QFileInfo(path).size() > 256 * 1024 * 1024)
        throw Error(QStringLiteral("%1: over 256 MB, too large for a sentencepiece model").arg(path));
    std::unique_ptr<SentencePieceTokenizer> tokenizer(new SentencePieceTokenizer);
    tokenizer->m_processor.reset(createSentencePieceBackend());
    const std::string error = tokenizer->m_processor->load(path.toStdString());
    if (!error.empty())
        throw Error(QStringLiteral("%1: not a valid sentencepiece model: %2").arg(path, QString::fromStdString(error)));
    tokenizer->m_path = QFileInfo(path).absoluteFilePath();
    return tokenizer;
}

std::vector<TokenId> SentencePieceTokenizer::encode(std::string_view text) const
{
    std::vector<int> ids;
    const std::string error = m_processor->encode(std::string(text), &ids);
    if (!error.empty())
        throw Error(QStringLiteral("tokenizer %1: cannot encode text: %2").arg(m_path, QString::fromStdString(error)));
    return {ids.begin(), ids.end()};
}

std::vector<TokenId> SentencePieceTokenizer::encodeWithSpecialTokens(std::string_view text, TokenId bos,
                                                                     TokenId eos) const
{
    std::vector<TokenId> ids;
    if (bos >= 0)
        ids.push_back(bos);
    const std::vector<TokenId> body = encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    if (eos >= 0)
        ids.push_back(eos);
    return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<TokenId>& ids, bool skipSpecial) const
{
    std::vector<int> valid;
    valid.reserve(ids.size());
    const int vocab = vocabSize();
    for (const TokenId id : ids)
        if (id >= 0 && id < vocab && !(skipSpecial && isSpecial(id)))
            valid.push_back(id);
    std::string text;
    const std::string error = m_processor->decode(valid, &text);
    if (!error.empty())
        throw Error(QStringLiteral("tokenizer %1: cannot decode: %2").arg(m_path, QString::fromStdString(error)));
    return text;
}

std::string SentencePieceTokenizer::tokenText(TokenId id) const
{
    if (id < 0 || id >= vocabSize())
        return {};
    return m_processor->idToPiece(id);
}

TokenId SentencePieceTokenizer::tokenId(std::string_view text) const
{
    const std::string piece(text);
    const int id = m_processor->pieceToId(piece);
    // sentencepiece answers unk for a piece it does not have.
    if (id == m_processor->unkId() && m_processor->idToPiece(id) != piece)
        return -1;
    return id;
}

int SentencePieceTokenizer::vocabSize() const { return m_processor->pieceSize(); }
TokenId SentencePieceTokenizer::unkId() const { return m_processor->unkId(); }

bool SentencePieceTokenizer::isSpecial(TokenId id) const
{
    // The control pieces sentencepiece declares (transformers' slow tokenizer skips the same ones).
    return id >= 0 && (id == m_processor->bosId() || id == m_processor->eosId() || id == m_processor->padId() ||
                       id == m_processor->unkId());
}

TokenId SentencePieceTokenizer::declaredBos() const { return m_processor->bosId(); }
TokenId SentencePieceTokenizer::declaredEos() const { return m_processor->eosId(); }
TokenId SentencePieceTokenizer::declaredPad() const { return m_processor->padId(); }

} // namespace ft
