#include "modelio/bpe_decoder.h"

#include <algorithm>

#include "modelio/bpe_normalizer.h"
#include "modelio/byte_level_alphabet.h"
#include "modelio/tokenizer_json_node.h"
#include "modelio/tokenizer_regex.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD";

std::vector<char32_t> codePoints(std::string_view text)
{
    std::vector<char32_t> out;
    for (size_t i = 0; i < text.size();) {
        size_t length = 0;
        out.push_back(utf8::decode(text.substr(i), &length));
        i += length;
    }
    return out;
}

std::string fromCodePoints(const std::vector<char32_t>& points, size_t begin, size_t end)
{
    std::string out;
    for (size_t i = begin; i < end; ++i)
        utf8::append(out, points[i]);
    return out;
}

class ByteLevelDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string bytes;
        for (const std::string& token : tokens) {
            std::string mapped;
            bool all = true;
            for (size_t i = 0; i < token.size() && all;) {
                size_t length = 0;
                const int byte = byte_level::byteOf(utf8::decode(std::string_view(token).substr(i), &length));
                if (byte < 0)
                    all = false;
                else
                    mapped.push_back(static_cast<char>(byte));
                i += length;
            }
            bytes += all ? mapped : token; // a token outside the alphabet (an added token) as it is
        }
        tokens.assign(1, utf8::lossy(bytes));
    }
};

class MetaspaceDecoder final : public TokenDecoder {
public:
    MetaspaceDecoder(char32_t replacement, bool prependNever)
        : m_replacement(replacement)
        , m_prependNever(prependNever)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string out;
            const std::string& token = tokens[i];
            for (size_t at = 0; at < token.size();) {
                size_t length = 0;
                const char32_t c = utf8::decode(std::string_view(token).substr(at), &length);
                if (c != m_replacement)
                    out.append(token, at, length);
                else if (i != 0 || m_prependNever)
                    out.push_back(' ');
                at += length;
            }
            tokens[i] = std::move(out);
        }
    }

private:
    char32_t m_replacement;
    bool m_prependNever;
};

class ByteFallbackDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
            if (pending.empty())
                return;
            if (utf8::isValid(pending))
                out.push_back(pending);
            else
                for (size_t i = 0; i < pending.size(); ++i)
                    out.emplace_back(kReplacementCharacter);
            pending.clear();
        };
        for (std::string& token : tokens) {
            int byte = -1;
            if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>')
                byte = parseHexByte(token.substr(3, 2));
            if (byte >= 0) {
                pending.push_back(static_cast<char>(byte));
                continue;
            }
            flush();
            out.push_back(std::move(token));
        }
        flush();
        tokens.swap(out);
    }

private:
    // u8::from_str_radix(s, 16), which also takes a leading '+'.
    static int parseHexByte(std::string s)
    {
        if (!s.empty() && s[0] == '+')
            s.erase(0, 1);
        if (s.empty())
            return -1;
        int value = 0;
        for (const char c : s) {
            int digit;
            if (c >= '0' && c <= '9')
                digit = c - '0';
            else if (c >= 'a' && c <= 'f')
                digit = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                digit = c - 'A' + 10;
            else
                return -1;
            value = value * 16 + digit;
        }
        return value;
    }
};

class FuseDecoder final : public TokenDecoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string joined;
        for (const std::string& token : tokens)
            joined += token;
        tokens.assign(1, joined);
    }
};

class StripDecoder final : public TokenDecoder {
public:
    StripDecoder(char32_t content, size_t start, size_t stop)
        : m_content(content)
        , m_start(start)
        , m_stop(stop)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::string& token : tokens) {
            const std::vector<char32_t> chars = codePoints(token);
            size_t startCut = 0;
            for (size_t i = 0; i < std::min(m_start, chars.size()); ++i) {
                if (chars[i] != m_content)
                    break;
                startCut = i + 1;
            }
            size_t stopCut = chars.size();
            for (size_t i = 0; i < m_stop && i < chars.size(); ++i) {
                const size_t index = chars.size() - i - 1;
                if (chars[index] != m_content)
                    break;
                stopCut = index;
            }
            token = startCut < stopCut ? fromCodePoints(chars, startCut, stopCut) : std::string();
        }
    }

