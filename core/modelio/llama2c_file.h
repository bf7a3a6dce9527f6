#pragma once
// llama2.c's legacy checkpoint (.bin): a header of 7 int32 (dim, hidden_dim, n_layers, n_heads,
// n_kv_heads, vocab_size — negative when the classifier is not shared —, seq_len), then fp32 tensors:
// token embedding (vocab, dim); attention norms (L, dim); wq (L, dim, dim); wk, wv (L, kv_dim, dim);
// wo (L, dim, dim); ffn norms (L, dim); w1 (L, hidden, dim); w2 (L, dim, hidden); w3 (L, hidden, dim);
// final norm (dim); two RoPE tables of seq_len * head_size / 2 floats each (unused); the classifier
// (vocab, dim) when not shared.

#include <cstdint>
#include <vector>

#include <QString>

#include "modelio/model_config.h"

namespace ft {

struct Llama2cHeader {
    int32_t dim = 0;
    int32_t hiddenDim = 0;
    int32_t numLayers = 0;
    int32_t numHeads = 0;
    int32_t numKvHeads = 0;
    int32_t vocabSize = 0; // always positive here; `sharedClassifier` keeps the sign's meaning
    int32_t seqLen = 0;
    bool sharedClassifier = true;
};

// One tensor group of the file: `count` consecutive tensors of `shape` starting at float offset.
struct Llama2cSection {
    const char* name;           // "wq", "w1", ...
    std::vector<int64_t> shape; // shape of one tensor (per layer for layered sections)
    int64_t count = 1;          // number of layers it repeats for
    int64_t floatOffset = 0;    // from the start of the weights (after the 28-byte header)
};

constexpr int64_t kLlama2cHeaderBytes = 7 * 4;

// Reads and validates the header of `path`, and checks that the file is exactly as long as the header
// implies. Throws ft::Error naming the file and what was expected.
Llama2cHeader readLlama2cHeader(const QString& path);

// The weight sections in file order, with offsets; empty RoPE tables are skipped.
std::vector<Llama2cSection> llama2cSections(const Llama2cHeader& header);
int64_t llama2cExpectedFloats(const Llama2cHeader& header);

// The Hugging Face configuration equivalent to the header (eps 1e-5, rope theta 10000, as llama2.c).
ModelConfig llama2cModelConfig(const Llama2cHeader& header);

// The sentencepiece model that belongs to `binPath`: `explicitPath` if given, else tokenizer.model or
// the only *.model file beside it. Empty when none is found.
QString findLlama2cTokenizer(const QString& binPath, const QString& explicitPath);

} // namespace ft
