#include "engine/generation.h"

#include <chrono>

#include <ATen/CPUGeneratorImpl.h>

namespace ft {

QString stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::EndOfSequence:
        return QStringLiteral("eos");
    case StopReason::TokenLimit:
        return QStringLiteral("length");
    case StopReason::ContextFull:
        return QStringLiteral("context");
    case StopReason::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

std::vector<TokenId> promptWithBos(const Tokenizer& tokenizer, const QString& text)
{
    std::vector<TokenId> ids;
    if (tokenizer.addsBos() && tokenizer.bosId() >= 0)
        ids.push_back(tokenizer.bosId());
    const std::vector<TokenId> body = tokenizer.encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    return ids;
}

TokenId sampleToken(const torch::Tensor& logits, const SamplingOptions& options, at::Generator& generator)
{
    if (options.greedy || options.temperature <= 0.0)
        return static_cast<TokenId>(logits.argmax().item<int64_t>());

    torch::Tensor scaled = logits.to(torch::kFloat32) / options.temperature;
    if (options.topK > 0 && options.topK < scaled.size(0)) {
        const torch::Tensor kth = std::get<0>(scaled.topk(options.topK)).select(0, options.topK - 1);
        scaled = scaled.masked_fill(scaled < kth, -INFINITY);
    }
    torch::Tensor probs = torch::softmax(scaled, 0);
    if (options.topP > 0.0 && options.topP < 1.0) {
        // Keep the smallest set of most likely tokens whose probabilities sum to at least top-p.
        auto [sorted, order] = probs.sort(0, /*descending=*/true);
        const torch::Tensor before = sorted.cumsum(0) - sorted; // mass of the tokens ranked above each one
        sorted = sorted.masked_fill(before >= options.topP, 0.0);
        probs = torch::zeros_like(probs).scatter(0, order, sorted);
        probs = probs / probs.sum();
    }
    return static_cast<TokenId>(torch::multinomial(probs, 1, false, generator).item<int64_t>());
}

GenerationResult generate(LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                          const std::vector<TokenId>& promptIds, const SamplingOptions& options,
                          const TokenCallback& onToken)
{
    const auto start = std::chrono::steady_clock::now();
    torch::NoGradGuard noGrad;
    const bool wasTraining = model.is_training();
    model.eval();

    GenerationResult result;
    const ModelConfig& config = model.config();
    const int64_t promptLength = static_cast<int64_t>(promptIds.size());
    // A soft prompt's virtual tokens take the first positions of the cache.
    const int64_t virtualTokens = model.virtualTokenCount();
    const int64_t capacity =
        std::min<int64_t>(virtualTokens + promptLength + options.maxNewTokens, config.maxPositions);
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);

    std::vector<TokenId> all = promptIds;
    const QString promptText = tokenizer.decodeText(promptIds);
    QString emitted = promptText;
    result.stopReason = StopReason::TokenLimit;

    if (promptLength == 0 || virtualTokens + promptLength >= capacity) {
        result.stopReason = promptLength == 0 ? StopReason::EndOfSequence : StopReason::ContextFull;
    } else {
        KvCache cache(config, 1, capacity, model.dtype());
        std::vector<int64_t> prompt(promptIds.begin(), promptIds.end());
        torch::Tensor input = torch::tensor(prompt, torch::kInt64).unsqueeze(0); // (1, T)
        for (int step = 0; step < options.maxNewTokens; ++step) {
            if (cache.length() + input.size(1) + (cache.length() == 0 ? virtualTokens : 0) > capacity) {
                result.stopReason = StopReason::ContextFull;
                break;
            }
            const torch::Tensor logits = model.forward(input, {}, &cache).select(1, -1).squeeze(0); // (vocab)
            const TokenId next = sampleToken(logits, options, generator);
            if (options.stopAtEos && (next == tokenizer.eosId() || next == tokenizer.bosId())) {
                result.stopReason = StopReason::EndOfSequence;
                break;
            }
            result.tokens.push_back(next);
            all.push_back(next);

            // Text grows by whole characters: hold back while a byte-fallback sequence is incomplete.
            QString newText;
            const QString decoded = tokenizer.decodeText(all);
            if (decoded.startsWith(emitted) && !decoded.endsWith(QChar(0xFFFD))) {
                newText = decoded.mid(emitted.size());
                emitted = decoded;
            }
            if (onToken && !onToken(next, newText)) {
                result.stopReason = StopReason::Cancelled;
                break;
            }
            input = torch::full({1, 1}, static_cast<int64_t>(next), torch::kInt64);
        }
    }
    result.text = tokenizer.decodeText(all).mid(promptText.size());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (wasTraining)
        model.train();
    return result;
}

} // namespace ft
