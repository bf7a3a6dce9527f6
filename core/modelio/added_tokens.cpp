#include "modelio/added_tokens.h"

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_set>

#include "modelio/bpe_model.h"
#include "modelio/bpe_normalizer.h"
#include "modelio/tokenizer_json_node.h"
#include "modelio/utf8_text.h"

namespace ft {

// A byte trie over the token contents: at each position the longest content starting there.
struct AddedVocabulary::Trie {
    struct Node {
        std::vector<std::pair<unsigned char, int32_t>> next;
        int32_t id = -1;
    };
    std::vector<Node> nodes{Node{}};
    std::array<bool, 256> first{};
    bool empty = true;

    void add(std::string_view pattern, int32_t id)
    {
        if (pattern.empty())
            return;
        int32_t node = 0;
        for (const char c : pattern) {
            const auto byte = static_cast<unsigned char>(c);
            int32_t child = -1;
            for (const auto& edge : nodes[size_t(node)].next)
                if (edge.first == byte)
                    child = edge.second;
            if (child < 0) {
                child = static_cast<int32_t>(nodes.size());
                nodes[size_t(node)].next.push_back({byte, child});
                nodes.push_back(Node{});
            }
            node = child;
        }
        if (nodes[size_t(node)].id < 0) // the first of equal patterns wins, as in the crate's automaton
            nodes[size_t(node)].id = id;
        first[static_cast<unsigned char>(pattern[0])] = true;
        empty = false;
    }

