#pragma once
// Text generation with a KV cache: greedy or sampled (temperature, top-k, top-p), seedable, stopping
// at end-of-sequence or a token limit, streaming text as it is produced.

#include <functional>
#include <vector>

#include <QString>

#include "engine/llama_model.h"
#include "modelio/tokenizer.h"

namespace ft {

struct SamplingOptions {
    bool greedy = false;
    double temperature = 0.8;
    int topK = 0;       // 0: no top-k filter
    double topP = 0.95; // 1: no nucleus filter
    int maxNewTokens = 256;
    uint64_t seed = 0;
    bool stopAtEos = true; // also stops at BOS, which llama2.c-style models emit between documents
};

enum class StopReason { EndOfSequence, TokenLimit, ContextFull, Cancelled };
QString stopReasonName(StopReason reason); // "eos", "length", "context", "cancelled"

struct GenerationResult {
    std::vector<TokenId> tokens; // the new tokens only
    QString text;                // the new text only
    StopReason stopReason = StopReason::TokenLimit;
    double seconds = 0.0;
    double tokensPerSecond() const { return seconds > 0 ? static_cast<double>(tokens.size()) / seconds : 0.0; }
};

// Called with each new token and the text it completes (empty while a multi-byte character is still
// incomplete). Returning false stops generation after this token.
using TokenCallback = std::function<bool(TokenId token, const QString& newText)>;

// `promptIds` must already carry BOS if the model expects it (see promptWithBos).
GenerationResult generate(LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                          const std::vector<TokenId>& promptIds, const SamplingOptions& options,
                          const TokenCallback& onToken = {});

// BOS (when the tokenizer adds one) followed by the encoded text.
std::vector<TokenId> promptWithBos(const Tokenizer& tokenizer, const QString& text);

// Picks the next token from logits (vocab) as the options say; `generator` drives sampling.
TokenId sampleToken(const torch::Tensor& logits, const SamplingOptions& options, at::Generator& generator);

} // namespace ft
