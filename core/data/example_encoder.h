#pragma once
// A record, through a template and a tokenizer, into token ids with a per-token loss mask.
//
// Each template segment is encoded on its own and the ids concatenated, so the prompt's tokens are
// exactly those generation is given later (encoding the joined text could merge the last prompt
// characters with the first answer characters differently).

#include <cstdint>
#include <vector>

#include "data/prompt_template.h"
#include "modelio/tokenizer.h"

namespace ft {

enum class LossOn { Response, All };
LossOn lossOnFromName(const QString& name); // "response" | "all"; throws otherwise
QString lossOnName(LossOn lossOn);

struct TokenizedExample {
    std::vector<TokenId> ids;
    // 1 where the token is a training target (predicted from the tokens before it), else 0. The
    // first token never is.
    std::vector<uint8_t> loss;
    int64_t promptTokens = 0;   // tokens outside the answers (BOS included)
    int64_t responseTokens = 0; // answer tokens including the EOS after each answer
    bool truncated = false;
    int64_t targetCount() const;
};

// `maxLength` <= 0: no limit. Over the limit, prompt tokens are dropped first (oldest first, after
// BOS), then answer tokens from the end; `truncated` says so.
TokenizedExample encodeExample(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate,
                               const ExampleRecord& record, LossOn lossOn, int64_t maxLength);

// The ids generation starts from: BOS (if the tokenizer adds one) and the prompt segments.
std::vector<TokenId> encodePrompt(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate,
                                  const ExampleRecord& record);

// Tokens the template itself adds to an example with one-character fields: the least a maximum
// length must allow.
int64_t templateOverheadTokens(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate);

} // namespace ft
