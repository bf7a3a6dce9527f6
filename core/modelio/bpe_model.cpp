#include "modelio/bpe_model.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "modelio/byte_level_alphabet.h"
#include "modelio/tokenizer_json_node.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

constexpr qint64 kMaxId = (1 << 24) - 1;           // 16.7 million: far above any real vocabulary
constexpr std::string_view kMeta = "\xE2\x96\x81"; // U+2581, SentencePiece's space

bool heapAfter(const BpeScratch::HeapEntry& a, const BpeScratch::HeapEntry& b) { return a.key > b.key; }

// Whether "▁" appears in `token` after a character that is not "▁".
bool hasInnerMeta(std::string_view token)
{
    size_t start = 0;
    while (token.substr(start, kMeta.size()) == kMeta)
        start += kMeta.size();
    return start < token.size() && token.find(kMeta, start) != std::string_view::npos;
}

} // namespace

std::unique_ptr<BpeModel> BpeModel::fromJson(const JsonNode& node)
{
    std::unique_ptr<BpeModel> model(new BpeModel);
    model->m_file = node.file();
    const JsonNode dropout = node[QStringLiteral("dropout")];
    if (!dropout.isNull() && !(dropout.value().isDouble() && dropout.value().toDouble() == 0.0))
        dropout.fail(QStringLiteral("BPE dropout (random merges) is not supported: it must be null"));
    if (node.has(QStringLiteral("unk_token"))) {
        model->m_unkToken = node.requireString(QStringLiteral("unk_token"));
        model->m_hasUnk = true;
    }
    model->m_prefix = node.string(QStringLiteral("continuing_subword_prefix"), {});
    model->m_suffix = node.string(QStringLiteral("end_of_word_suffix"), {});
    model->m_fuseUnk = node.boolean(QStringLiteral("fuse_unk"), false);
    model->m_byteFallback = node.boolean(QStringLiteral("byte_fallback"), false);
    model->m_ignoreMerges = node.boolean(QStringLiteral("ignore_merges"), false);

    // The vocabulary: {"token": id, ...}
    const JsonNode vocabNode = node[QStringLiteral("vocab")];
    if (vocabNode.isNull())
        vocabNode.fail(QStringLiteral("missing: a BPE model needs its vocabulary"));
    const QJsonObject vocab = vocabNode.object();
    if (vocab.size() > kMaxId)
        vocabNode.fail(QStringLiteral("%1 tokens is more than this tokenizer accepts").arg(vocab.size()));
    std::vector<std::string> tokens;
    std::vector<int32_t> ids;
    tokens.reserve(size_t(vocab.size()));
    ids.reserve(size_t(vocab.size()));
    int32_t maxId = -1;
    for (auto it = vocab.constBegin(); it != vocab.constEnd(); ++it) {
        const JsonNode entry(it.value(), vocabNode.file(), vocabNode.path() + QStringLiteral("[\"%1\"]").arg(it.key()));
        const auto id = static_cast<int32_t>(entry.integer(0, kMaxId));
        tokens.push_back(it.key().toStdString());
        ids.push_back(id);
        maxId = std::max(maxId, id);
    }
    model->m_vocab.reserve(tokens.size());
    model->m_idToToken.resize(size_t(maxId + 1));
    model->m_hasToken.assign(size_t(maxId + 1), false);
    for (size_t i = 0; i < tokens.size(); ++i) {
        model->m_vocab.insert(tokens[i], ids[i]);
        if (!model->m_hasToken[size_t(ids[i])]) {
            model->m_hasToken[size_t(ids[i])] = true;
            model->m_idToToken[size_t(ids[i])] = tokens[i];
        }
    }

    // The merges: ["a b", ...] or [["a", "b"], ...], in rank order. A pair listed twice keeps its last rank.
    const JsonNode mergesNode = node[QStringLiteral("merges")];
    if (mergesNode.isNull())
        mergesNode.fail(QStringLiteral("missing: a BPE model needs its merges (an empty list when none)"));
    const QJsonArray merges = mergesNode.array();
    model->m_merges.reserve(size_t(merges.size()));
    uint32_t rank = 0;
    for (qsizetype i = 0; i < merges.size(); ++i) {
        const QJsonValue value = merges.at(i);
        std::string left;
        std::string right;
        if (value.isString()) {
            const std::string line = value.toString().toStdString();
            if (line.rfind("#version", 0) == 0)
                continue;
            const size_t space = line.find(' ');
            if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                mergesNode.at(i).fail(QStringLiteral("expected two tokens separated by one space"));
            left = line.substr(0, space);
            right = line.substr(space + 1);
        } else if (value.isArray() && value.toArray().size() == 2 && value.toArray().at(0).isString() &&
                   value.toArray().at(1).isString()) {
            left = value.toArray().at(0).toString().toStdString();
            right = value.toArray().at(1).toString().toStdString();
        } else {
            mergesNode.at(i).fail(QStringLiteral("expected \"left right\" or [\"left\", \"right\"]"));
        }
        const int32_t a = model->m_vocab.find(left);
        const int32_t b = model->m_vocab.find(right);
        if (a < 0 || b < 0)
            mergesNode.at(i).fail(QStringLiteral("token \"%1\" is not in the vocabulary")
                                      .arg(QString::fromStdString(a < 0 ? left : right)));
        if (right.size() < model->m_prefix.size())
            mergesNode.at(i).fail(QStringLiteral("\"%1\" is shorter than the continuing_subword_prefix")
                                      .arg(QString::fromStdString(right)));
        const std::string mergedText = left + right.substr(model->m_prefix.size());
        const int32_t merged = model->m_vocab.find(mergedText);
        if (merged < 0)
            mergesNode.at(i).fail(QStringLiteral("the merged token \"%1\" is not in the vocabulary")
                                      .arg(QString::fromStdString(mergedText)));
        model->m_merges.insert(a, b, MergeEntry{rank++, merged});
    }

    if (model->m_hasUnk)
        model->m_unkId = model->m_vocab.find(model->m_unkToken);
    bool allBytes = true;
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        model->m_byteFallbackIds[size_t(b)] = model->m_vocab.find(name);
        model->m_byteLevelIds[size_t(b)] = model->m_vocab.find(byte_level::charOf(static_cast<unsigned char>(b)));
        allBytes = allBytes && model->m_byteLevelIds[size_t(b)] >= 0;
    }
    model->m_byteLevelFast = allBytes && model->m_prefix.empty() && model->m_suffix.empty();
    model->m_metaSplit =
        !model->m_ignoreMerges && model->m_prefix.empty() && model->m_suffix.empty() &&
        model->m_vocab.find(kMeta) >= 0 &&
        std::none_of(tokens.begin(), tokens.end(), [](const std::string& t) { return hasInnerMeta(t); });
    return model;
}

