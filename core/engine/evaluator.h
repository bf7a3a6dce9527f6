#pragma once
// Evaluating a model on a set of records: the teacher-forced loss and perplexity (the template and
// loss mask of the settings, masked mean over target tokens), and answers generated from each
// record's prompt (greedy by default) scored against the reference with corpus BLEU-4, ROUGE-L F1,
// exact match and token F1, with the mean response length. Every example's output and scores are
// kept. Deterministic: greedy decoding, or sampling seeded with settings.seed + the example's index.

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "data/example_record.h"
#include "data/generation_scores.h"
#include "engine/eval_settings.h"
#include "engine/llama_model.h"
#include "modelio/tokenizer.h"

namespace ft {

struct EvalExample {
    int64_t index = 0;            // position in the evaluated records
    QString key;                  // recordKey(): the same example has the same key in every evaluation
    QString prompt;               // evalPromptText(): what was asked
    QString reference;            // evalReferenceText(): the reference answer
    QString output;               // the generated answer
    int64_t promptTokens = 0;     // tokens the model was given (after truncation)
    int64_t outputTokens = 0;     // tokens generated
    bool promptTruncated = false; // the prompt was cut (oldest tokens first) to leave room for the answer
    QString stopReason;           // "eos", "length", "context", "cancelled"
    ExampleScores scores;
};

struct EvalSummary {
    int64_t examples = 0;
    std::optional<double> loss;       // mean over target tokens
    std::optional<double> perplexity; // exp(loss)
    int64_t targetTokens = 0;
    int64_t truncatedExamples = 0; // longer than max_length for the loss
    std::optional<GenerationSummary> generation;
    double seconds = 0.0;

    // The numbers under the names the store and the event stream use: "loss", "perplexity", "bleu",
    // "rouge-l", "exact-match", "f1", "response-words", "response-tokens" (those that were computed;
    // generation metrics only when asked for, the lengths with any of them).
    std::map<QString, double> metrics(const std::vector<EvalMetric>& wanted) const;
};

struct EvalResult {
    EvalSummary summary;
    std::vector<EvalExample> examples; // empty when no generation metric was asked for
    bool cancelled = false;            // the callback asked to stop: the summary is incomplete, store nothing
};

enum class EvalPhase { Loss, Generation };
QString evalPhaseName(EvalPhase phase); // "loss", "generation"

struct EvalCallbacks {
    // After every loss batch and every generated example: (phase, done, total of that phase).
    // Returning false cancels at the next batch or example (the contract of common/progress.h).
    std::function<bool(EvalPhase, int64_t, int64_t)> progress;
    // Each example as soon as it is generated and scored.
    std::function<void(const EvalExample&)> exampleDone;
};

// `tokenizer` must be the model's. Throws ft::Error for bad settings (unknown template, ...).
EvalResult evaluateRecords(LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                           const std::vector<ExampleRecord>& records, const EvalSettings& settings,
                           const EvalCallbacks& callbacks = {});

// The prompt ids generation starts from, cut to leave room for `maxNewTokens` within the model's
// context: the oldest tokens go first, BOS stays. Returns whether anything was cut.
bool fitPromptToContext(std::vector<TokenId>& ids, TokenId bos, int64_t maxPositions, int64_t maxNewTokens);

} // namespace ft
