#include "modelio/bpe_pretokenizer.h"

#include <algorithm>
#include <stdexcept>

#include "modelio/bpe_normalizer.h"
#include "modelio/byte_level_alphabet.h"
#include "modelio/tokenizer_json_node.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Event {
    size_t begin;
    size_t end;
    bool match;
};

// The text of `piece`, materialising ByteLevel characters when the piece holds raw bytes.
PreTokenPiece textual(PreTokenizeScratch& scratch, const PreTokenPiece& piece)
{
    if (!piece.byteLevel)
        return piece;
    scratch.text.clear();
    for (size_t i = piece.begin; i < piece.end; ++i)
        scratch.text += byte_level::charOf(static_cast<unsigned char>(scratch.buffer[i]));
    PreTokenPiece out{scratch.buffer.size(), 0, false, piece.atStart};
    scratch.buffer += scratch.text;
    out.end = scratch.buffer.size();
    return out;
}

// A piece whose text is `text`, appended to the buffer.
PreTokenPiece appended(PreTokenizeScratch& scratch, const std::string& text, bool atStart)
{
    PreTokenPiece out{scratch.buffer.size(), 0, false, atStart};
    scratch.buffer += text;
    out.end = scratch.buffer.size();
    return out;
}

// Pattern::find_matches for a regex: the matches and the gaps between them, covering the text.
void regexEvents(const std::vector<TextSpan>& spans, size_t length, std::vector<Event>& events)
{
    events.clear();
    if (length == 0) {
        events.push_back({0, 0, false});
        return;
    }
    size_t previous = 0;
    for (const TextSpan& span : spans) {
        if (previous != span.begin)
            events.push_back({previous, span.begin, false});
        events.push_back({span.begin, span.end, true});
        previous = span.end;
    }
    if (previous != length)
        events.push_back({previous, length, false});
}

// Pattern::find_matches for a character predicate: each matching character is one match.
template <typename Predicate> void charEvents(std::string_view text, Predicate predicate, std::vector<Event>& events)
{
    events.clear();
    if (text.empty()) {
        events.push_back({0, 0, false});
        return;
    }
    size_t lastOffset = 0;
    for (size_t i = 0; i < text.size();) {
        size_t length = 0;
        const char32_t c = utf8::decode(text.substr(i), &length);
        if (predicate(c)) {
            if (lastOffset < i)
                events.push_back({lastOffset, i, false});
            events.push_back({i, i + length, true});
            lastOffset = i + length;
        }
        i += length;
    }
    if (text.size() > lastOffset)
        events.push_back({lastOffset, text.size(), false});
}

// NormalizedString::split: which ranges survive, per behaviour, in order.
void applyBehavior(const std::vector<Event>& events, Behavior behavior, std::vector<TextSpan>& kept)
{
    kept.clear();
    bool previousMatch = false;
    switch (behavior) {
    case Behavior::Isolated:
        for (const Event& e : events)
            kept.push_back({e.begin, e.end});
        break;
    case Behavior::Removed:
        for (const Event& e : events)
            if (!e.match)
                kept.push_back({e.begin, e.end});
        break;
    case Behavior::Contiguous:
        for (const Event& e : events) {
            if (e.match == previousMatch && !kept.empty())
                kept.back().end = e.end;
            else
                kept.push_back({e.begin, e.end});
            previousMatch = e.match;
        }
        break;
    case Behavior::MergedWithPrevious:
        for (const Event& e : events) {
            if (e.match && !previousMatch && !kept.empty())
                kept.back().end = e.end;
            else
                kept.push_back({e.begin, e.end});
            previousMatch = e.match;
        }
        break;
    case Behavior::MergedWithNext:
        for (auto it = events.rbegin(); it != events.rend(); ++it) {
            if (it->match && !previousMatch && !kept.empty())
                kept.back().begin = it->begin;
            else
                kept.push_back({it->begin, it->end});
            previousMatch = it->match;
        }
        std::reverse(kept.begin(), kept.end());
        break;
    }
}

void emitPieces(const PreTokenPiece& piece, const std::vector<TextSpan>& kept, bool byteLevel,
                std::vector<PreTokenPiece>& out)
{
    for (const TextSpan& range : kept)
        if (range.end > range.begin)
            out.push_back(
                {piece.begin + range.begin, piece.begin + range.end, byteLevel, piece.atStart && range.begin == 0});
}

