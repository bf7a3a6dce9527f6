#include "modelio/tokenizer.h"

#include <algorithm>
#include <optional>

#include <QDir>
#include <QFileInfo>
#include <QStringDecoder>

#include "common/error.h"
#include "modelio/model_config.h"
#include "modelio/sentencepiece_backend.h"
#include "modelio/sentencepiece_tokenizer.h"
#include "modelio/tokenizer_config_files.h"
#include "modelio/tokenizer_json.h"

namespace ft {

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

std::shared_ptr<const Tokenizer> Tokenizer::fromFile(const QString& path)
{
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return fromTokenizerJson(path);
    std::shared_ptr<Tokenizer> tokenizer(new Tokenizer);
    tokenizer->m_backend = SentencePieceTokenizer::load(path);
    tokenizer->m_kind = TokenizerKind::SentencePiece;
    tokenizer->m_path = QFileInfo(path).absoluteFilePath();
    tokenizer->resolveSpecialIds(nullptr, nullptr);
    return tokenizer;
}

std::shared_ptr<const Tokenizer> Tokenizer::fromTokenizerJson(const QString& path)
{
    std::shared_ptr<Tokenizer> tokenizer(new Tokenizer);
    tokenizer->m_backend = TokenizerJsonBackend::load(path);
    tokenizer->m_kind = TokenizerKind::TokenizerJson;
    tokenizer->m_path = QFileInfo(path).absoluteFilePath();
    tokenizer->resolveSpecialIds(nullptr, nullptr);
    return tokenizer;
}

std::shared_ptr<const Tokenizer> Tokenizer::fromModelFolder(const QString& folder, const ModelConfig* config)
{
    const QDir dir(folder);
    const QString jsonPath = dir.filePath(QStringLiteral("tokenizer.json"));
    const QString modelPath = dir.filePath(QStringLiteral("tokenizer.model"));
    std::shared_ptr<Tokenizer> tokenizer;
    if (QFileInfo::exists(jsonPath))
        tokenizer = std::const_pointer_cast<Tokenizer>(fromTokenizerJson(jsonPath));
    else if (QFileInfo::exists(modelPath))
        tokenizer = std::const_pointer_cast<Tokenizer>(fromFile(modelPath));
    else
        throw Error(QStringLiteral("%1: no tokenizer.json or tokenizer.model in this model folder").arg(folder));
    const TokenizerConfigFiles files = TokenizerConfigFiles::read(dir);
    tokenizer->resolveSpecialIds(&files, config);
    return tokenizer;
}

void Tokenizer::resolveSpecialIds(const TokenizerConfigFiles* files, const ModelConfig* config)
{
    const TokenizerBackend& backend = *m_backend;
    auto valid = [&](int64_t id) { return id >= 0 && id < backend.vocabSize(); };
    auto fromFiles = [&](const QString& key) -> TokenId {
        if (files)
            for (const QString& text : files->tokenTexts(key))
                if (const TokenId id = backend.tokenId(text.toStdString()); id >= 0)
                    return id;
        return -1;
    };
    auto resolve = [&](int64_t fromConfig, const QString& key, int64_t fromGeneration, TokenId declared) -> TokenId {
        if (valid(fromConfig))
            return static_cast<TokenId>(fromConfig);
        if (const TokenId id = fromFiles(key); id >= 0)
            return id;
        if (valid(fromGeneration))
            return static_cast<TokenId>(fromGeneration);
        return declared;
    };
    const std::vector<int64_t> noIds;
    const std::vector<int64_t>& generationEos = files ? files->generationEosIds : noIds;
    m_bos = resolve(config ? config->bosTokenId : -1, QStringLiteral("bos_token"), files ? files->generationBosId : -1,
                    backend.declaredBos());
    m_eos = resolve(config ? config->eosTokenId() : -1, QStringLiteral("eos_token"),
                    generationEos.empty() ? -1 : generationEos.front(), backend.declaredEos());
    m_pad = resolve(config ? config->padTokenId : -1, QStringLiteral("pad_token"), files ? files->generationPadId : -1,
                    backend.declaredPad());

    // BOS/EOS added by encodeWithSpecialTokens: tokenizer_config.json says, else the format's default
    // (sentencepiece: BOS only; tokenizer.json: what its post-processor adds).
    const bool json = m_kind == TokenizerKind::TokenizerJson;
    const std::optional<bool> addBos = files ? files->flag(QStringLiteral("add_bos_token")) : std::nullopt;
    const std::optional<bool> addEos = files ? files->flag(QStringLiteral("add_eos_token")) : std::nullopt;
    m_addBos = addBos ? *addBos : (json ? backend.declaredBos() >= 0 && backend.declaredBos() == m_bos : true);
    m_addEos = addEos ? *addEos : (json && backend.declaredEos() >= 0 && backend.declaredEos() == m_eos);

    m_eosIds.clear();
    auto addEosId = [&](int64_t id) {
        if (valid(id) && std::find(m_eosIds.begin(), m_eosIds.end(), TokenId(id)) == m_eosIds.end())
            m_eosIds.push_back(static_cast<TokenId>(id));
    };
    addEosId(m_eos);
    if (config)
        for (const int64_t id : config->eosTokenIds)
            addEosId(id);
    for (const int64_t id : generationEos)
        addEosId(id);
    addEosId(fromFiles(QStringLiteral("eos_token")));

    // The chat turn's end: an eos id that is a known end-of-turn token, else such a token of the
    // vocabulary (a base model's tokenizer has it even where its generation config does not list it).
    static const char* const endOfTurnTokens[] = {"<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|end_of_turn|>",
                                                  "<|end|>",    "<|eot|>",    "<|endofturn|>", "<|END_OF_TURN_TOKEN|>"};
    m_endOfTurn = -1;
    for (const TokenId id : m_eosIds) {
        const std::string text = backend.tokenText(id);
        if (std::any_of(std::begin(endOfTurnTokens), std::end(endOfTurnTokens),
                        [&](const char* token) { return text == token; })) {
            m_endOfTurn = id;
            break;
        }
    }
    for (const char* token : endOfTurnTokens) {
        if (m_endOfTurn >= 0)
            break;
        const TokenId id = backend.tokenId(token);
        if (id >= 0 && (backend.isAdded(id) || !json))
            m_endOfTurn = id;
    }
    if (m_endOfTurn < 0)
        m_endOfTurn = m_eos;
}

std::vector<TokenId> Tokenizer::encode(const std::string& text) const { return m_backend->encode(text); }

std::vector<TokenId> Tokenizer::encodeWithSpecialTokens(const std::string& text) const
{
    return m_backend->encodeWithSpecialTokens(text, m_addBos ? m_bos : -1, m_addEos ? m_eos : -1);
}

std::string Tokenizer::decode(const std::vector<TokenId>& ids, bool skipSpecialTokens) const
{
    return m_backend->decode(ids, skipSpecialTokens);
}

QString Tokenizer::decodeText(const std::vector<TokenId>& ids, bool skipSpecialTokens) const
{
    const std::string text = decode(ids, skipSpecialTokens);
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::ConvertInitialBom);
    return decoder(QByteArrayView(text.data(), qsizetype(text.size())));
}

