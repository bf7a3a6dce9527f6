#pragma once
// For the tests: the tokenizer.json that transformers' LlamaConverter (legacy, as Llama 2 ships it)
// makes of a sentencepiece BPE model: the pieces as the vocabulary, merges generated from the piece
// scores (convert_slow_tokenizer.generate_merges), Prepend("▁") + Replace(" ", "▁"), byte fallback,
// <s> $A as the template. Reads the .model file's protobuf directly (pieces: field 1, each with its
// text, score and type).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringDecoder>

namespace ft::test {

// UTF-8 to QString keeping a leading U+FEFF (QString::fromStdString drops it, and llama2.model has
// "\uFEFF" as a piece of its own).
inline QString fromUtf8KeepingBom(const std::string& text)
{
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::ConvertInitialBom);
    return decoder(QByteArrayView(text.data(), qsizetype(text.size())));
}

struct SentencePiecePiece {
    std::string text;
    float score = 0;
    int type = 1; // 1 normal, 2 unknown, 3 control, 4 user defined, 6 byte
};

// The pieces of a sentencepiece model; empty when the file cannot be read.
inline std::vector<SentencePiecePiece> readSentencePiecePieces(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = file.readAll();
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.constData());
    const size_t size = size_t(data.size());
    auto varint = [&](size_t& at, size_t end) {
        uint64_t value = 0;
        for (int shift = 0; at < end && shift < 64; shift += 7) {
            const unsigned char b = bytes[at++];
            value |= uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                break;
        }
        return value;
    };
    auto skip = [&](size_t& at, size_t end, unsigned wireType) {
        if (wireType == 0)
            varint(at, end);
        else if (wireType == 1)
            at += 8;
        else if (wireType == 2)
            at += size_t(varint(at, end));
        else if (wireType == 5)
            at += 4;
    };
    std::vector<SentencePiecePiece> pieces;
    size_t at = 0;
    while (at < size) {
        const uint64_t key = varint(at, size);
        const unsigned field = unsigned(key >> 3);
        const unsigned wire = unsigned(key & 7);
        if (field != 1 || wire != 2) {
            skip(at, size, wire);
            continue;
        }
        const size_t end = at + size_t(varint(at, size));
        SentencePiecePiece piece;
        while (at < end) {
            const uint64_t innerKey = varint(at, end);
            const unsigned innerField = unsigned(innerKey >> 3);
            const unsigned innerWire = unsigned(innerKey & 7);
            if (innerField == 1 && innerWire == 2) {
                const size_t length = size_t(varint(at, end));
                piece.text.assign(reinterpret_cast<const char*>(bytes + at), length);
                at += length;
            } else if (innerField == 2 && innerWire == 5) {
                std::memcpy(&piece.score, bytes + at, 4);
                at += 4;
            } else if (innerField == 3 && innerWire == 0) {
                piece.type = int(varint(at, end));
            } else {
                skip(at, end, innerWire);
            }
        }
        at = end;
        pieces.push_back(piece);
    }
    return pieces;
}

inline std::vector<std::string> codePointStrings(const std::string& text)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        out.push_back(text.substr(i, length));
        i += length;
    }
    return out;
}

// transformers' generate_merges(vocab, vocab_scores): every split of every piece into two pieces,
// ordered by the merged piece's score (then the left part's and the right part's length, longest
// first), ties in the pieces' order.
inline std::vector<std::pair<std::string, std::string>> generateMerges(const std::vector<SentencePiecePiece>& pieces)
{
    std::unordered_map<std::string, int> vocab;
    for (size_t i = 0; i < pieces.size(); ++i)
        vocab.emplace(pieces[i].text, int(i));
    struct Merge {
        std::string left;
        std::string right;
        float score;
        size_t leftLength;
        size_t rightLength;
    };
    std::vector<Merge> merges;
    for (const SentencePiecePiece& piece : pieces) {
        const std::vector<std::string> chars = codePointStrings(piece.text);
        std::vector<Merge> local;
        for (size_t index = 1; index < chars.size(); ++index) {
            std::string left;
            std::string right;
            for (size_t k = 0; k < chars.size(); ++k)
                (k < index ? left : right) += chars[k];
            if (vocab.count(left) && vocab.count(right))
                local.push_back({left, right, piece.score, index, chars.size() - index});
        }
        std::sort(local.begin(), local.end(), [&](const Merge& a, const Merge& b) {
            return std::make_pair(vocab[a.left], vocab[a.right]) < std::make_pair(vocab[b.left], vocab[b.right]);
        });
        merges.insert(merges.end(), local.begin(), local.end());
    }
    std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
        return std::make_tuple(a.score, a.leftLength, a.rightLength) >
               std::make_tuple(b.score, b.leftLength, b.rightLength);
    });
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (const Merge& merge : merges)
        out.emplace_back(merge.left, merge.right);
    return out;
}