const std::string* BpeModel::idToToken(int32_t id) const
{
    if (id < 0 || size_t(id) >= m_idToToken.size() || !m_hasToken[size_t(id)])
        return nullptr;
    return &m_idToToken[size_t(id)];
}

void BpeModel::tokenize(std::string_view piece, bool byteLevel, BpeScratch& scratch, std::vector<int32_t>& out) const
{
    if (piece.empty())
        return;
    if (byteLevel || !m_metaSplit) {
        tokenizeWord(piece, byteLevel, scratch, out);
        return;
    }
    // Cut before every "▁" that follows another character: no token spans such a point.
    size_t start = 0;
    for (size_t at = piece.find(kMeta, 1); at != std::string_view::npos; at = piece.find(kMeta, at + kMeta.size())) {
        if (at >= kMeta.size() && piece.substr(at - kMeta.size(), kMeta.size()) == kMeta)
            continue;
        tokenizeWord(piece.substr(start, at - start), false, scratch, out);
        start = at;
    }
    tokenizeWord(piece.substr(start), false, scratch, out);
}

void BpeModel::tokenizeWord(std::string_view word, bool byteLevel, BpeScratch& scratch, std::vector<int32_t>& out) const
{
    const BpeWordCache& cache = byteLevel ? m_byteLevelCache : m_cache;
    const bool cacheable = word.size() <= BpeWordCache::kMaxWordBytes;
    uint64_t hash = 0;
    if (cacheable) {
        hash = hashBytes(word);
        if (cache.lookup(word, hash, out))
            return;
    }
    const size_t before = out.size();
    int32_t whole = -1;
    if (m_ignoreMerges) {
        if (byteLevel) {
            scratch.text.clear();
            for (const char c : word)
                scratch.text += byte_level::charOf(static_cast<unsigned char>(c));
            whole = m_vocab.find(scratch.text);
        } else {
            whole = m_vocab.find(word);
        }
    }
    if (whole >= 0) {
        out.push_back(whole);
    } else {
        initialSymbols(word, byteLevel, scratch);
        mergeAll(scratch);
        for (const BpeScratch::Symbol& symbol : scratch.symbols)
            if (symbol.length != 0)
                out.push_back(symbol.id);
    }
    if (cacheable)
        cache.store(word, hash, out.data() + before, out.size() - before);
}