private:
    char32_t m_content;
    size_t m_start;
    size_t m_stop;
};

class ReplaceDecoder final : public TokenDecoder {
public:
    ReplaceDecoder(std::unique_ptr<TokenizerRegex> pattern, std::string content)
        : m_pattern(std::move(pattern))
        , m_content(std::move(content))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        RegexMatchData match;
        std::vector<TextSpan> spans;
        for (std::string& token : tokens) {
            spans.clear();
            m_pattern->findAll(token, match, spans);
            if (spans.empty())
                continue;
            std::string out;
            size_t last = 0;
            for (const TextSpan& span : spans) {
                out.append(token, last, span.begin - last);
                out += m_content;
                last = span.end;
            }
            out.append(token, last, std::string::npos);
            token = std::move(out);
        }
    }

private:
    std::unique_ptr<TokenizerRegex> m_pattern;
    std::string m_content;
};

class SequenceDecoder final : public TokenDecoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<TokenDecoder>> steps)
        : m_steps(std::move(steps))
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (const auto& step : m_steps)
            step->decodeChain(tokens);
    }

private:
    std::vector<std::unique_ptr<TokenDecoder>> m_steps;
};

char32_t singleCharacter(const JsonNode& node)
{
    const std::string text = node.string();
    size_t length = 0;
    if (text.empty() || (utf8::decode(text, &length), length != text.size()))
        node.fail(QStringLiteral("expected exactly one character"));
    return utf8::decode(text, &length);
}

} // namespace

std::unique_ptr<TokenDecoder> makeDecoder(const JsonNode& node)
{
    if (node.isNull())
        return nullptr;
    const QString type = node.type();
    if (type == QLatin1String("ByteLevel"))
        return std::make_unique<ByteLevelDecoder>();
    if (type == QLatin1String("Metaspace")) {
        bool never = false;
        const JsonNode scheme = node[QStringLiteral("prepend_scheme")];
        if (!scheme.isNull()) {
            const std::string name = scheme.string();
            if (name != "first" && name != "always" && name != "never")
                scheme.fail(QStringLiteral("expected \"first\", \"always\" or \"never\""));
            never = name == "never";
        }
        if (node.has(QStringLiteral("add_prefix_space")) && !node.boolean(QStringLiteral("add_prefix_space"), true)) {
            if (!never)
                node[QStringLiteral("add_prefix_space")].fail(
                    QStringLiteral("add_prefix_space false does not match prepend_scheme (must be \"never\")"));
        }
        return std::make_unique<MetaspaceDecoder>(singleCharacter(node[QStringLiteral("replacement")]), never);
    }
    if (type == QLatin1String("ByteFallback"))
        return std::make_unique<ByteFallbackDecoder>();
    if (type == QLatin1String("Fuse"))
        return std::make_unique<FuseDecoder>();
    if (type == QLatin1String("Strip"))
        return std::make_unique<StripDecoder>(singleCharacter(node[QStringLiteral("content")]),
                                              size_t(node[QStringLiteral("start")].integer(0, 1 << 20)),
                                              size_t(node[QStringLiteral("stop")].integer(0, 1 << 20)));
    if (type == QLatin1String("Replace"))
        return std::make_unique<ReplaceDecoder>(makePattern(node[QStringLiteral("pattern")]),
                                                node.requireString(QStringLiteral("content")));
    if (type == QLatin1String("Sequence")) {
        const JsonNode list = node[QStringLiteral("decoders")];
        std::vector<std::unique_ptr<TokenDecoder>> steps;
        for (qsizetype i = 0; i < list.array().size(); ++i)
            if (auto step = makeDecoder(list.at(i)))
                steps.push_back(std::move(step));
        return std::make_unique<SequenceDecoder>(std::move(steps));
    }
    node.unsupported(QStringLiteral("decoder"),
                     {QStringLiteral("ByteLevel"), QStringLiteral("Metaspace"), QStringLiteral("ByteFallback"),
                      QStringLiteral("Fuse"), QStringLiteral("Strip"), QStringLiteral("Replace"),
                      QStringLiteral("Sequence")});
}

} // namespace ft
