#include "gguf/gguf_vocab.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "common/error.h"
#include "common/json_file.h"
#include "gguf/gguf_model_params.h"
#include "gguf/sentencepiece_proto.h"

namespace ft {

namespace {

enum TokenType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

const QString kQwen2Regex = QStringLiteral(
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+");
const QString kLlama3Regex = QStringLiteral(
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

// Tokens that end a turn in the common chat formats (llama.cpp looks for the same texts).
const QStringList kEndOfTurnTexts{QStringLiteral("<|im_end|>"),  QStringLiteral("<|eot_id|>"),
                                  QStringLiteral("<|end|>"),     QStringLiteral("<end_of_turn>"),
                                  QStringLiteral("<|endoftext|>")};

QJsonObject readOptionalJson(const QDir& dir, const QString& name, qint64 maxBytes)
{
    const QString path = dir.filePath(name);
    return QFileInfo::exists(path) ? readJsonObjectFile(path, maxBytes) : QJsonObject();
}

// tokenizer_config.json names special tokens as strings or as {"content": ...} objects.
QString specialTokenText(const QJsonObject& config, const QString& key)
{
    const QJsonValue value = config.value(key);
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return value.toObject().value(QStringLiteral("content")).toString();
    return {};
}

int64_t firstId(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (value.isDouble())
        return value.toInteger();
    if (value.isArray() && !value.toArray().isEmpty() && value.toArray().first().isDouble())
        return value.toArray().first().toInteger();
    return -1;
}

bool looksSpecial(const QString& token)
{
    return token == QLatin1String("<pad>") || token == QLatin1String("<mask>") ||
           (token.startsWith(QLatin1String("<|")) && token.endsWith(QLatin1String("|>"))) ||
           (token.startsWith(QStringLiteral("<\uff5c")) && token.endsWith(QStringLiteral("\uff5c>"))) ||
           (token.startsWith(QLatin1String("<unused")) && token.endsWith(QLatin1Char('>')));
}

void collectPreTokenizers(const QJsonValue& value, QStringList* regexes, QStringList* types, bool* byteLevelRegex,
                          bool* individualDigits)
{
    if (value.isArray()) {
        for (const QJsonValue& item : value.toArray())
            collectPreTokenizers(item, regexes, types, byteLevelRegex, individualDigits);
        return;
    }
    if (!value.isObject())
        return;
    const QJsonObject object = value.toObject();
    const QString type = object.value(QStringLiteral("type")).toString();
    types->append(type);
    if (type == QLatin1String("Split"))
        regexes->append(object.value(QStringLiteral("pattern")).toObject().value(QStringLiteral("Regex")).toString());
    if (type == QLatin1String("ByteLevel") && object.value(QStringLiteral("use_regex")).toBool(true))
        *byteLevelRegex = true;
    if (type == QLatin1String("Digits") && object.value(QStringLiteral("individual_digits")).toBool())
        *individualDigits = true;
    collectPreTokenizers(object.value(QStringLiteral("pretokenizers")), regexes, types, byteLevelRegex,
                         individualDigits);
}

bool containsTemplateBos(const QJsonValue& postProcessor)
{
    if (!postProcessor.isObject())
        return false;
    const QJsonObject object = postProcessor.toObject();
    if (object.value(QStringLiteral("type")).toString() == QLatin1String("TemplateProcessing")) {
        const QJsonArray single = object.value(QStringLiteral("single")).toArray();
        return !single.isEmpty() && single.first().toObject().contains(QStringLiteral("SpecialToken"));
    }
    for (const QJsonValue& item : object.value(QStringLiteral("processors")).toArray())
        if (containsTemplateBos(item))
            return true;
    return false;
}

QString folderChatTemplate(const QDir& dir, const QJsonObject& tokenizerConfig)
{
    const QJsonValue value = tokenizerConfig.value(QStringLiteral("chat_template"));
    if (value.isString())
        return value.toString();
    if (value.isArray()) { // [{"name": "default", "template": ...}, ...]
        QString first;
        for (const QJsonValue& item : value.toArray()) {
            const QJsonObject named = item.toObject();
            if (first.isEmpty())
                first = named.value(QStringLiteral("template")).toString();
            if (named.value(QStringLiteral("name")).toString() == QLatin1String("default"))
                return named.value(QStringLiteral("template")).toString();
        }
        return first;
    }
    QFile jinja(dir.filePath(QStringLiteral("chat_template.jinja")));
    if (jinja.size() < 4 * 1024 * 1024 && jinja.open(QIODevice::ReadOnly))
        return QString::fromUtf8(jinja.readAll());
    return readOptionalJson(dir, QStringLiteral("chat_template.json"), 4 * 1024 * 1024)
        .value(QStringLiteral("chat_template"))
        .toString();
}

void readSentencePiece(const QString& path, const QJsonObject& tokenizerConfig, int64_t vocabSize, GgufVocab* vocab)
{
    const SentencePieceModel sp = readSentencePieceModel(path);
    vocab->model = QStringLiteral("llama");
    vocab->pre = QStringLiteral("default");
    vocab->addSpacePrefix = sp.addDummyPrefix ? 1 : 0;
    if (static_cast<int64_t>(sp.pieces.size()) > vocabSize)
        vocab->warnings << QStringLiteral("%1 has %2 pieces but the embedding has %3 rows: the pieces past %3 are left out")
                               .arg(path)
                               .arg(sp.pieces.size())
                               .arg(vocabSize);
    for (int64_t i = 0; i < vocabSize; ++i) {
        if (i < static_cast<int64_t>(sp.pieces.size())) {
            const SentencePieceEntry& piece = sp.pieces[static_cast<size_t>(i)];
            vocab->tokens.append(piece.piece);
            vocab->scores.push_back(piece.score);
            vocab->types.push_back(piece.type);
        } else {
            vocab->tokens.append(QStringLiteral("[PAD%1]").arg(i).toUtf8());
            vocab->scores.push_back(-10000.0f);
            vocab->types.push_back(Unused);
        }
    }
    // Added tokens of tokenizer_config.json, as convert_hf_to_gguf.py applies them.
    const QJsonObject added = tokenizerConfig.value(QStringLiteral("added_tokens_decoder")).toObject();
    for (auto it = added.begin(); it != added.end(); ++it) {
        bool ok = false;
        const int64_t id = it.key().toLongLong(&ok);
        const QJsonObject data = it.value().toObject();
        QString content = data.value(QStringLiteral("content")).toString();
        if (!ok || id < 0 || id >= vocabSize || content.isEmpty())
            continue;
        const bool special = data.value(QStringLiteral("special")).toBool() || looksSpecial(content);
        if (!special)
            content.replace(QStringLiteral("\u2581"), QStringLiteral(" "));
        vocab->types[static_cast<size_t>(id)] = special ? Control : UserDefined;
        vocab->scores[static_cast<size_t>(id)] = -1000.0f;
        vocab->tokens[id] = content.toUtf8();
    }
    auto fallback = [&](int64_t* target, int id) {
        if (*target < 0 && id >= 0 && id < vocabSize)
            *target = id;
    };
    fallback(&vocab->unk, sp.unkId);
    fallback(&vocab->bos, sp.bosId);
    fallback(&vocab->eos, sp.eosId);
    fallback(&vocab->pad, sp.padId);
    if (vocab->addBos < 0)
        vocab->addBos = 1; // llama.cpp's default for sentencepiece vocabularies
    if (vocab->addEos < 0)
        vocab->addEos = 0;
}

void readByteLevelBpe(const QString& path, const QJsonObject& tokenizerJson, const GgufModelParams& params,
                      int64_t vocabSize, GgufVocab* vocab)
{
    const QJsonObject model = tokenizerJson.value(QStringLiteral("model")).toObject();
    if (model.value(QStringLiteral("type")).toString() != QLatin1String("BPE"))
        throw Error(QStringLiteral("%1: model type \"%2\" cannot be exported (expected a byte-level BPE)")
                        .arg(path, model.value(QStringLiteral("type")).toString()));
    const bool byteLevel = QJsonDocument(tokenizerJson.value(QStringLiteral("pre_tokenizer")).toObject())
                               .toJson(QJsonDocument::Compact)
                               .contains("\"ByteLevel\"") ||
                           tokenizerJson.value(QStringLiteral("decoder")).toObject().value(QStringLiteral("type")) ==
                               QLatin1String("ByteLevel");
    if (!byteLevel)
        throw Error(QStringLiteral("%1: a SentencePiece-style BPE tokenizer.json without tokenizer.model cannot be "
                                   "exported to GGUF yet (llama.cpp needs the sentencepiece scores): add the model's "
                                   "tokenizer.model to the folder")
                        .arg(path));
    vocab->model = QStringLiteral("gpt2");
    vocab->pre = ggufPreTokenizerName(tokenizerJson.value(QStringLiteral("pre_tokenizer")));
    if (vocab->pre.isEmpty()) {
        if (params.arch == QLatin1String("qwen2") || params.arch == QLatin1String("qwen3"))
            vocab->pre = QStringLiteral("qwen2");
        else {
            vocab->pre = QStringLiteral("default");
            vocab->warnings << QStringLiteral("%1: the pre-tokenizer is not one llama.cpp names; written as \"default\" "
                                              "(llama.cpp then splits text as GPT-2 does)")
                                   .arg(path);
        }
    }

    std::vector<QByteArray> byId(static_cast<size_t>(vocabSize));
    std::vector<int32_t> types(static_cast<size_t>(vocabSize), Unused);
    const QJsonObject entries = model.value(QStringLiteral("vocab")).toObject();
    int64_t outside = 0;
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        const int64_t id = it.value().toInteger(-1);
        if (id < 0 || id >= vocabSize) {
            ++outside;
            continue;
        }
        byId[static_cast<size_t>(id)] = it.key().toUtf8();
        types[static_cast<size_t>(id)] = Normal;
    }
    for (const QJsonValue& item : tokenizerJson.value(QStringLiteral("added_tokens")).toArray()) {
        const QJsonObject token = item.toObject();
        const int64_t id = token.value(QStringLiteral("id")).toInteger(-1);
        const QString content = token.value(QStringLiteral("content")).toString();
        if (id < 0 || id >= vocabSize) {
            ++outside;
            continue;
        }
        byId[static_cast<size_t>(id)] = content.toUtf8();
        types[static_cast<size_t>(id)] =
            token.value(QStringLiteral("special")).toBool() || looksSpecial(content) ? Control : UserDefined;
    }
    if (outside > 0)
        vocab->warnings << QStringLiteral("%1: %2 tokens have ids past the embedding's %3 rows and are left out")
                               .arg(path)
                               .arg(outside)
                               .arg(vocabSize);
    for (int64_t i = 0; i < vocabSize; ++i) {
        const QByteArray& token = byId[static_cast<size_t>(i)];
        vocab->tokens.append(types[static_cast<size_t>(i)] == Unused ? QStringLiteral("[PAD%1]").arg(i).toUtf8() : token);
    }
    vocab->types = std::move(types);
    for (const QJsonValue& merge : model.value(QStringLiteral("merges")).toArray()) {
        if (merge.isString())
            vocab->merges.append(merge.toString().toUtf8());
        else if (merge.isArray() && merge.toArray().size() == 2)
            vocab->merges.append((merge.toArray()[0].toString() + QLatin1Char(' ') + merge.toArray()[1].toString()).toUtf8());
        else
            throw Error(QStringLiteral("%1: a merge is neither \"a b\" nor [\"a\", \"b\"]").arg(path));
    }
    if (vocab->addBos < 0)
        vocab->addBos = containsTemplateBos(tokenizerJson.value(QStringLiteral("post_processor"))) ? 1 : 0;
    if (vocab->addEos < 0)
        vocab->addEos = 0;
}

} // namespace

QString ggufPreTokenizerName(const QJsonValue& preTokenizer)
{
    QStringList regexes, types;
    bool byteLevelRegex = false, individualDigits = false;
    collectPreTokenizers(preTokenizer, &regexes, &types, &byteLevelRegex, &individualDigits);
    if (regexes.contains(kQwen2Regex))
        return QStringLiteral("qwen2");
    if (regexes.contains(kLlama3Regex))
        return QStringLiteral("llama-bpe");
    if (regexes.isEmpty() && byteLevelRegex)
        return individualDigits ? QStringLiteral("smollm") : QStringLiteral("gpt2");
    return {};
}

QStringList GgufVocab::stopTokens() const
{
    QStringList stops;
    auto add = [&](int64_t id) {
        if (id >= 0 && id < tokens.size()) {
            const QString text = QString::fromUtf8(tokens[id]);
            if (!text.isEmpty() && !stops.contains(text))
                stops << text;
        }
    };
    add(eot);
    add(eos);
    for (int64_t id : extraEos)
        add(id);
    return stops;
}

void GgufVocab::addTo(GgufMetadata& metadata) const
{
    metadata.set(QByteArrayLiteral("tokenizer.ggml.model"), GgufValue::string(model));
    metadata.set(QByteArrayLiteral("tokenizer.ggml.pre"), GgufValue::string(pre));
    metadata.set(QByteArrayLiteral("tokenizer.ggml.tokens"), GgufValue::stringArray(tokens));
    if (!scores.empty())
        metadata.set(QByteArrayLiteral("tokenizer.ggml.scores"), GgufValue::float32Array(scores));
    metadata.set(QByteArrayLiteral("tokenizer.ggml.token_type"), GgufValue::int32Array(types));
    if (!merges.isEmpty())
        metadata.set(QByteArrayLiteral("tokenizer.ggml.merges"), GgufValue::stringArray(merges));
    auto id = [&](const char* key, int64_t value) {
        if (value >= 0)
            metadata.set(QByteArray(key), GgufValue::uint32(static_cast<uint32_t>(value)));
    };
    id("tokenizer.ggml.bos_token_id", bos);
    id("tokenizer.ggml.eos_token_id", eos);
    id("tokenizer.ggml.unknown_token_id", unk);
    id("tokenizer.ggml.padding_token_id", pad);
    id("tokenizer.ggml.eot_token_id", eot);
    if (addBos >= 0)
        metadata.set(QByteArrayLiteral("tokenizer.ggml.add_bos_token"), GgufValue::boolean(addBos == 1));
    if (addEos >= 0)
        metadata.set(QByteArrayLiteral("tokenizer.ggml.add_eos_token"), GgufValue::boolean(addEos == 1));
    if (addSpacePrefix >= 0)
        metadata.set(QByteArrayLiteral("tokenizer.ggml.add_space_prefix"), GgufValue::boolean(addSpacePrefix == 1));
    if (!chatTemplate.isEmpty())
        metadata.set(QByteArrayLiteral("tokenizer.chat_template"), GgufValue::string(chatTemplate));
}

GgufVocab readGgufVocab(const QString& folder, const GgufModelParams& params, int64_t vocabSize,
                        const QString& chatTemplateOverride)
{
    const QDir dir(folder);
    const QJsonObject tokenizerConfig = readOptionalJson(dir, QStringLiteral("tokenizer_config.json"), 64 * 1024 * 1024);
    const QJsonObject generationConfig = readOptionalJson(dir, QStringLiteral("generation_config.json"), 1024 * 1024);
    GgufVocab vocab;
    if (tokenizerConfig.value(QStringLiteral("add_bos_token")).isBool())
        vocab.addBos = tokenizerConfig.value(QStringLiteral("add_bos_token")).toBool() ? 1 : 0;
    if (tokenizerConfig.value(QStringLiteral("add_eos_token")).isBool())
        vocab.addEos = tokenizerConfig.value(QStringLiteral("add_eos_token")).toBool() ? 1 : 0;

    const QString spPath = dir.filePath(QStringLiteral("tokenizer.model"));
    const QString jsonPath = dir.filePath(QStringLiteral("tokenizer.json"));
    if (QFileInfo::exists(spPath))
        readSentencePiece(spPath, tokenizerConfig, vocabSize, &vocab);
    else if (QFileInfo::exists(jsonPath))
        readByteLevelBpe(jsonPath, readJsonObjectFile(jsonPath, 512 * 1024 * 1024), params, vocabSize, &vocab);
    else
        throw Error(QStringLiteral("%1: no tokenizer.model or tokenizer.json: a GGUF file needs the tokenizer").arg(folder));

    QHash<QString, int64_t> idOf;
    for (int64_t i = vocab.tokens.size() - 1; i >= 0; --i)
        if (vocab.types[static_cast<size_t>(i)] != Unused)
            idOf.insert(QString::fromUtf8(vocab.tokens[i]), i);
    auto fromConfig = [&](const QString& key) -> int64_t {
        const QString text = specialTokenText(tokenizerConfig, key);
        return text.isEmpty() ? -1 : idOf.value(text, -1);
    };
    auto pick = [&](int64_t current, std::initializer_list<int64_t> candidates) {
        for (int64_t id : candidates)
            if (id >= 0 && id < vocabSize)
                return id;
        return current;
    };
    vocab.bos = pick(vocab.bos, {fromConfig(QStringLiteral("bos_token")), params.bosTokenId,
                                 firstId(generationConfig, QStringLiteral("bos_token_id"))});
    vocab.eos = pick(vocab.eos, {fromConfig(QStringLiteral("eos_token")),
                                 params.eosTokenIds.empty() ? -1 : params.eosTokenIds.front(),
                                 firstId(generationConfig, QStringLiteral("eos_token_id"))});
    vocab.unk = pick(vocab.unk, {fromConfig(QStringLiteral("unk_token"))});
    vocab.pad = pick(vocab.pad, {fromConfig(QStringLiteral("pad_token")), params.padTokenId,
                                 firstId(generationConfig, QStringLiteral("pad_token_id"))});
    for (const QString& text : kEndOfTurnTexts) {
        const int64_t id = idOf.value(text, -1);
        if (id >= 0 && id != vocab.eos && text != QLatin1String("<|endoftext|>")) {
            vocab.eot = id;
            break;
        }
    }
    std::vector<int64_t> eosIds = params.eosTokenIds;
    for (const QJsonValue& v : generationConfig.value(QStringLiteral("eos_token_id")).toArray())
        eosIds.push_back(v.toInteger(-1));
    if (generationConfig.value(QStringLiteral("eos_token_id")).isDouble())
        eosIds.push_back(generationConfig.value(QStringLiteral("eos_token_id")).toInteger());
    for (int64_t id : eosIds)
        if (id >= 0 && id < vocabSize && id != vocab.eos && std::find(vocab.extraEos.begin(), vocab.extraEos.end(), id) == vocab.extraEos.end())
            vocab.extraEos.push_back(id);

    vocab.chatTemplate = chatTemplateOverride.isEmpty() ? folderChatTemplate(dir, tokenizerConfig) : chatTemplateOverride;
    return vocab;
}

} // namespace ft
