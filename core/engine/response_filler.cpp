#include "engine/response_filler.h"

#include "data/example_encoder.h"

namespace ft {

bool needsResponse(const ExampleRecord& record)
{
    if (record.isMultiTurn())
        return record.turns.back().role == ChatTurn::Role::Assistant && record.turns.back().content.trimmed().isEmpty();
    return record.response.trimmed().isEmpty();
}

int64_t fillEmptyResponses(std::vector<ExampleRecord>& records, LlamaForCausalLMImpl& model, const Tokenizer& tokenizer,
                           const PromptTemplate& promptTemplate, const SamplingOptions& options,
                           const ProgressCallback& progress)
{
    std::vector<size_t> todo;
    for (size_t i = 0; i < records.size(); ++i)
        if (needsResponse(records[i]))
            todo.push_back(i);
    const int64_t total = static_cast<int64_t>(todo.size());
    int64_t filled = 0;
    for (int64_t k = 0; k < total; ++k) {
        if (!reportProgress(progress, k, total))
            return filled;
        ExampleRecord& record = records[todo[static_cast<size_t>(k)]];
        SamplingOptions sampling = options;
        sampling.seed = options.seed + static_cast<uint64_t>(k);
        const QString answer =
            generate(model, tokenizer, encodePrompt(tokenizer, promptTemplate, record), sampling).text.trimmed();
        if (answer.isEmpty())
            continue;
        (record.isMultiTurn() ? record.turns.back().content : record.response) = answer;
        ++filled;
    }
    reportProgress(progress, total, total);
    return filled;
}

} // namespace ft
