#include "data/example_encoder.h"

#include "common/error.h"

namespace ft {

LossOn lossOnFromName(const QString& name)
{
    if (name == QLatin1String("response"))
        return LossOn::Response;
    if (name == QLatin1String("all"))
        return LossOn::All;
    throw Error(QStringLiteral("loss_on must be \"response\" or \"all\", not \"%1\"").arg(name));
}

QString lossOnName(LossOn lossOn)
{
    return lossOn == LossOn::Response ? QStringLiteral("response") : QStringLiteral("all");
}

int64_t TokenizedExample::targetCount() const
{
    int64_t count = 0;
    for (uint8_t flag : loss)
        count += flag;
    return count;
}

namespace {

enum class Part : uint8_t { Bos, Prompt, Response };

struct Encoded {
    std::vector<TokenId> ids;
    std::vector<Part> parts;
};

// `addBos`: put the tokenizer's BOS first when it adds one (a model's chat template writes its own).
Encoded encodeSegments(const Tokenizer& tokenizer, const std::vector<TemplateSegment>& segments, bool addBos)
{
    Encoded encoded;
    auto push = [&](TokenId id, Part part) {
        encoded.ids.push_back(id);
        encoded.parts.push_back(part);
    };
    if (addBos && tokenizer.addsBos() && tokenizer.bosId() >= 0)
        push(tokenizer.bosId(), Part::Bos);
    TemplateSegment::Kind previous = TemplateSegment::Kind::Prompt;
    for (const TemplateSegment& segment : segments) {
        switch (segment.kind) {
        case TemplateSegment::Kind::Prompt:
        case TemplateSegment::Kind::Response: {
            const Part part = segment.kind == TemplateSegment::Kind::Response ? Part::Response : Part::Prompt;
            for (TokenId id : tokenizer.encode(segment.text))
                push(id, part);
            break;
        }
        case TemplateSegment::Kind::Bos:
            push(tokenizer.bosId(), Part::Prompt);
            break;
        case TemplateSegment::Kind::Eos:
            // The EOS that ends an answer is part of it: the model must learn to stop.
            push(tokenizer.eosId(), previous == TemplateSegment::Kind::Response ? Part::Response : Part::Prompt);
            break;
        }
        previous = segment.kind;
    }
    return encoded;
}

void truncate(Encoded& encoded, int64_t maxLength)
{
    auto size = [&] { return static_cast<int64_t>(encoded.ids.size()); };
    // Oldest prompt tokens first (BOS stays), then answer tokens from the end.
    size_t i = 0;
    while (size() > maxLength && i < encoded.ids.size()) {
        if (encoded.parts[i] == Part::Prompt) {
            encoded.ids.erase(encoded.ids.begin() + static_cast<std::ptrdiff_t>(i));
            encoded.parts.erase(encoded.parts.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    if (size() > maxLength) {
        encoded.ids.resize(static_cast<size_t>(maxLength));
        encoded.parts.resize(static_cast<size_t>(maxLength));
    }
}

} // namespace

TokenizedExample encodeExample(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate,
                               const ExampleRecord& record, LossOn lossOn, int64_t maxLength)
{
    Encoded encoded = encodeSegments(tokenizer, promptTemplate.render(record), !promptTemplate.renderer);
    TokenizedExample example;
    if (maxLength > 0 && static_cast<int64_t>(encoded.ids.size()) > maxLength) {
        truncate(encoded, maxLength);
        example.truncated = true;
    }
    example.ids = std::move(encoded.ids);
    example.loss.resize(example.ids.size());
    for (size_t t = 0; t < example.ids.size(); ++t) {
        const Part part = encoded.parts[t];
        example.loss[t] = t > 0 && (part == Part::Response || (lossOn == LossOn::All && part == Part::Prompt)) ? 1 : 0;
        if (part == Part::Response)
            ++example.responseTokens;
        else
            ++example.promptTokens;
    }
    return example;
}

std::vector<TokenId> encodePrompt(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate,
                                  const ExampleRecord& record)
{
    return encodeSegments(tokenizer, promptTemplate.renderPrompt(record), !promptTemplate.renderer).ids;
}

int64_t templateOverheadTokens(const Tokenizer& tokenizer, const PromptTemplate& promptTemplate)
{
    ExampleRecord minimal;
    minimal.instruction = QStringLiteral("x");
    minimal.response = QStringLiteral("x");
    return static_cast<int64_t>(
        encodeSegments(tokenizer, promptTemplate.render(minimal), !promptTemplate.renderer).ids.size());
}

} // namespace ft
