#pragma once
// The tokenizer of a Hugging Face model folder as GGUF metadata, the way llama.cpp reads it:
//   - a sentencepiece folder (tokenizer.model): tokenizer.ggml.model "llama", pre "default", every piece with
//     its score and type (NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6), added tokens of
//     tokenizer_config.json applied as convert_hf_to_gguf.py does;
//   - a byte-level BPE folder (tokenizer.json): "gpt2", tokens by id including added tokens (special ones CONTROL,
//     others USER_DEFINED, ids without a token "[PADn]" UNUSED), merges as "a b", and tokenizer.ggml.pre chosen
//     from the pre-tokenizer's regex ("qwen2", "llama-bpe", "smollm", "gpt2"; "default" otherwise, with a warning).
// Special ids come from tokenizer_config.json, then config.json / generation_config.json, then the sentencepiece
// model; add_bos/add_eos from tokenizer_config.json (else the post-processor, else llama.cpp's defaults).

#include <cstdint>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "gguf/gguf_value.h"

namespace ft {

struct GgufModelParams;

struct GgufVocab {
    QString model; // "llama" or "gpt2"
    QString pre;
    QList<QByteArray> tokens;
    std::vector<float> scores; // sentencepiece only
    std::vector<int32_t> types;
    QList<QByteArray> merges; // BPE only
    int64_t bos = -1;
    int64_t eos = -1;
    int64_t unk = -1;
    int64_t pad = -1;
    int64_t eot = -1;
    std::vector<int64_t> extraEos; // further end-of-sequence ids (generation_config.json's list)
    int addBos = -1;               // -1: not said; 0/1
    int addEos = -1;
    int addSpacePrefix = -1;
    QString chatTemplate;
    QStringList warnings;

    // The texts generation should stop at: the end-of-sequence and end-of-turn tokens.
    QStringList stopTokens() const;
    void addTo(GgufMetadata& metadata) const;
};

// `vocabSize` is the number of rows of the embedding: the token list is padded (or cut, with a warning) to it.
// A non-empty `chatTemplateOverride` replaces the folder's chat template. Throws ft::Error naming the file.
GgufVocab readGgufVocab(const QString& folder, const GgufModelParams& params, int64_t vocabSize,
                        const QString& chatTemplateOverride = {});

// The llama.cpp pre-tokenizer name for a tokenizer.json pre_tokenizer (its JSON), or empty when unknown.
QString ggufPreTokenizerName(const QJsonValue& preTokenizer);

} // namespace ft
