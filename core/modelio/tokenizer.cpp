#include "modelio/tokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

#include "common/error.h"
#include "common/json_file.h"
#include "modelio/model_config.h"
#include "modelio/sentencepiece_backend.h"

namespace ft {

Tokenizer::~Tokenizer() = default;

std::shared_ptr<const Tokenizer> Tokenizer::fromFile(const QString& path)
{
    if (!QFileInfo(path).isFile())
        throw Error(QStringLiteral("%1: tokenizer model not found").arg(path));
    if (QFileInfo(path).size() > 256 * 1024 * 1024)
        throw Error(QStringLiteral("%1: over 256 MB, too large for a sentencepiece model").arg(path));
    std::shared_ptr<Tokenizer> tokenizer(new Tokenizer);
    tokenizer->m_processor.reset(createSentencePieceBackend());
    const std::string error = tokenizer->m_processor->load(path.toStdString());
    if (!error.empty())
        throw Error(QStringLiteral("%1: not a valid sentencepiece model: %2").arg(path, QString::fromStdString(error)));
    tokenizer->m_path = QFileInfo(path).absoluteFilePath();
    tokenizer->m_bos = tokenizer->m_processor->bosId();
    tokenizer->m_eos = tokenizer->m_processor->eosId();
    tokenizer->m_pad = tokenizer->m_processor->padId();
    return tokenizer;
}

namespace {

// "bos_token": "<s>" or {"content": "<s>", ...}
QString specialTokenText(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return value.toObject().value(QStringLiteral("content")).toString();
    return {};
}

} // namespace

std::shared_ptr<const Tokenizer> Tokenizer::fromModelFolder(const QString& folder, const ModelConfig* config)
{
    const QDir dir(folder);
    const QString modelPath = dir.filePath(QStringLiteral("tokenizer.model"));
    if (!QFileInfo::exists(modelPath)) {
        if (QFileInfo::exists(dir.filePath(QStringLiteral("tokenizer.json"))))
            throw Error(QStringLiteral("%1: this model has only a tokenizer.json (a Hugging Face BPE tokenizer); "
                                       "FineTune Studio needs a sentencepiece tokenizer.model")
                            .arg(folder));
        throw Error(QStringLiteral("%1: no tokenizer.model in this model folder").arg(folder));
    }
    auto shared = std::const_pointer_cast<Tokenizer>(fromFile(modelPath));

    QJsonObject tokenizerConfig;
    QJsonObject specialTokens;
    const QString tokenizerConfigPath = dir.filePath(QStringLiteral("tokenizer_config.json"));
    const QString specialTokensPath = dir.filePath(QStringLiteral("special_tokens_map.json"));
    if (QFileInfo::exists(tokenizerConfigPath))
        tokenizerConfig = readJsonObjectFile(tokenizerConfigPath, 16 * 1024 * 1024);
    if (QFileInfo::exists(specialTokensPath))
        specialTokens = readJsonObjectFile(specialTokensPath, 16 * 1024 * 1024);

    auto resolve = [&](int64_t fromConfig, const QString& key, TokenId fallback) -> TokenId {
        if (fromConfig >= 0 && fromConfig < shared->vocabSize())
            return static_cast<TokenId>(fromConfig);
        for (const QJsonObject* source : {&tokenizerConfig, &specialTokens}) {
            const QString text = specialTokenText(*source, key);
            if (text.isEmpty())
                continue;
            const int id = shared->m_processor->pieceToId(text.toStdString());
            if (id != shared->m_processor->unkId() || text == QLatin1String("<unk>"))
                return id;
        }
        return fallback;
    };
    shared->m_bos = resolve(config ? config->bosTokenId : -1, QStringLiteral("bos_token"), shared->m_bos);
    shared->m_eos = resolve(config ? config->eosTokenId() : -1, QStringLiteral("eos_token"), shared->m_eos);
    shared->m_pad = resolve(config ? config->padTokenId : -1, QStringLiteral("pad_token"), shared->m_pad);
    if (tokenizerConfig.contains(QStringLiteral("add_bos_token")))
        shared->m_addBos = tokenizerConfig.value(QStringLiteral("add_bos_token")).toBool(true);
    return shared;
}

std::vector<TokenId> Tokenizer::encode(const std::string& text) const
{
    std::vector<int> ids;
    const std::string error = m_processor->encode(text, &ids);
    if (!error.empty())
        throw Error(QStringLiteral("tokenizer %1: cannot encode text: %2").arg(m_path, QString::fromStdString(error)));
    return {ids.begin(), ids.end()};
}

std::string Tokenizer::decode(const std::vector<TokenId>& ids) const
{
    std::vector<int> valid;
    valid.reserve(ids.size());
    const int vocab = vocabSize();
    for (TokenId id : ids)
        if (id >= 0 && id < vocab)
            valid.push_back(id);
    std::string text;
    const std::string error = m_processor->decode(valid, &text);
    if (!error.empty())
        throw Error(QStringLiteral("tokenizer %1: cannot decode: %2").arg(m_path, QString::fromStdString(error)));
    return text;
}

std::string Tokenizer::piece(TokenId id) const
{
    if (id < 0 || id >= vocabSize())
        return {};
    return m_processor->idToPiece(id);
}

int Tokenizer::vocabSize() const { return m_processor->pieceSize(); }
TokenId Tokenizer::unkId() const { return m_processor->unkId(); }

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
