// The sentencepiece module itself: built as libft_sentencepiece.so, linked against libsentencepiece.

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "modelio/sentencepiece_backend.h"

namespace {

class Backend final : public ft::SentencePieceBackend {
public:
    std::string load(const std::string& path) override
    {
        const auto status = m_processor.Load(path);
        return status.ok() ? std::string() : status.ToString();
    }
    std::string encode(const std::string& text, std::vector<int>* ids) const override
    {
        const auto status = m_processor.Encode(text, ids);
        return status.ok() ? std::string() : status.ToString();
    }
    std::string decode(const std::vector<int>& ids, std::string* text) const override
    {
        const auto status = m_processor.Decode(ids, text);
        return status.ok() ? std::string() : status.ToString();
    }
    std::string idToPiece(int id) const override { return m_processor.IdToPiece(id); }
    int pieceToId(const std::string& piece) const override { return m_processor.PieceToId(piece); }
    int pieceSize() const override { return m_processor.GetPieceSize(); }
    int bosId() const override { return m_processor.bos_id(); }
    int eosId() const override { return m_processor.eos_id(); }
    int padId() const override { return m_processor.pad_id(); }
    int unkId() const override { return m_processor.unk_id(); }

private:
    sentencepiece::SentencePieceProcessor m_processor;
};

} // namespace

extern "C" __attribute__((visibility("default"))) ft::SentencePieceBackend* ft_sentencepiece_create()
{
    return new Backend;
}

extern "C" __attribute__((visibility("default"))) bool ft_sentencepiece_train(const std::string& arguments,
                                                                              std::string* error)
{
    const auto status = sentencepiece::SentencePieceTrainer::Train(arguments);
    if (!status.ok() && error)
        *error = status.ToString();
    return status.ok();
}
