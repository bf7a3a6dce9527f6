#pragma once
// For the tokenizer.json tests: the fixtures (../shared/fixtures/tokenizers) and variants of their
// files that use the components the fixtures do not (Metaspace schemes, normalizers, Split
// behaviours, ignore_merges, added-token flags, Roberta post-processing), built as JSON objects.

#include <initializer_list>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include "llama_tokenizer_json.h"
#include "modelio/tokenizer_json_node.h"
#include "support/test_support.h"

namespace ft::test {

// The fixtures with expected.json (ids from Hugging Face's tokenizers).
inline const QStringList kFixtures = {QStringLiteral("qwen3"), QStringLiteral("llama3"),
                                      QStringLiteral("llama2-tokenizer-json")};

inline QString fixturePath(const QString& name, const QString& file)
{
    return test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/%2").arg(name, file));
}

// A JSON file read as the tokenizer reads it (a string's leading U+FEFF kept).
inline QJsonObject readObject(const QString& path) { return readTokenizerJsonObject(path, 512ll * 1024 * 1024); }

// A small byte-level BPE cut out of Qwen3's: the tokens with ids below `size` and the merges among them.
inline QJsonObject smallQwen(int size)
{
    QJsonObject root = readObject(fixturePath(QStringLiteral("qwen3"), QStringLiteral("tokenizer.json")));
    QJsonObject model = root.value(QStringLiteral("model")).toObject();
    const QJsonObject vocab = model.value(QStringLiteral("vocab")).toObject();
    QJsonObject kept;
    for (auto it = vocab.constBegin(); it != vocab.constEnd(); ++it)
        if (it.value().toInt() < size)
            kept.insert(it.key(), it.value());
    QJsonArray merges;
    for (const QJsonValue& merge : model.value(QStringLiteral("merges")).toArray()) {
        const QString a = merge.toArray().at(0).toString();
        const QString b = merge.toArray().at(1).toString();
        if (kept.contains(a) && kept.contains(b) && kept.contains(a + b))
            merges.append(merge);
    }
    model.insert(QStringLiteral("vocab"), kept);
    model.insert(QStringLiteral("merges"), merges);
    root.insert(QStringLiteral("model"), model);
    return root;
}

inline QJsonObject object(std::initializer_list<QPair<QString, QJsonValue>> members)
{
    QJsonObject out;
    for (const auto& member : members)
        out.insert(member.first, member.second);
    return out;
}

inline QJsonObject pattern(const QString& kind, const QString& value) { return object({{kind, value}}); }

inline QJsonObject split(const QJsonObject& pat, const QString& behavior, bool invert)
{
    return object({{QStringLiteral("type"), QStringLiteral("Split")},
                   {QStringLiteral("pattern"), pat},
                   {QStringLiteral("behavior"), behavior},
                   {QStringLiteral("invert"), invert}});
}

inline QJsonObject typed(const QString& type, std::initializer_list<QPair<QString, QJsonValue>> members = {})
{
    QJsonObject out = object(members);
    out.insert(QStringLiteral("type"), type);
    return out;
}

inline QJsonObject sequence(const QString& key, const QJsonArray& items)
{
    return object({{QStringLiteral("type"), QStringLiteral("Sequence")}, {key, items}});
}

inline const QString kMeta = QStringLiteral("\u2581");

inline QJsonObject metaspace(const QString& scheme, bool splitting)
{
    return typed(QStringLiteral("Metaspace"), {{QStringLiteral("replacement"), kMeta},
                                               {QStringLiteral("prepend_scheme"), scheme},
                                               {QStringLiteral("split"), splitting}});
}

inline QJsonObject withModel(QJsonObject root, std::initializer_list<QPair<QString, QJsonValue>> members)
{
    QJsonObject model = root.value(QStringLiteral("model")).toObject();
    for (const auto& member : members)
        model.insert(member.first, member.second);
    root.insert(QStringLiteral("model"), model);
    return root;
}

// Variants of the files that use the components the fixtures do not.
inline QStringList variantNames()
{
    return {QStringLiteral("llama2-converted"), QStringLiteral("metaspace-first"), QStringLiteral("metaspace-always"),
            QStringLiteral("metaspace-never"),  QStringLiteral("normalizers"),     QStringLiteral("gpt2"),
            QStringLiteral("splits"),           QStringLiteral("inverted"),        QStringLiteral("added-flags")};
}

inline QJsonObject tokenizerVariant(const QString& name)
{
    if (kFixtures.contains(name))
        return readObject(fixturePath(name, QStringLiteral("tokenizer.json")));
    if (name.startsWith(QLatin1String("llama2")) || name.startsWith(QLatin1String("metaspace")) ||
        name == QLatin1String("normalizers")) {
        // llama2.model converted as transformers does (legacy Llama 2 layout)...
        const QString modelPath = test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2.model"));
        QJsonObject root =
            QJsonDocument::fromJson(test::llamaTokenizerJson(test::readSentencePiecePieces(modelPath))).object();
        if (name == QLatin1String("metaspace-first")) {
            // ...as newer Llama / Mistral files have it: Metaspace, prepend_scheme "first", no split.
            root.insert(QStringLiteral("normalizer"), QJsonValue::Null);
            root.insert(QStringLiteral("pre_tokenizer"), metaspace(QStringLiteral("first"), false));
            root.insert(QStringLiteral("decoder"),
                        sequence(QStringLiteral("decoders"),
                                 {typed(QStringLiteral("ByteFallback")), metaspace(QStringLiteral("first"), false),
                                  typed(QStringLiteral("Fuse"))}));
        } else if (name == QLatin1String("metaspace-always")) {
            root.insert(QStringLiteral("normalizer"), QJsonValue::Null);
            root.insert(QStringLiteral("pre_tokenizer"),
                        sequence(QStringLiteral("pretokenizers"),
                                 {metaspace(QStringLiteral("always"), true),
                                  typed(QStringLiteral("Digits"), {{QStringLiteral("individual_digits"), true}})}));
            root.insert(QStringLiteral("decoder"), metaspace(QStringLiteral("always"), true));
        } else if (name == QLatin1String("metaspace-never")) {
            // No byte fallback and unk not fused: unknown characters become one <unk> each.
            root.insert(QStringLiteral("normalizer"), QJsonValue::Null);
            root.insert(QStringLiteral("pre_tokenizer"), metaspace(QStringLiteral("never"), true));
            root = withModel(root, {{QStringLiteral("byte_fallback"), false}, {QStringLiteral("fuse_unk"), false}});
        } else if (name == QLatin1String("normalizers")) {
            root.insert(
                QStringLiteral("normalizer"),
                sequence(QStringLiteral("normalizers"),
                         {typed(QStringLiteral("NFKC")),
                          typed(QStringLiteral("Replace"),
                                {{QStringLiteral("pattern"),
                                  pattern(QStringLiteral("Regex"), QStringLiteral("[\\t ]{2,}|\\s(?=\\d)"))},
                                 {QStringLiteral("content"), QStringLiteral(" ")}}),
                          typed(QStringLiteral("Prepend"), {{QStringLiteral("prepend"), kMeta}}),
                          typed(QStringLiteral("Replace"),
                                {{QStringLiteral("pattern"), pattern(QStringLiteral("String"), QStringLiteral(" "))},
                                 {QStringLiteral("content"), kMeta}})}));
            root = withModel(root, {{QStringLiteral("byte_fallback"), false}}); // fused unk
            root.insert(QStringLiteral("decoder"),
                        sequence(QStringLiteral("decoders"),
                                 {typed(QStringLiteral("Replace"),
                                        {{QStringLiteral("pattern"), pattern(QStringLiteral("String"), kMeta)},
                                         {QStringLiteral("content"), QStringLiteral(" ")}}),
                                  typed(QStringLiteral("Fuse")),
                                  // stop > 0 makes the Rust crate panic on an empty text (strip.rs indexes
                                  // chars[len - 1] of an empty token), so only the start is stripped.
                                  typed(QStringLiteral("Strip"), {{QStringLiteral("content"), QStringLiteral(" ")},
                                                                  {QStringLiteral("start"), 2},
                                                                  {QStringLiteral("stop"), 0}})}));
        }
        return root;
    }
    // A byte-level BPE cut down from Qwen3's.
    QJsonObject root = smallQwen(6000);
    if (name == QLatin1String("gpt2")) {
        root.insert(QStringLiteral("normalizer"), QJsonValue::Null);
        root.insert(QStringLiteral("pre_tokenizer"),
                    typed(QStringLiteral("ByteLevel"), {{QStringLiteral("add_prefix_space"), true},
                                                        {QStringLiteral("trim_offsets"), true},
                                                        {QStringLiteral("use_regex"), true}}));
        root.insert(
            QStringLiteral("post_processor"),
            typed(QStringLiteral("RobertaProcessing"), {{QStringLiteral("sep"), QJsonArray{QStringLiteral("</s>"), 2}},
                                                        {QStringLiteral("cls"), QJsonArray{QStringLiteral("<s>"), 0}},
                                                        {QStringLiteral("trim_offsets"), true},
                                                        {QStringLiteral("add_prefix_space"), true}}));
    } else if (name == QLatin1String("splits")) {
        root.insert(
            QStringLiteral("pre_tokenizer"),
            sequence(QStringLiteral("pretokenizers"),
                     {typed(QStringLiteral("Digits"), {{QStringLiteral("individual_digits"), false}}),
                      split(pattern(QStringLiteral("Regex"), QStringLiteral("\\s+")),
                            QStringLiteral("MergedWithPrevious"), false),
                      split(pattern(QStringLiteral("String"), QStringLiteral(",")), QStringLiteral("Removed"), false),
                      split(pattern(QStringLiteral("Regex"), QStringLiteral("[aeiou]+")), QStringLiteral("Contiguous"),
                            true),
                      typed(QStringLiteral("ByteLevel"), {{QStringLiteral("add_prefix_space"), false},
                                                          {QStringLiteral("trim_offsets"), true},
                                                          {QStringLiteral("use_regex"), false}})}));
        root = withModel(root, {{QStringLiteral("ignore_merges"), true}});
    } else if (name == QLatin1String("inverted")) {
        root.insert(QStringLiteral("pre_tokenizer"),
                    sequence(QStringLiteral("pretokenizers"),
                             {split(pattern(QStringLiteral("Regex"), QStringLiteral("\\p{L}+|(?=x)")),
                                    QStringLiteral("MergedWithNext"), true),
                              typed(QStringLiteral("Digits"), {{QStringLiteral("individual_digits"), true}}),
                              typed(QStringLiteral("ByteLevel"), {{QStringLiteral("add_prefix_space"), true},
                                                                  {QStringLiteral("trim_offsets"), true},
                                                                  {QStringLiteral("use_regex"), false}})}));
    } else if (name == QLatin1String("added-flags")) {
        QJsonArray added;
        for (const QJsonValue& value : root.value(QStringLiteral("added_tokens")).toArray()) {
            QJsonObject token = value.toObject();
            const QString content = token.value(QStringLiteral("content")).toString();
            if (content == QLatin1String("<|im_start|>"))
                token.insert(QStringLiteral("lstrip"), true);
            if (content == QLatin1String("<|im_end|>"))
                token.insert(QStringLiteral("rstrip"), true);
            if (content == QLatin1String("<think>"))
                token.insert(QStringLiteral("single_word"), true);
            added.append(token);
        }
        for (const QString& content :
             {QStringLiteral("hello"), QStringLiteral("\uFF21\uFF22\uFF23"), QStringLiteral(" x")})
            added.append(object({{QStringLiteral("id"), 0},
                                 {QStringLiteral("content"), content},
                                 {QStringLiteral("single_word"), content == QLatin1String("hello")},
                                 {QStringLiteral("lstrip"), false},
                                 {QStringLiteral("rstrip"), false},
                                 {QStringLiteral("normalized"), true},
                                 {QStringLiteral("special"), false}}));
        root.insert(QStringLiteral("added_tokens"), added);
        root.insert(QStringLiteral("normalizer"), typed(QStringLiteral("NFKC")));
    }
    return root;
}

} // namespace ft::test