void BpeModel::addCharacter(std::string_view text, bool first, bool last, uint32_t byteLength, BpeScratch& scratch,
                            int32_t& pendingUnk, uint32_t& pendingUnkLength) const
{
    auto push = [&](int32_t id, uint32_t length) { scratch.symbols.push_back({id, -1, -1, length}); };
    std::string composed;
    if ((!first && !m_prefix.empty()) || (last && !m_suffix.empty())) {
        composed = (first ? std::string() : m_prefix) + std::string(text) + (last ? m_suffix : std::string());
        text = composed;
    }
    const int32_t id = m_vocab.find(text);
    if (id >= 0) {
        if (pendingUnk >= 0) {
            push(pendingUnk, pendingUnkLength);
            pendingUnk = -1;
        }
        push(id, byteLength);
        return;
    }
    if (m_byteFallback) {
        const bool all = std::all_of(text.begin(), text.end(),
                                     [&](char c) { return m_byteFallbackIds[static_cast<unsigned char>(c)] >= 0; });
        if (all) {
            // As the crate does: a pending unk stays pending (it lands after these bytes).
            for (const char c : text)
                push(m_byteFallbackIds[static_cast<unsigned char>(c)], 1);
            return;
        }
    }
    if (!m_hasUnk)
        return; // the crate drops a character it cannot represent
    if (m_unkId < 0)
        throw Error(QStringLiteral("%1: model.unk_token \"%2\" is not in the vocabulary")
                        .arg(m_file, QString::fromStdString(m_unkToken)));
    if (pendingUnk >= 0 && m_fuseUnk) {
        pendingUnkLength += byteLength;
        return;
    }
    if (pendingUnk >= 0)
        push(pendingUnk, pendingUnkLength);
    pendingUnk = m_unkId;
    pendingUnkLength = byteLength;
}

void BpeModel::initialSymbols(std::string_view word, bool byteLevel, BpeScratch& scratch) const
{
    std::vector<BpeScratch::Symbol>& symbols = scratch.symbols;
    symbols.clear();
    if (byteLevel && m_byteLevelFast) {
        symbols.reserve(word.size());
        for (const char c : word)
            symbols.push_back({m_byteLevelIds[static_cast<unsigned char>(c)], -1, -1, 1});
    } else {
        std::string_view text = word;
        if (byteLevel) {
            scratch.text.clear();
            for (const char c : word)
                scratch.text += byte_level::charOf(static_cast<unsigned char>(c));
            text = scratch.text;
        }
        int32_t pendingUnk = -1;
        uint32_t pendingUnkLength = 0;
        for (size_t i = 0; i < text.size();) {
            const size_t length = utf8::charLength(static_cast<unsigned char>(text[i]));
            addCharacter(text.substr(i, length), i == 0, i + length >= text.size(), static_cast<uint32_t>(length),
                         scratch, pendingUnk, pendingUnkLength);
            i += length;
        }
        if (pendingUnk >= 0)
            symbols.push_back({pendingUnk, -1, -1, pendingUnkLength});
    }
    const auto count = static_cast<int32_t>(symbols.size());
    for (int32_t i = 0; i < count; ++i) {
        symbols[size_t(i)].prev = i - 1;
        symbols[size_t(i)].next = i + 1 < count ? i + 1 : -1;
    }
}

void BpeModel::mergeAll(BpeScratch& scratch) const
{
    std::vector<BpeScratch::Symbol>& symbols = scratch.symbols;
    std::vector<BpeScratch::HeapEntry>& heap = scratch.heap;
    heap.clear();
    if (symbols.size() < 2)
        return;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
        const MergeEntry entry = m_merges.find(symbols[i].id, symbols[i + 1].id);
        if (entry.merged >= 0)
            heap.push_back({(uint64_t(entry.rank) << 32) | i, entry.merged});
    }
    std::make_heap(heap.begin(), heap.end(), heapAfter);
    auto push = [&](uint32_t rank, int32_t position, int32_t merged) {
        heap.push_back({(uint64_t(rank) << 32) | uint32_t(position), merged});
        std::push_heap(heap.begin(), heap.end(), heapAfter);
    };
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), heapAfter);
        const BpeScratch::HeapEntry top = heap.back();
        heap.pop_back();
        const auto position = static_cast<int32_t>(top.key & 0xFFFFFFFFu);
        BpeScratch::Symbol& symbol = symbols[size_t(position)];
        if (symbol.length == 0 || symbol.next < 0)
            continue;
        const int32_t rightPosition = symbol.next;
        const BpeScratch::Symbol right = symbols[size_t(rightPosition)];
        // An expired entry: the pair at this position no longer merges into the same token.
        if (m_merges.find(symbol.id, right.id).merged != top.merged)
            continue;
        symbol.id = top.merged;
        symbol.length += right.length;
        symbol.next = right.next;
        symbols[size_t(rightPosition)].length = 0;
        if (right.next >= 0)
            symbols[size_t(right.next)].prev = position;
        if (symbol.prev >= 0) {
            const MergeEntry entry = m_merges.find(symbols[size_t(symbol.prev)].id, symbol.id);
            if (entry.merged >= 0)
                push(entry.rank, symbol.prev, entry.merged);
        }
        if (symbol.next >= 0) {
            const MergeEntry entry = m_merges.find(symbol.id, symbols[size_t(symbol.next)].id);
            if (entry.merged >= 0)
                push(entry.rank, position, entry.merged);
        }
    }
}

} // namespace ft