    // The longest pattern starting at `at`: its end and id, or false.
    bool longestAt(std::string_view text, size_t at, size_t* end, int32_t* id) const
    {
        int32_t node = 0;
        bool found = false;
        for (size_t j = at; j < text.size(); ++j) {
            const auto byte = static_cast<unsigned char>(text[j]);
            int32_t child = -1;
            for (const auto& edge : nodes[size_t(node)].next)
                if (edge.first == byte) {
                    child = edge.second;
                    break;
                }
            if (child < 0)
                break;
            node = child;
            if (nodes[size_t(node)].id >= 0) {
                *end = j + 1;
                *id = nodes[size_t(node)].id;
                found = true;
            }
        }
        return found;
    }
};

AddedVocabulary::AddedVocabulary()
    : m_raw(std::make_unique<Trie>())
    , m_normalized(std::make_unique<Trie>())
{
}

AddedVocabulary::~AddedVocabulary() = default;

void AddedVocabulary::load(const JsonNode& node, const BpeModel& model, const TextNormalizer* normalizer)
{
    if (node.isNull())
        return;
    const qsizetype count = node.array().size();
    std::vector<AddedToken> specials; // the crate's special_tokens, in order
    std::vector<AddedToken> classics; // and its added_tokens
    std::unordered_set<std::string> specialContents;
    auto sameToken = [](const AddedToken& a, const AddedToken& b) {
        return a.content == b.content && a.singleWord == b.singleWord && a.lstrip == b.lstrip && a.rstrip == b.rstrip &&
               a.normalized == b.normalized && a.special == b.special;
    };
    std::unordered_map<std::string, std::vector<AddedToken>> existing; // by content
    auto nextId = static_cast<int32_t>(model.vocabCount());
    for (qsizetype i = 0; i < count; ++i) {
        const JsonNode item = node.at(i);
        AddedToken token;
        token.content = item.requireString(QStringLiteral("content"));
        token.singleWord = item.boolean(QStringLiteral("single_word"), false);
        token.lstrip = item.boolean(QStringLiteral("lstrip"), false);
        token.rstrip = item.boolean(QStringLiteral("rstrip"), false);
        token.normalized = item.boolean(QStringLiteral("normalized"), true);
        token.special = item.boolean(QStringLiteral("special"), false);
        item[QStringLiteral("id")].integer(0, std::numeric_limits<uint32_t>::max()); // present and sane
        if (token.special && !token.content.empty() && specialContents.insert(token.content).second)
            specials.push_back(token);
        if (token.content.empty())
            continue;
        std::vector<AddedToken>& sameContent = existing[token.content];
        if (std::any_of(sameContent.begin(), sameContent.end(),
                        [&](const AddedToken& t) { return sameToken(t, token); }))
            continue;
        // The crate assigns the id itself (it only warns when the file says otherwise).
        int32_t id;
        if (auto known = m_byContent.find(token.content); known != m_byContent.end())
            id = known->second;
        else if (const int32_t modelId = model.tokenToId(token.content); modelId >= 0)
            id = modelId;
        else
            id = nextId++;
        token.id = id;
        m_byContent[token.content] = id;
        if (auto at = m_byId.find(id); at != m_byId.end()) {
            m_tokens[at->second] = token;
        } else {
            m_byId[id] = m_tokens.size();
            m_tokens.push_back(token);
        }
        m_maxId = std::max(m_maxId, id);
        if (!specialContents.count(token.content))
            classics.push_back(token);
        sameContent.push_back(token);
    }
    // The matching patterns: special tokens first, then the others; normalized ones in normalized form.
    RegexMatchData match;
    std::vector<TextSpan> spans;
    for (const std::vector<AddedToken>* list : {&specials, &classics}) {
        for (const AddedToken& token : *list) {
            const int32_t id = m_byContent.at(token.content);
            if (!token.normalized) {
                m_raw->add(token.content, id);
                continue;
            }
            std::string pattern = token.content;
            if (normalizer)
                normalizer->apply(pattern, match, spans);
            m_normalized->add(pattern, id);
        }
    }
    if (std::any_of(m_tokens.begin(), m_tokens.end(), [](const AddedToken& t) { return t.singleWord; }))
        m_wordCharacter = TokenizerRegex::fromPcre2("[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}]");
}

bool AddedVocabulary::hasRawTokens() const { return !m_raw->empty; }
bool AddedVocabulary::hasNormalizedTokens() const { return !m_normalized->empty; }

const AddedToken* AddedVocabulary::byId(int32_t id) const
{
    const auto at = m_byId.find(id);
    return at == m_byId.end() ? nullptr : &m_tokens[at->second];
}

int32_t AddedVocabulary::idOf(std::string_view content) const
{
    const auto at = m_byContent.find(std::string(content));
    return at == m_byContent.end() ? -1 : at->second;
}

bool AddedVocabulary::isSpecialContent(std::string_view content) const
{
    const int32_t id = idOf(content);
    const AddedToken* token = byId(id);
    return token && token->special && token->content == content;
}

void AddedVocabulary::splitRaw(std::string_view text, std::vector<AddedSplit>& out) const { split(text, *m_raw, out); }

void AddedVocabulary::splitNormalized(std::string_view text, std::vector<AddedSplit>& out) const
{
    split(text, *m_normalized, out);
}

void AddedVocabulary::split(std::string_view text, const Trie& trie, std::vector<AddedSplit>& out) const
{
    out.clear();
    if (trie.empty || text.empty()) {
        out.push_back({0, text.size(), -1});
        return;
    }
    std::unique_ptr<RegexMatchData> match;
    auto isWordCharacter = [&](std::string_view character) {
        if (!match)
            match = std::make_unique<RegexMatchData>();
        return m_wordCharacter->matchesAtStart(character, *match);
    };
    size_t startOffset = 0;
    size_t position = 0;
    while (position < text.size()) {
        // The leftmost position where a token starts, then the longest token there.
        if (!trie.first[static_cast<unsigned char>(text[position])]) {
            ++position;
            continue;
        }
        size_t stop = 0;
        int32_t id = -1;
        if (!trie.longestAt(text, position, &stop, &id)) {
            ++position;
            continue;
        }
        size_t start = position;
        position = stop; // the automaton goes on after this match whatever happens to it below
        const AddedToken* token = byId(id);
        if (token->singleWord) {
            bool startSpace = true;
            if (start > 0) {
                size_t length = 0;
                utf8::decodeBefore(text, start, &length);
                startSpace = !isWordCharacter(text.substr(start - length, length));
            }
            const bool stopSpace =
                stop == text.size() ||
                !isWordCharacter(text.substr(stop, utf8::charLength(static_cast<unsigned char>(text[stop]))));
            if (!startSpace || !stopSpace)
                continue;
        }
        if (token->lstrip) {
            size_t newStart = start;
            while (newStart > 0) {
                size_t length = 0;
                const char32_t c = utf8::decodeBefore(text, newStart, &length);
                if (!utf8::isWhiteSpace(c))
                    break;
                newStart -= length;
            }
            start = std::max(newStart, startOffset);
        }
        if (token->rstrip) {
            while (stop < text.size()) {
                size_t length = 0;
                const char32_t c = utf8::decode(text.substr(stop), &length);
                if (!utf8::isWhiteSpace(c))
                    break;
                stop += length;
            }
        }
        if (startOffset < start)
            out.push_back({startOffset, start, -1});
        out.push_back({start, stop, id});
        startOffset = stop;
    }
    if (startOffset != text.size())
        out.push_back({startOffset, text.size(), -1});
}

} // namespace ft