// The tokenizer.json text for a Llama-style sentencepiece BPE model.
inline QByteArray llamaTokenizerJson(const std::vector<SentencePiecePiece>& pieces)
{
    const QString meta = QStringLiteral("\u2581");
    QJsonObject vocab;
    QJsonArray added;
    for (size_t i = 0; i < pieces.size(); ++i) {
        const QString text = fromUtf8KeepingBom(pieces[i].text);
        vocab.insert(text, int(i));
        if (pieces[i].type == 2 || pieces[i].type == 3)
            added.append(QJsonObject{{QStringLiteral("id"), int(i)},
                                     {QStringLiteral("content"), text},
                                     {QStringLiteral("single_word"), false},
                                     {QStringLiteral("lstrip"), false},
                                     {QStringLiteral("rstrip"), false},
                                     {QStringLiteral("normalized"), false},
                                     {QStringLiteral("special"), true}});
    }
    QJsonArray merges;
    for (const auto& merge : generateMerges(pieces))
        merges.append(QJsonArray{fromUtf8KeepingBom(merge.first), fromUtf8KeepingBom(merge.second)});
    const QJsonObject model{{QStringLiteral("type"), QStringLiteral("BPE")},
                            {QStringLiteral("dropout"), QJsonValue::Null},
                            {QStringLiteral("unk_token"), QStringLiteral("<unk>")},
                            {QStringLiteral("continuing_subword_prefix"), QJsonValue::Null},
                            {QStringLiteral("end_of_word_suffix"), QJsonValue::Null},
                            {QStringLiteral("fuse_unk"), true},
                            {QStringLiteral("byte_fallback"), true},
                            {QStringLiteral("ignore_merges"), false},
                            {QStringLiteral("vocab"), vocab},
                            {QStringLiteral("merges"), merges}};
    const QJsonObject normalizer{
        {QStringLiteral("type"), QStringLiteral("Sequence")},
        {QStringLiteral("normalizers"),
         QJsonArray{
             QJsonObject{{QStringLiteral("type"), QStringLiteral("Prepend")}, {QStringLiteral("prepend"), meta}},
             QJsonObject{{QStringLiteral("type"), QStringLiteral("Replace")},
                         {QStringLiteral("pattern"), QJsonObject{{QStringLiteral("String"), QStringLiteral(" ")}}},
                         {QStringLiteral("content"), meta}}}}};
    const QJsonObject special{
        {QStringLiteral("SpecialToken"),
         QJsonObject{{QStringLiteral("id"), QStringLiteral("<s>")}, {QStringLiteral("type_id"), 0}}}};
    const QJsonObject sequence{{QStringLiteral("Sequence"), QJsonObject{{QStringLiteral("id"), QStringLiteral("A")},
                                                                        {QStringLiteral("type_id"), 0}}}};
    const QJsonObject postProcessor{
        {QStringLiteral("type"), QStringLiteral("TemplateProcessing")},
        {QStringLiteral("single"), QJsonArray{special, sequence}},
        {QStringLiteral("pair"), QJsonArray{special, sequence}},
        {QStringLiteral("special_tokens"),
         QJsonObject{
             {QStringLiteral("<s>"), QJsonObject{{QStringLiteral("id"), QStringLiteral("<s>")},
                                                 {QStringLiteral("ids"), QJsonArray{1}},
                                                 {QStringLiteral("tokens"), QJsonArray{QStringLiteral("<s>")}}}}}}};
    const QJsonObject decoder{
        {QStringLiteral("type"), QStringLiteral("Sequence")},
        {QStringLiteral("decoders"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("Replace")},
                                {QStringLiteral("pattern"), QJsonObject{{QStringLiteral("String"), meta}}},
                                {QStringLiteral("content"), QStringLiteral(" ")}},
                    QJsonObject{{QStringLiteral("type"), QStringLiteral("ByteFallback")}},
                    QJsonObject{{QStringLiteral("type"), QStringLiteral("Fuse")}},
                    QJsonObject{{QStringLiteral("type"), QStringLiteral("Strip")},
                                {QStringLiteral("content"), QStringLiteral(" ")},
                                {QStringLiteral("start"), 1},
                                {QStringLiteral("stop"), 0}}}}};
    const QJsonObject root{{QStringLiteral("version"), QStringLiteral("1.0")},
                           {QStringLiteral("truncation"), QJsonValue::Null},
                           {QStringLiteral("padding"), QJsonValue::Null},
                           {QStringLiteral("added_tokens"), added},
                           {QStringLiteral("normalizer"), normalizer},
                           {QStringLiteral("pre_tokenizer"), QJsonValue::Null},
                           {QStringLiteral("post_processor"), postProcessor},
                           {QStringLiteral("decoder"), decoder},
                           {QStringLiteral("model"), model}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace ft::test
