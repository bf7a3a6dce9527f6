#include "engine/evaluator.h"
#include "chat/model_prompt_template.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "data/eval_record.h"
#include "data/example_encoder.h"
#include "data/prompt_template.h"
#include "engine/eval_loss.h"
#include "engine/generation.h"
#include "engine/training_data.h"

namespace ft {

QString evalPhaseName(EvalPhase phase)
{
    return phase == EvalPhase::Loss ? QStringLiteral("loss") : QStringLiteral("generation");
}

std::map<QString, double> EvalSummary::metrics(const std::vector<EvalMetric>& wanted) const
{
    std::map<QString, double> values;
    if (loss) {
        values[QStringLiteral("loss")] = *loss;
        values[QStringLiteral("perplexity")] = *perplexity;
    }
    if (generation) {
        for (EvalMetric metric : wanted) {
            switch (metric) {
            case EvalMetric::Bleu:
                values[QStringLiteral("bleu")] = generation->corpusBleu;
                break;
            case EvalMetric::RougeL:
                values[QStringLiteral("rouge-l")] = generation->meanRougeL;
                break;
            case EvalMetric::ExactMatch:
                values[QStringLiteral("exact-match")] = generation->exactMatchRate;
                break;
            case EvalMetric::F1:
                values[QStringLiteral("f1")] = generation->meanF1;
                break;
            case EvalMetric::Loss:
                break;
            }
        }
        values[QStringLiteral("response-words")] = generation->meanWords;
        values[QStringLiteral("response-tokens")] = generation->meanTokens;
    }
    return values;
}

bool fitPromptToContext(std::vector<TokenId>& ids, TokenId bos, int64_t maxPositions, int64_t maxNewTokens)
{
    // Room for the answer, but never less than half the context for the prompt.
    const int64_t keep = std::max<int64_t>(maxPositions - maxNewTokens, maxPositions / 2);
    if (static_cast<int64_t>(ids.size()) <= keep || keep < 1)
        return false;
    const bool hasBos = !ids.empty() && ids.front() == bos;
    std::vector<TokenId> kept;
    kept.reserve(static_cast<size_t>(keep));
    if (hasBos)
        kept.push_back(bos);
    const auto tail = static_cast<size_t>(keep - (hasBos ? 1 : 0));
    kept.insert(kept.end(), ids.end() - static_cast<std::ptrdiff_t>(tail), ids.end());
    ids = std::move(kept);
    return true;
}

EvalResult evaluateRecords(LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                           const std::vector<ExampleRecord>& records, const EvalSettings& settings,
                           const EvalCallbacks& callbacks)
{
    settings.validate();
    const auto start = std::chrono::steady_clock::now();
    const PromptTemplate promptTemplate = resolvePromptTemplate(settings.promptTemplate, settings.templateModelFolder);
    auto progress = [&](EvalPhase phase, int64_t done, int64_t total) {
        return !callbacks.progress || callbacks.progress(phase, done, total);
    };
    EvalResult result;
    result.summary.examples = static_cast<int64_t>(records.size());
    const bool wasTraining = model.is_training();
    model.eval();

    const int64_t context = std::max<int64_t>(1, model.config().maxPositions - model.virtualTokenCount());
    if (settings.wantsLoss() && !records.empty()) {
        // Never longer than the model's context (a run's max_length may exceed it), less a soft prompt's
        // virtual tokens, which come first.
        const int64_t maxLength = std::min<int64_t>(settings.maxLength, context);
        const TokenizedSet set =
            tokenizeRecords(records, tokenizer, promptTemplate, lossOnFromName(settings.lossOn), maxLength);
        const TokenId pad = tokenizer.padId() >= 0 ? tokenizer.padId() : 0;
        const TeacherForcedLoss loss =
            teacherForcedLoss(model, set, pad, maxLength, settings.batchSize, settings.packing,
                              [&](int64_t done, int64_t total) { return progress(EvalPhase::Loss, done, total); });
        result.cancelled = loss.cancelled;
        result.summary.targetTokens = loss.targets;
        result.summary.truncatedExamples = set.truncated;
        if (!loss.cancelled && loss.targets > 0) {
            result.summary.loss = loss.mean();
            result.summary.perplexity = std::exp(loss.mean());
        }
    }

    if (settings.wantsGeneration() && !result.cancelled) {
        const auto total = static_cast<int64_t>(records.size());
        std::vector<QString> outputs;
        std::vector<QString> references;
        std::vector<ExampleScores> scores;
        std::vector<int64_t> lengths;
        for (int64_t i = 0; i < total; ++i) {
            const ExampleRecord& record = records[static_cast<size_t>(i)];
            EvalExample example;
            example.index = i;
            example.key = recordKey(record);
            example.prompt = evalPromptText(record);
            example.reference = evalReferenceText(record);
            std::vector<TokenId> prompt = encodePrompt(tokenizer, promptTemplate, record);
            example.promptTruncated =
                fitPromptToContext(prompt, tokenizer.bosId(), context, settings.sampling.maxNewTokens);
            example.promptTokens = static_cast<int64_t>(prompt.size());
            SamplingOptions sampling = settings.sampling;
            sampling.seed = settings.sampling.seed + static_cast<uint64_t>(i);
            const GenerationResult generated = generate(model, tokenizer, prompt, sampling);
            example.output = generated.text;
            example.outputTokens = static_cast<int64_t>(generated.tokens.size());
            example.stopReason = stopReasonName(generated.stopReason);
            example.scores = scoreExample(example.output, example.reference);
            outputs.push_back(example.output);
            references.push_back(example.reference);
            scores.push_back(example.scores);
            lengths.push_back(example.outputTokens);
            result.examples.push_back(example);
            if (callbacks.exampleDone)
                callbacks.exampleDone(result.examples.back());
            if (!progress(EvalPhase::Generation, i + 1, total)) {
                result.cancelled = true;
                break;
            }
        }
        if (!result.cancelled)
            result.summary.generation = summarizeGenerations(outputs, references, scores, lengths);
    }
    if (wasTraining)
        model.train();
    result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace ft
