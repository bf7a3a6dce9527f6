#include "modelio/tokenizer_json.h"

#include <algorithm>

#include <QFileInfo>
#include <QJsonObject>

#include "common/error.h"
#include "modelio/added_tokens.h"
#include "modelio/bpe_decoder.h"
#include "modelio/bpe_model.h"
#include "modelio/bpe_normalizer.h"
#include "modelio/bpe_postprocessor.h"
#include "modelio/bpe_pretokenizer.h"
#include "modelio/tokenizer_json_node.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

constexpr qint64 kMaxFileBytes = 512ll * 1024 * 1024;
constexpr size_t kMaxTextBytes = size_t(1) << 31;

// Working memory of one encode call.
struct EncodeScratch {
    PreTokenizeScratch pre;
    BpeScratch bpe;
    std::vector<AddedSplit> raw;
    std::vector<AddedSplit> normalizedSplits;
    std::string normalized;
    RegexMatchData match;
    std::vector<TextSpan> spans;
};

} // namespace

TokenizerJsonBackend::TokenizerJsonBackend() = default;
TokenizerJsonBackend::~TokenizerJsonBackend() = default;

std::unique_ptr<TokenizerJsonBackend> TokenizerJsonBackend::load(const QString& path)
{
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("%1: tokenizer.json not found").arg(path));
    const JsonNode root(readTokenizerJsonObject(path, kMaxFileBytes), QFileInfo(path).absoluteFilePath(), QString());
    const JsonNode version = root[QStringLiteral("version")];
    if (!version.isNull() && version.string() != "1.0")
        version.fail(QStringLiteral("unknown tokenizer.json version (expected \"1.0\")"));

    std::unique_ptr<TokenizerJsonBackend> backend(new TokenizerJsonBackend);
    backend->m_path = root.file();
    const JsonNode model = root[QStringLiteral("model")];
    if (model.isNull())
        model.fail(QStringLiteral("missing: a tokenizer.json needs its model"));
    if (model.type() != QLatin1String("BPE"))
        model.unsupported(QStringLiteral("model"), {QStringLiteral("BPE")});
    backend->m_normalizer = makeNormalizer(root[QStringLiteral("normalizer")]);
    backend->m_preTokenizer = PreTokenizer::fromJson(root[QStringLiteral("pre_tokenizer")]);
    backend->m_postProcessor = makePostProcessor(root[QStringLiteral("post_processor")]);
    backend->m_decoder = makeDecoder(root[QStringLiteral("decoder")]);
    backend->m_model = BpeModel::fromJson(model);
    backend->m_added = std::make_unique<AddedVocabulary>();
    backend->m_added->load(root[QStringLiteral("added_tokens")], *backend->m_model, backend->m_normalizer.get());
    backend->m_vocabSize = std::max(backend->m_model->maxId(), backend->m_added->maxId()) + 1;

    // The special tokens the post-processor puts around a sequence: BOS before, EOS after.
    if (backend->m_postProcessor) {
        constexpr TokenId marker = -7;
        std::vector<TokenId> ids{marker};
        backend->m_postProcessor->process(ids);
        const auto at = std::find(ids.begin(), ids.end(), marker);
        if (at != ids.end() && at != ids.begin())
            backend->m_bos = *(at - 1);
        if (at != ids.end() && at + 1 != ids.end())
            backend->m_eos = *(at + 1);
    }
    return backend;
}

void TokenizerJsonBackend::encodeInto(std::string_view text, std::vector<TokenId>& out) const
{
    if (text.size() >= kMaxTextBytes)
        throw Error(QStringLiteral("tokenizer %1: a text of %2 bytes is longer than the 2 GiB this tokenizer takes")
                        .arg(m_path)
                        .arg(text.size()));
    std::string sanitized;
    if (!utf8::isValid(text)) {
        sanitized = utf8::lossy(text);
        text = sanitized;
    }
    EncodeScratch scratch;
    auto tokenizePiece = [&](std::string_view piece, bool atStart) {
        if (piece.empty())
            return;
        if (!m_preTokenizer) {
            m_model->tokenize(piece, false, scratch.bpe, out);
            return;
        }
        m_preTokenizer->run(piece, atStart, scratch.pre);
        for (const PreTokenPiece& p : scratch.pre.pieces)
            m_model->tokenize(std::string_view(scratch.pre.buffer).substr(p.begin, p.end - p.begin), p.byteLevel,
                              scratch.bpe, out);
    };
    m_added->splitRaw(text, scratch.raw);
    for (const AddedSplit& split : scratch.raw) {
        if (split.id >= 0) {
            out.push_back(split.id);
            continue;
        }
        std::string_view part = text.substr(split.begin, split.end - split.begin);
        if (part.empty())
            continue;
        if (m_normalizer) {
            scratch.normalized.assign(part.data(), part.size());
            m_normalizer->apply(scratch.normalized, scratch.match, scratch.spans);
            part = scratch.normalized;
        }
        const bool atStart = split.begin == 0;
        if (!m_added->hasNormalizedTokens()) {
            tokenizePiece(part, atStart);
            continue;
        }
        m_added->splitNormalized(part, scratch.normalizedSplits);
        for (const AddedSplit& inner : scratch.normalizedSplits) {
            if (inner.id >= 0)
                out.push_back(inner.id);
            else
                tokenizePiece(part.substr(inner.begin, inner.end - inner.begin), atStart && inner.begin == 0);
        }
    }
}

std::vector<TokenId> TokenizerJsonBackend::encode(std::string_view text) const
{
    std::vector<TokenId> ids;
    ids.reserve(text.size() / 3 + 4);
    encodeInto(text, ids);
    return ids;
}

std::vector<TokenId> TokenizerJsonBackend::encodeWithSpecialTokens(std::string_view text, TokenId, TokenId) const
{
    std::vector<TokenId> ids = encode(text);
    if (m_postProcessor)
        m_postProcessor->process(ids);
    return ids;
}

std::string TokenizerJsonBackend::decode(const std::vector<TokenId>& ids, bool skipSpecial) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const TokenId id : ids) {
        const AddedToken* added = m_added->byId(id);
        const std::string* text = added ? &added->content : m_model->idToToken(id);
        if (!text)
            continue;
        if (skipSpecial && m_added->isSpecialContent(*text))
            continue;
        tokens.push_back(*text);
    }
    if (!m_decoder) {
        std::string joined;
        for (size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                joined += ' ';
            joined += tokens[i];
        }
        return joined;
    }
    m_decoder->decodeChain(tokens);
    std::string joined;
    for (const std::string& token : tokens)
        joined += token;
    return joined;
}

std::string TokenizerJsonBackend::tokenText(TokenId id) const
{
    if (const AddedToken* added = m_added->byId(id))
        return added->content;
    const std::string* text = m_model->idToToken(id);
    return text ? *text : std::string();
}

TokenId TokenizerJsonBackend::tokenId(std::string_view text) const
{
    const TokenId added = m_added->idOf(text);
    return added >= 0 ? added : m_model->tokenToId(text);
}

TokenId TokenizerJsonBackend::unkId() const { return m_model->unkId(); }

bool TokenizerJsonBackend::isSpecial(TokenId id) const
{
    const AddedToken* added = m_added->byId(id);
    return added && added->special;
}

bool TokenizerJsonBackend::isAdded(TokenId id) const { return m_added->byId(id) != nullptr; }

} // namespace ft
