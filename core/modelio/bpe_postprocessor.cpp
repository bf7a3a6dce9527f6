#include "modelio/bpe_postprocessor.h"

#include "modelio/tokenizer_json_node.h"

namespace ft {

namespace {

// The ids of the sequence ($A, empty) and of special tokens, in template order.
class TemplateProcessor final : public PostProcessor {
public:
    explicit TemplateProcessor(std::vector<std::vector<int32_t>> parts)
        : m_parts(std::move(parts))
    {
    }
    void process(std::vector<int32_t>& ids) const override
    {
        std::vector<int32_t> out;
        for (const std::vector<int32_t>& part : m_parts) {
            if (part.empty())
                out.insert(out.end(), ids.begin(), ids.end());
            else
                out.insert(out.end(), part.begin(), part.end());
        }
        ids.swap(out);
    }

private:
    std::vector<std::vector<int32_t>> m_parts; // an empty part stands for $A
};

class NoChange final : public PostProcessor {
public:
    void process(std::vector<int32_t>&) const override {}
};

class SequenceProcessor final : public PostProcessor {
public:
    explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
        : m_steps(std::move(steps))
    {
    }
    void process(std::vector<int32_t>& ids) const override
    {
        for (const auto& step : m_steps)
            step->process(ids);
    }

private:
    std::vector<std::unique_ptr<PostProcessor>> m_steps;
};

std::unique_ptr<PostProcessor> makeTemplate(const JsonNode& node)
{
    const JsonNode single = node[QStringLiteral("single")];
    const JsonNode specials = node[QStringLiteral("special_tokens")];
    std::vector<std::vector<int32_t>> parts;
    bool sawSequence = false;
    for (qsizetype i = 0; i < single.array().size(); ++i) {
        const JsonNode piece = single.at(i);
        if (piece.has(QStringLiteral("Sequence"))) {
            const std::string id = piece[QStringLiteral("Sequence")].requireString(QStringLiteral("id"));
            if (id != "A")
                piece.fail(QStringLiteral("the single-sequence template can only use sequence A"));
            parts.emplace_back();
            sawSequence = true;
        } else if (piece.has(QStringLiteral("SpecialToken"))) {
            const QString name =
                QString::fromStdString(piece[QStringLiteral("SpecialToken")].requireString(QStringLiteral("id")));
            const JsonNode special = specials[name];
            if (special.isNull())
                special.fail(
                    QStringLiteral("the template uses special token \"%1\", which special_tokens lacks").arg(name));
            const JsonNode idList = special[QStringLiteral("ids")];
            std::vector<int32_t> ids;
            for (qsizetype k = 0; k < idList.array().size(); ++k)
                ids.push_back(static_cast<int32_t>(idList.at(k).integer(0, (1 << 24) - 1)));
            if (!ids.empty())
                parts.push_back(std::move(ids));
        } else {
            piece.fail(QStringLiteral("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}"));
        }
    }
    if (!sawSequence)
        single.fail(QStringLiteral("the template has no $A"));
    return std::make_unique<TemplateProcessor>(std::move(parts));
}

// BertProcessing / RobertaProcessing: cls $A sep, with "cls": ["[CLS]", 101].
std::unique_ptr<PostProcessor> makeClsSep(const JsonNode& node)
{
    auto idOf = [](const JsonNode& pair) {
        if (pair.array().size() != 2)
            pair.fail(QStringLiteral("expected [\"token\", id]"));
        return static_cast<int32_t>(pair.at(1).integer(0, (1 << 24) - 1));
    };
    std::vector<std::vector<int32_t>> parts{
        {idOf(node[QStringLiteral("cls")])}, {}, {idOf(node[QStringLiteral("sep")])}};
    return std::make_unique<TemplateProcessor>(std::move(parts));
}

} // namespace

std::unique_ptr<PostProcessor> makePostProcessor(const JsonNode& node)
{
    if (node.isNull())
        return nullptr;
    const QString type = node.type();
    if (type == QLatin1String("TemplateProcessing"))
        return makeTemplate(node);
    if (type == QLatin1String("ByteLevel"))
        return std::make_unique<NoChange>();
    if (type == QLatin1String("BertProcessing") || type == QLatin1String("RobertaProcessing"))
        return makeClsSep(node);
    if (type == QLatin1String("Sequence")) {
        const JsonNode list = node[QStringLiteral("processors")];
        std::vector<std::unique_ptr<PostProcessor>> steps;
        for (qsizetype i = 0; i < list.array().size(); ++i)
            if (auto step = makePostProcessor(list.at(i)))
                steps.push_back(std::move(step));
        return std::make_unique<SequenceProcessor>(std::move(steps));
    }
    node.unsupported(QStringLiteral("post_processor"),
                     {QStringLiteral("TemplateProcessing"), QStringLiteral("ByteLevel"),
                      QStringLiteral("BertProcessing"), QStringLiteral("RobertaProcessing"),
                      QStringLiteral("Sequence")});
}

} // namespace ft