std::string Tokenizer::piece(TokenId id) const { return m_backend->tokenText(id); }
TokenId Tokenizer::tokenToId(const std::string& token) const { return m_backend->tokenId(token); }
int Tokenizer::vocabSize() const { return m_backend->vocabSize(); }
TokenId Tokenizer::unkId() const { return m_backend->unkId(); }
bool Tokenizer::isSpecial(TokenId id) const { return m_backend->isSpecial(id); }
bool Tokenizer::isAddedToken(TokenId id) const { return m_backend->isAdded(id); }
QString Tokenizer::kindName() const { return m_backend->kindName(); }

void trainSentencepieceModel(const QString& textFile, const QString& outputPrefix, int vocabSize)
{
    // Llama-style settings: BPE, byte fallback so no text is unknown, digits split, unk/bos/eos = 0/1/2.
    const std::string args = QStringLiteral("--input=%1 --model_prefix=%2 --vocab_size=%3 --model_type=bpe "
                                            "--character_coverage=0.9995 --byte_fallback=true --split_digits=true "
                                            "--unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 "
                                            "--num_threads=1 --minloglevel=2 --max_sentence_length=16384 "
                                            "--hard_vocab_limit=false --allow_whitespace_only_pieces=true")
                                 .arg(textFile, outputPrefix)
                                 .arg(vocabSize)
                                 .toStdString();
    std::string error;
    if (!trainSentencePiece(args, &error))
        throw Error(
            QStringLiteral("%1: training the tokenizer failed: %2").arg(textFile, QString::fromStdString(error)));
}

} // namespace ft