class SplitStage final : public PreTokenizerStage {
public:
    SplitStage(std::unique_ptr<TokenizerRegex> pattern, Behavior behavior, bool invert)
        : m_pattern(std::move(pattern))
        , m_behavior(behavior)
        , m_invert(invert)
    {
    }
    void split(PreTokenizeScratch& scratch, const PreTokenPiece& in, std::vector<PreTokenPiece>& out) const override
    {
        const PreTokenPiece piece = textual(scratch, in);
        const std::string_view text(scratch.buffer.data() + piece.begin, piece.end - piece.begin);
        scratch.spans.clear();
        m_pattern->findAll(text, scratch.match, scratch.spans);
        thread_local std::vector<Event> events;
        thread_local std::vector<TextSpan> kept;
        regexEvents(scratch.spans, text.size(), events);
        if (m_invert)
            for (Event& e : events)
                e.match = !e.match;
        applyBehavior(events, m_behavior, kept);
        emitPieces(piece, kept, false, out);
    }

private:
    std::unique_ptr<TokenizerRegex> m_pattern;
    Behavior m_behavior;
    bool m_invert;
};

const TokenizerRegex& gpt2Regex()
{
    static const std::unique_ptr<TokenizerRegex> regex =
        TokenizerRegex::fromOniguruma(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
    return *regex;
}

class ByteLevelStage final : public PreTokenizerStage {
public:
    ByteLevelStage(bool addPrefixSpace, bool useRegex)
        : m_addPrefixSpace(addPrefixSpace)
        , m_useRegex(useRegex)
    {
        gpt2Regex(); // compile it now, not during the first encode
    }
    void split(PreTokenizeScratch& scratch, const PreTokenPiece& in, std::vector<PreTokenPiece>& out) const override
    {
        PreTokenPiece piece = textual(scratch, in);
        if (m_addPrefixSpace && scratch.buffer[piece.begin] != ' ') {
            std::string text = " ";
            text.append(scratch.buffer, piece.begin, piece.end - piece.begin);
            piece = appended(scratch, text, piece.atStart);
        }
        if (!m_useRegex) {
            piece.byteLevel = true;
            out.push_back(piece);
            return;
        }
        const std::string_view text(scratch.buffer.data() + piece.begin, piece.end - piece.begin);
        scratch.spans.clear();
        gpt2Regex().findAll(text, scratch.match, scratch.spans);
        thread_local std::vector<Event> events;
        thread_local std::vector<TextSpan> kept;
        regexEvents(scratch.spans, text.size(), events);
        applyBehavior(events, Behavior::Isolated, kept);
        emitPieces(piece, kept, true, out);
    }

private:
    bool m_addPrefixSpace;
    bool m_useRegex;
};

enum class PrependScheme { First, Never, Always };

class MetaspaceStage final : public PreTokenizerStage {
public:
    MetaspaceStage(std::string replacement, char32_t replacementChar, PrependScheme scheme, bool split)
        : m_replacement(std::move(replacement))
        , m_replacementChar(replacementChar)
        , m_scheme(scheme)
        , m_split(split)
    {
    }
    void split(PreTokenizeScratch& scratch, const PreTokenPiece& in, std::vector<PreTokenPiece>& out) const override
    {
        const PreTokenPiece source = textual(scratch, in);
        std::string text;
        text.reserve(source.end - source.begin + m_replacement.size());
        for (size_t i = source.begin; i < source.end; ++i) {
            const char c = scratch.buffer[i];
            if (c == ' ')
                text += m_replacement;
            else
                text += c;
        }
        const bool startsWithReplacement = text.compare(0, m_replacement.size(), m_replacement) == 0;
        if (!startsWithReplacement &&
            (m_scheme == PrependScheme::Always || (m_scheme == PrependScheme::First && source.atStart)))
            text.insert(0, m_replacement);
        const PreTokenPiece piece = appended(scratch, text, source.atStart);
        if (!m_split) {
            if (piece.end > piece.begin)
                out.push_back(piece);
            return;
        }
        thread_local std::vector<Event> events;
        thread_local std::vector<TextSpan> kept;
        const char32_t replacement = m_replacementChar;
        charEvents(
            text, [replacement](char32_t c) { return c == replacement; }, events);
        applyBehavior(events, Behavior::MergedWithNext, kept);
        emitPieces(piece, kept, false, out);
    }

private:
    std::string m_replacement;
    char32_t m_replacementChar;
    PrependScheme m_scheme;
    bool m_split;
};

class DigitsStage final : public PreTokenizerStage {
public:
    explicit DigitsStage(bool individual)
        : m_individual(individual)
    {
    }
    void split(PreTokenizeScratch& scratch, const PreTokenPiece& in, std::vector<PreTokenPiece>& out) const override
    {
        const PreTokenPiece piece = textual(scratch, in);
        const std::string_view text(scratch.buffer.data() + piece.begin, piece.end - piece.begin);
        thread_local std::vector<Event> events;
        thread_local std::vector<TextSpan> kept;
        charEvents(text, utf8::isNumeric, events);
        applyBehavior(events, m_individual ? Behavior::Isolated : Behavior::Contiguous, kept);
        emitPieces(piece, kept, false, out);
    }

private:
    bool m_individual;
};

Behavior parseBehavior(const JsonNode& node)
{
    const std::string name = node.string();
    if (name == "Removed")
        return Behavior::Removed;
    if (name == "Isolated")
        return Behavior::Isolated;
    if (name == "MergedWithPrevious")
        return Behavior::MergedWithPrevious;
    if (name == "MergedWithNext")
        return Behavior::MergedWithNext;
    if (name == "Contiguous")
        return Behavior::Contiguous;
    node.fail(QStringLiteral("unknown split behavior \"%1\" (expected Removed, Isolated, MergedWithPrevious, "
                             "MergedWithNext or Contiguous)")
                  .arg(QString::fromStdString(name)));
}

std::unique_ptr<PreTokenizerStage> makeMetaspace(const JsonNode& node)
{
    const JsonNode replacementNode = node[QStringLiteral("replacement")];
    const std::string replacement = replacementNode.string();
    size_t length = 0;
    if (replacement.empty() || (utf8::decode(replacement, &length), length != replacement.size()))
        replacementNode.fail(QStringLiteral("expected exactly one character"));
    const char32_t replacementChar = utf8::decode(replacement, &length);
    PrependScheme scheme = PrependScheme::Always;
    const JsonNode schemeNode = node[QStringLiteral("prepend_scheme")];
    if (!schemeNode.isNull()) {
        const std::string name = schemeNode.string();
        if (name == "first")
            scheme = PrependScheme::First;
        else if (name == "never")
            scheme = PrependScheme::Never;
        else if (name == "always")
            scheme = PrependScheme::Always;
        else
            schemeNode.fail(QStringLiteral("expected \"first\", \"always\" or \"never\""));
    }
    if (node.has(QStringLiteral("add_prefix_space")) && !node.boolean(QStringLiteral("add_prefix_space"), true)) {
        if (scheme != PrependScheme::Never) // the crate refuses this combination too
            node[QStringLiteral("add_prefix_space")].fail(
                QStringLiteral("add_prefix_space false does not match prepend_scheme (must be \"never\")"));
    }
    return std::make_unique<MetaspaceStage>(replacement, replacementChar, scheme,
                                            node.boolean(QStringLiteral("split"), true));
}

} // namespace

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::addStages(const JsonNode& node, std::vector<std::unique_ptr<PreTokenizerStage>>& stages)
{
    if (node.isNull())
        return;
    const QString type = node.type();
    if (type == QLatin1String("Sequence")) {
        const JsonNode list = node[QStringLiteral("pretokenizers")];
        for (qsizetype i = 0; i < list.array().size(); ++i)
            addStages(list.at(i), stages);
    } else if (type == QLatin1String("Split")) {
        stages.push_back(std::make_unique<SplitStage>(makePattern(node[QStringLiteral("pattern")]),
                                                      parseBehavior(node[QStringLiteral("behavior")]),
                                                      node.boolean(QStringLiteral("invert"), false)));
    } else if (type == QLatin1String("ByteLevel")) {
        stages.push_back(std::make_unique<ByteLevelStage>(node.boolean(QStringLiteral("add_prefix_space"), true),
                                                          node.boolean(QStringLiteral("use_regex"), true)));
    } else if (type == QLatin1String("Metaspace")) {
        stages.push_back(makeMetaspace(node));
    } else if (type == QLatin1String("Digits")) {
        stages.push_back(std::make_unique<DigitsStage>(node.boolean(QStringLiteral("individual_digits"), false)));
    } else {
        node.unsupported(QStringLiteral("pre_tokenizer"),
                         {QStringLiteral("Split"), QStringLiteral("ByteLevel"), QStringLiteral("Metaspace"),
                          QStringLiteral("Digits"), QStringLiteral("Sequence")});
    }
}

std::unique_ptr<PreTokenizer> PreTokenizer::fromJson(const JsonNode& node)
{
    if (node.isNull())
        return nullptr;
    std::unique_ptr<PreTokenizer> preTokenizer(new PreTokenizer);
    addStages(node, preTokenizer->m_stages);
    return preTokenizer;
}

void PreTokenizer::run(std::string_view text, bool atStart, PreTokenizeScratch& scratch) const
{
    scratch.buffer.assign(text.data(), text.size());
    scratch.pieces.clear();
    if (!text.empty())
        scratch.pieces.push_back({0, text.size(), false, atStart});
    for (const auto& stage : m_stages) {
        scratch.next.clear();
        for (const PreTokenPiece& piece : scratch.pieces)
            stage->split(scratch, piece, scratch.next);
        scratch.pieces.swap(scratch.next);
    }
}

} // namespace ft
