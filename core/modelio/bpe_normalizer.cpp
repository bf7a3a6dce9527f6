#include "modelio/bpe_normalizer.h"

#include <stdexcept>
#include <vector>

#include <QString>

#include "modelio/tokenizer_json_node.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

class UnicodeNormalizer final : public TextNormalizer {
public:
    explicit UnicodeNormalizer(QString::NormalizationForm form)
        : m_form(form)
    {
    }
    void apply(std::string& text, RegexMatchData&, std::vector<TextSpan>&) const override
    {
        text = utf8::normalized(text, m_form);
    }

private:
    QString::NormalizationForm m_form;
};

class ReplaceNormalizer final : public TextNormalizer {
public:
    ReplaceNormalizer(std::unique_ptr<TokenizerRegex> pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {
    }
    void apply(std::string& text, RegexMatchData& match, std::vector<TextSpan>& spans) const override
    {
        spans.clear();
        m_pattern->findAll(text, match, spans);
        if (spans.empty())
            return;
        std::string out;
        out.reserve(text.size() + spans.size() * m_content.size());
        size_t last = 0;
        for (const TextSpan& span : spans) {
            out.append(text, last, span.begin - last);
            out += m_content;
            last = span.end;
        }
        out.append(text, last, std::string::npos);
        text.swap(out);
    }

private:
    std::unique_ptr<TokenizerRegex> m_pattern;
    std::string m_content;
};

class PrependNormalizer final : public TextNormalizer {
public:
    explicit PrependNormalizer(std::string prefix)
        : m_prefix(std::move(prefix))
    {
    }
    void apply(std::string& text, RegexMatchData&, std::vector<TextSpan>&) const override
    {
        if (!text.empty())
            text.insert(0, m_prefix);
    }

private:
    std::string m_prefix;
};

class SequenceNormalizer final : public TextNormalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<TextNormalizer>> steps)
        : m_steps(std::move(steps))
    {
    }
    void apply(std::string& text, RegexMatchData& match, std::vector<TextSpan>& spans) const override
    {
        for (const auto& step : m_steps)
            step->apply(text, match, spans);
    }

private:
    std::vector<std::unique_ptr<TextNormalizer>> m_steps;
};

} // namespace

std::unique_ptr<TokenizerRegex> makePattern(const JsonNode& node)
{
    const QJsonObject pattern = node.object();
    try {
        if (pattern.size() == 1 && pattern.contains(QStringLiteral("String")))
            return TokenizerRegex::fromLiteral(node[QStringLiteral("String")].string());
        if (pattern.size() == 1 && pattern.contains(QStringLiteral("Regex")))
            return TokenizerRegex::fromOniguruma(node[QStringLiteral("Regex")].string());
    } catch (const std::invalid_argument& error) {
        node.fail(QString::fromStdString(error.what()));
    }
    node.fail(QStringLiteral("expected {\"String\": ...} or {\"Regex\": ...}"));
}

std::unique_ptr<TextNormalizer> makeNormalizer(const JsonNode& node)
{
    if (node.isNull())
        return nullptr;
    const QString type = node.type();
    if (type == QLatin1String("NFC"))
        return std::make_unique<UnicodeNormalizer>(QString::NormalizationForm_C);
    if (type == QLatin1String("NFD"))
        return std::make_unique<UnicodeNormalizer>(QString::NormalizationForm_D);
    if (type == QLatin1String("NFKC"))
        return std::make_unique<UnicodeNormalizer>(QString::NormalizationForm_KC);
    if (type == QLatin1String("NFKD"))
        return std::make_unique<UnicodeNormalizer>(QString::NormalizationForm_KD);
    if (type == QLatin1String("Replace"))
        return std::make_unique<ReplaceNormalizer>(makePattern(node[QStringLiteral("pattern")]),
                                                   node.requireString(QStringLiteral("content")));
    if (type == QLatin1String("Prepend"))
        return std::make_unique<PrependNormalizer>(node.requireString(QStringLiteral("prepend")));
    if (type == QLatin1String("Sequence")) {
        const JsonNode list = node[QStringLiteral("normalizers")];
        std::vector<std::unique_ptr<TextNormalizer>> steps;
        for (qsizetype i = 0; i < list.array().size(); ++i)
            if (auto step = makeNormalizer(list.at(i)))
                steps.push_back(std::move(step));
        return std::make_unique<SequenceNormalizer>(std::move(steps));
    }
    node.unsupported(QStringLiteral("normalizer"),
                     {QStringLiteral("NFC"), QStringLiteral("NFD"), QStringLiteral("NFKC"), QStringLiteral("NFKD"),
                      QStringLiteral("Replace"), QStringLiteral("Prepend"), QStringLiteral("Sequence")});
}

} // namespace ft
