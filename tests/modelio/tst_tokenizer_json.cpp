// tokenizer.json (Hugging Face BPE) against Hugging Face's own implementation: the fixtures'
// expected ids, the Llama 2 sentencepiece model, and the Rust `tokenizers` crate itself (the node
// oracle) on tricky texts and on variants of the files that exercise every supported component.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <map>
#include <thread>

#include "common/error.h"
#include "llama_tokenizer_json.h"
#include "modelio/model_config.h"
#include "modelio/tokenizer.h"
#include "support/test_support.h"
#include "tokenizer_json_variants.h"
#include "tokenizer_oracle.h"
#include "tokenizer_test_texts.h"

using namespace ft;
using namespace ft::test;

namespace {

std::vector<TokenId> idsOf(const QJsonValue& value)
{
    std::vector<TokenId> ids;
    for (const QJsonValue& id : value.toArray())
        ids.push_back(id.toInt());
    return ids;
}

QString show(const std::vector<TokenId>& ids)
{
    QStringList parts;
    for (size_t i = 0; i < ids.size() && i < 40; ++i)
        parts << QString::number(ids[i]);
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) +
           (ids.size() > 40 ? QStringLiteral(",...]") : QStringLiteral("]"));
}

QString quoted(const QString& text)
{
    QString out = text.left(60);
    out.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + out + (text.size() > 60 ? QStringLiteral("...\"") : QStringLiteral("\""));
}

void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

QString writeJson(const QString& path, const QJsonObject& object)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    return path;
}

// One tokenizer per fixture, loaded once for the whole run.
std::shared_ptr<const Tokenizer> fixtureTokenizer(const QString& name)
{
    static std::map<QString, std::shared_ptr<const Tokenizer>> loaded;
    auto& slot = loaded[name];
    if (!slot)
        slot = Tokenizer::fromTokenizerJson(fixturePath(name, QStringLiteral("tokenizer.json")));
    return slot;
}

// Compares this tokenizer with the oracle's answers; returns the failures (at most a few described).
// The texts are the ones sent (`texts`), not the oracle's echo of them: Qt's JSON parser drops a
// byte order mark at the start of a string.
int compareWithOracle(const Tokenizer& tokenizer, const QStringList& texts,
                      const std::vector<test::OracleEncoding>& expected, bool special, QStringList* problems)
{
    int failures = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const test::OracleEncoding& want = expected[i];
        const std::string text = texts.at(qsizetype(i)).toStdString();
        const std::vector<TokenId> got = special ? tokenizer.encodeWithSpecialTokens(text) : tokenizer.encode(text);
        const std::vector<TokenId> wantIds(want.ids.begin(), want.ids.end());
        QString problem;
        if (got != wantIds)
            problem = QStringLiteral("ids %1, Hugging Face %2").arg(show(got), show(wantIds));
        else if (tokenizer.decodeText(got) != want.decoded)
            problem = QStringLiteral("decoded %1, Hugging Face %2")
                          .arg(quoted(tokenizer.decodeText(got)), quoted(want.decoded));
        if (!problem.isEmpty()) {
            ++failures;
            if (problems->size() < 6)
                *problems << QStringLiteral("%1%2: %3")
                                 .arg(special ? QStringLiteral("[special] ") : QString(),
                                      quoted(texts.at(qsizetype(i))), problem);
        }
    }
    return failures;
}

} // namespace

class TestTokenizerJson : public QObject {
    Q_OBJECT
private slots:
    // 1. Every case of the fixtures' expected.json: ids, ids with special tokens, decoded text, vocab size.
    void expectedCasesMatchHuggingFace_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : kFixtures)
            QTest::newRow(qPrintable(name)) << name;
    }
    void expectedCasesMatchHuggingFace()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, name);
        const QJsonObject expected = readObject(fixturePath(name, QStringLiteral("expected.json")));
        const auto tokenizer = fixtureTokenizer(name);
        QCOMPARE(tokenizer->kind(), TokenizerKind::TokenizerJson);
        QCOMPARE(tokenizer->kindName(), QStringLiteral("tokenizer.json bpe"));
        QCOMPARE(tokenizer->vocabSize(), expected.value(QStringLiteral("vocab_size")).toInt());
        const QJsonArray cases = expected.value(QStringLiteral("cases")).toArray();
        QVERIFY(cases.size() >= 300);
        int compared = 0;
        QStringList problems;
        for (const QJsonValue& value : cases) {
            const QJsonObject item = value.toObject();
            const QString text = item.value(QStringLiteral("text")).toString();
            const std::vector<TokenId> ids = tokenizer->encode(text);
            const std::vector<TokenId> wantIds = idsOf(item.value(QStringLiteral("ids")));
            const std::vector<TokenId> special = tokenizer->encodeWithSpecialTokens(text);
            const std::vector<TokenId> wantSpecial = idsOf(item.value(QStringLiteral("ids_with_special_tokens")));
            const QString decoded = tokenizer->decodeText(wantIds);
            const QString wantDecoded = item.value(QStringLiteral("decoded")).toString();
            if (ids != wantIds)
                problems << QStringLiteral("%1: ids %2, expected %3").arg(quoted(text), show(ids), show(wantIds));
            if (special != wantSpecial)
                problems << QStringLiteral("%1: with special tokens %2, expected %3")
                                .arg(quoted(text), show(special), show(wantSpecial));
            if (decoded != wantDecoded)
                problems << QStringLiteral("%1: decoded %2, expected %3")
                                .arg(quoted(text), quoted(decoded), quoted(wantDecoded));
            ++compared;
        }
        // The rendered chat template, tokenized (where the fixture has one).
        const QJsonObject chat = expected.value(QStringLiteral("chat_template")).toObject();
        if (!chat.isEmpty()) {
            const std::vector<TokenId> ids = tokenizer->encode(chat.value(QStringLiteral("rendered")).toString());
            if (ids != idsOf(chat.value(QStringLiteral("rendered_ids"))))
                problems << QStringLiteral("chat template: %1").arg(show(ids));
            ++compared;
        }
        qInfo("%s: %d cases compared (ids, ids with special tokens, decoded), %lld differ", qPrintable(name), compared,
              static_cast<long long>(problems.size()));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 8).join(QLatin1Char('\n'))));
    }

    // 2. Llama 2's sentencepiece model against the tokenizer.json transformers makes of it.
    //
    // The fixture llama2-tokenizer-json/tokenizer.json has a different vocabulary from llama2.model
    // ("▁Hello" is 22557 there and 15043 in llama2.model; only 270 ids agree: it is Mistral 7B's), so
    // its ids cannot equal llama2.model's. This converts llama2.model as transformers' LlamaConverter
    // does (the conversion Llama 2's own tokenizer.json comes from) and compares that with
    // sentencepiece on the same texts. Where the text holds "<s>", "</s>" or "<unk>" literally, the
    // two differ by design: Hugging Face recognises them as the special tokens (ids 1, 2, 0) and
    // normalizes each piece between them on its own (a "▁" before each), while sentencepiece reads
    // them as plain text ("<", "s", ">"). There the expected ids are the special ids with
    // sentencepiece's ids of each piece between them.
    void llama2JsonMatchesSentencepiece()
    {
        FT_REQUIRE_SHARED();
        const QString modelPath = test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2.model"));
        const auto sentencepiece = Tokenizer::fromFile(modelPath);
        QTemporaryDir dir;
        const QString jsonPath = dir.filePath(QStringLiteral("tokenizer.json"));
        writeFile(jsonPath, test::llamaTokenizerJson(test::readSentencePiecePieces(modelPath)));
        const auto json = Tokenizer::fromTokenizerJson(jsonPath);
        QCOMPARE(json->vocabSize(), sentencepiece->vocabSize());
        QCOMPARE(json->bosId(), 1);
        QCOMPARE(json->eosId(), -1); // the template adds no EOS; a model folder's files name it
        QCOMPARE(json->piece(15043), std::string("\u2581Hello"));

        QStringList texts;
        for (const QString& file : {QStringLiteral("fixtures/tokenizers/llama2_expected.json"),
                                    QStringLiteral("fixtures/tokenizers/llama2-tokenizer-json/expected.json")})
            for (const QJsonValue& item : readObject(test::sharedPath(file)).value(QStringLiteral("cases")).toArray())
                texts << item.toObject().value(QStringLiteral("text")).toString();
        texts << trickyTexts();

        const QStringList specials = {QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
        int compared = 0;
        int withLiteralSpecials = 0;
        QStringList problems;
        for (const QString& text : texts) {
            std::vector<TokenId> want;
            bool literal = false;
            // Split at the special tokens' text, leftmost first (longest at the same place).
            int from = 0;
            while (true) {
                int at = -1;
                int which = -1;
                for (int k = 0; k < specials.size(); ++k) {
                    const int found = text.indexOf(specials[k], from);
                    if (found >= 0 &&
                        (at < 0 || found < at || (found == at && specials[k].size() > specials[which].size()))) {
                        at = found;
                        which = k;
                    }
                }
                const QString piece = text.mid(from, at < 0 ? -1 : at - from);
                const std::vector<TokenId> ids = sentencepiece->encode(piece);
                want.insert(want.end(), ids.begin(), ids.end());
                if (at < 0)
                    break;
                literal = true;
                want.push_back(which); // <unk> 0, <s> 1, </s> 2
                from = at + int(specials[which].size());
            }
            withLiteralSpecials += literal;
            const std::vector<TokenId> got = json->encode(text);
            if (got != want && problems.size() < 8)
                problems << QStringLiteral("%1: tokenizer.json %2, sentencepiece %3")
                                .arg(quoted(text), show(got), show(want));
            if (!literal && json->decode(got) != sentencepiece->decode(want) && problems.size() < 8)
                problems << QStringLiteral("%1: decoded %2, sentencepiece %3")
                                .arg(quoted(text), quoted(json->decodeText(got)),
                                     quoted(sentencepiece->decodeText(want)));
            ++compared;
        }
        qInfo("llama2.model vs its tokenizer.json: %d texts compared (%d with literal <s>/</s>/<unk>)", compared,
              withLiteralSpecials);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // 3. The Rust implementation itself on tricky texts, for the three fixtures and for variants of
    // them that use every other supported component.
    void oracleAgrees_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : kFixtures + variantNames())
            QTest::newRow(qPrintable(name)) << name;
    }
    void oracleAgrees()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_TOKENIZER_ORACLE(oracle);
        QFETCH(QString, name);
        QTemporaryDir dir;
        const QString path = writeJson(dir.filePath(QStringLiteral("tokenizer.json")), tokenizerVariant(name));
        QVERIFY(!path.isEmpty());
        const auto tokenizer = Tokenizer::fromTokenizerJson(path);
        const QStringList texts = trickyTexts();
        QStringList problems;
        int failures = 0;
        for (const bool special : {false, true}) {
            QString error;
            const auto expected = test::oracleEncode(oracle, path, texts, special, &error);
            QVERIFY2(!expected.empty(), qPrintable(error));
            failures += compareWithOracle(*tokenizer, texts, expected, special, &problems);
        }
        qInfo("%s: %lld texts compared with Hugging Face tokenizers (with and without special tokens), %d differ",
              qPrintable(name), static_cast<long long>(texts.size()), failures);
        QVERIFY2(failures == 0, qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Real records (../shared/datasets: prose, math, tool-call JSON) against the Rust implementation:
    // every 10th record, about 1,000 texts. bench_tokenizer compares all 11,700 of them.
    void oracleAgreesOnDatasets_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : kFixtures)
            QTest::newRow(qPrintable(name)) << name;
    }
    void oracleAgreesOnDatasets()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_TOKENIZER_ORACLE(oracle);
        QFETCH(QString, name);
        QStringList texts;
        int index = 0;
        auto sample = [&](const QString& text) {
            if (index++ % 10 == 0 && !text.isEmpty())
                texts << text;
        };
        QFile wiki(test::sharedPath(QStringLiteral("datasets/wiki_demo.txt")));
        QVERIFY(wiki.open(QIODevice::ReadOnly));
        for (const QByteArray& line : wiki.readAll().split('\n'))
            sample(QString::fromUtf8(line));
        for (const QString& file : {QStringLiteral("alpaca_en_demo.json"), QStringLiteral("gsm8k_alpaca.json")}) {
            QFile data(test::sharedPath(QStringLiteral("datasets/") + file));
            QVERIFY(data.open(QIODevice::ReadOnly));
            for (const QJsonValue& value : QJsonDocument::fromJson(data.readAll()).array()) {
                const QJsonObject record = value.toObject();
                sample(record.value(QStringLiteral("instruction")).toString() + QLatin1Char('\n') +
                       record.value(QStringLiteral("output")).toString());
            }
        }
        QFile glaive(test::sharedPath(QStringLiteral("datasets/glaive_toolcall_sharegpt.json")));
        QVERIFY(glaive.open(QIODevice::ReadOnly));
        for (const QJsonValue& value : QJsonDocument::fromJson(glaive.readAll()).array())
            for (const QJsonValue& turn : value.toObject().value(QStringLiteral("conversations")).toArray())
                sample(turn.toObject().value(QStringLiteral("value")).toString());
        QVERIFY(texts.size() > 1000);

        const QString path = fixturePath(name, QStringLiteral("tokenizer.json"));
        const auto tokenizer = fixtureTokenizer(name);
        QString error;
        const auto expected = test::oracleEncode(oracle, path, texts, false, &error);
        QVERIFY2(!expected.empty(), qPrintable(error));
        QStringList problems;
        const int failures = compareWithOracle(*tokenizer, texts, expected, false, &problems);
        qInfo("%s: %lld dataset records compared with Hugging Face tokenizers, %d differ", qPrintable(name),
              static_cast<long long>(texts.size()), failures);
        QVERIFY2(failures == 0, qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Invalid UTF-8 reads as U+FFFD, one per maximal invalid sequence (Rust's from_utf8_lossy).
    void invalidUtf8ReadsAsReplacementCharacters()
    {
        FT_REQUIRE_SHARED();
        const auto tokenizer = fixtureTokenizer(QStringLiteral("qwen3"));
        const std::string bytes = "ab\xff\xfe c\xe2\x82 d\xf0\x9f\x98 e\xc3";
        const std::string lossy = "ab\xef\xbf\xbd\xef\xbf\xbd c\xef\xbf\xbd d\xef\xbf\xbd e\xef\xbf\xbd";
        QCOMPARE(tokenizer->encode(bytes), tokenizer->encode(lossy));
        QCOMPARE(tokenizer->decode(tokenizer->encode(bytes)), lossy);
        // A byte-level token sequence that is not UTF-8 decodes to replacement characters.
        // U+1FAE8 (shaking face) is three byte-level tokens in Qwen3, the first "\xf0\x9f" alone.
        const std::vector<TokenId> emoji = tokenizer->encode(std::string("\xf0\x9f\xab\xa8"));
        QCOMPARE(emoji, (std::vector<TokenId>{9284, 104, 101}));
        QVERIFY(emoji.size() > 1);
        QCOMPARE(tokenizer->decode({emoji.front()}), std::string("\xef\xbf\xbd"));
    }

    // Special and added tokens, decode with skip_special_tokens, id <-> text.
    void specialTokensAndSkipping()
    {
        FT_REQUIRE_SHARED();
        const auto qwen = fixtureTokenizer(QStringLiteral("qwen3"));
        const TokenId imEnd = qwen->tokenToId("<|im_end|>");
        const TokenId think = qwen->tokenToId("<think>");
        QCOMPARE(imEnd, 151645);
        QVERIFY(qwen->isSpecial(imEnd) && qwen->isAddedToken(imEnd));
        QVERIFY(!qwen->isSpecial(think) && qwen->isAddedToken(think));
        QVERIFY(!qwen->isSpecial(9707) && !qwen->isAddedToken(9707));
        QCOMPARE(qwen->piece(imEnd), std::string("<|im_end|>"));
        QCOMPARE(qwen->piece(9707), std::string("Hello"));
        QCOMPARE(qwen->piece(-1), std::string());
        QCOMPARE(qwen->piece(10000000), std::string());
        const std::vector<TokenId> ids = qwen->encode(std::string("<|im_start|>user\nHi<think>x</think><|im_end|>"));
        QCOMPARE(qwen->decode(ids, true), std::string("user\nHi<think>x</think>"));
        QCOMPARE(qwen->decode(ids, false), std::string("<|im_start|>user\nHi<think>x</think><|im_end|>"));
        std::vector<TokenId> withJunk = ids;
        withJunk.push_back(-5);
        withJunk.push_back(99999999);
        QCOMPARE(qwen->decode(withJunk), qwen->decode(ids)); // ids outside the vocabulary are skipped
        // A leading U+FEFF is text like any other: encoded (Qwen3's "\u00ef\u00bb\u00bf") and decoded back.
        const std::vector<TokenId> bom = qwen->encode(QStringLiteral("\uFEFFbom"));
        QCOMPARE(bom, (std::vector<TokenId>{3225, 65, 316}));
        QCOMPARE(qwen->decodeText(bom), QStringLiteral("\uFEFFbom"));

        const auto llama2 = fixtureTokenizer(QStringLiteral("llama2-tokenizer-json"));
        QCOMPARE(llama2->bosId(), 1);
        QVERIFY(llama2->addsBos());
        QCOMPARE(llama2->unkId(), 0);
        QCOMPARE(llama2->decode({1, 22557, 1526, 2}, true), std::string("Hello world"));
    }

    // encode/decode are const and thread-safe (the word cache is shared between threads).
    void concurrentEncodesAgree()
    {
        FT_REQUIRE_SHARED();
        for (const QString& name : kFixtures) {
            const auto tokenizer = fixtureTokenizer(name);
            const QJsonArray cases =
                readObject(fixturePath(name, QStringLiteral("expected.json"))).value(QStringLiteral("cases")).toArray();
            std::atomic<int> mismatches{0};
            std::vector<std::thread> threads;
            for (int t = 0; t < 4; ++t)
                threads.emplace_back([&, t] {
                    for (int round = 0; round < 2; ++round)
                        for (qsizetype i = t; i < cases.size() + t; ++i) {
                            const QJsonObject item = cases.at(i % cases.size()).toObject();
                            if (tokenizer->encode(item.value(QStringLiteral("text")).toString()) !=
                                idsOf(item.value(QStringLiteral("ids"))))
                                ++mismatches;
                        }
                });
            for (std::thread& thread : threads)
                thread.join();
            QCOMPARE(mismatches.load(), 0);
        }
    }

    // 4. Refusals: each names the file and the component.
    void refusals_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QStringList>("mentions");
        QTest::newRow("WordPiece model") << QStringLiteral("model")
                                         << QJsonValue(typed(QStringLiteral("WordPiece"),
                                                             {{QStringLiteral("vocab"), QJsonObject{}}}))
                                         << QStringList{QStringLiteral("model"), QStringLiteral("\"WordPiece\""),
                                                        QStringLiteral("not supported")};
        QTest::newRow("Unigram model") << QStringLiteral("model")
                                       << QJsonValue(typed(QStringLiteral("Unigram"),
                                                           {{QStringLiteral("vocab"), QJsonArray{}}}))
                                       << QStringList{QStringLiteral("model"), QStringLiteral("\"Unigram\"")};
        QTest::newRow("Lowercase normalizer")
            << QStringLiteral("normalizer")
            << QJsonValue(sequence(QStringLiteral("normalizers"),
                                   {typed(QStringLiteral("NFC")), typed(QStringLiteral("Lowercase"))}))
            << QStringList{QStringLiteral("normalizer.normalizers[1]"), QStringLiteral("\"Lowercase\"")};
        QTest::newRow("Precompiled normalizer")
            << QStringLiteral("normalizer") << QJsonValue(typed(QStringLiteral("Precompiled")))
            << QStringList{QStringLiteral("normalizer"), QStringLiteral("\"Precompiled\"")};
        QTest::newRow("Whitespace pre-tokenizer")
            << QStringLiteral("pre_tokenizer") << QJsonValue(typed(QStringLiteral("Whitespace")))
            << QStringList{QStringLiteral("pre_tokenizer"), QStringLiteral("\"Whitespace\"")};
        QTest::newRow("BertPreTokenizer in a sequence")
            << QStringLiteral("pre_tokenizer")
            << QJsonValue(sequence(QStringLiteral("pretokenizers"), {typed(QStringLiteral("BertPreTokenizer"))}))
            << QStringList{QStringLiteral("pre_tokenizer.pretokenizers[0]"), QStringLiteral("\"BertPreTokenizer\"")};
        QTest::newRow("WordPiece decoder")
            << QStringLiteral("decoder") << QJsonValue(typed(QStringLiteral("WordPiece")))
            << QStringList{QStringLiteral("decoder"), QStringLiteral("\"WordPiece\"")};
        QTest::newRow("unknown post-processor")
            << QStringLiteral("post_processor") << QJsonValue(typed(QStringLiteral("Magic")))
            << QStringList{QStringLiteral("post_processor"), QStringLiteral("\"Magic\"")};
        QTest::newRow("class intersection regex")
            << QStringLiteral("pre_tokenizer")
            << QJsonValue(split(pattern(QStringLiteral("Regex"), QStringLiteral("[a-z&&[^aeiou]]+")),
                                QStringLiteral("Isolated"), false))
            << QStringList{QStringLiteral("pre_tokenizer.pattern"), QStringLiteral("&&")};
        QTest::newRow("unknown split behavior")
            << QStringLiteral("pre_tokenizer")
            << QJsonValue(
                   split(pattern(QStringLiteral("String"), QStringLiteral(" ")), QStringLiteral("Sideways"), false))
            << QStringList{QStringLiteral("pre_tokenizer.behavior"), QStringLiteral("Sideways")};
    }
    void refusals()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QStringList, mentions);
        QJsonObject root = tinyTokenizer();
        root.insert(key, value);
        QTemporaryDir dir;
        const QString path = writeJson(dir.filePath(QStringLiteral("tokenizer.json")), root);
        expectRefusal(path, mentions + QStringList{path});
    }
    void refusesBadModelsAndFiles()
    {
        QTemporaryDir dir;
        auto withModel = [&](const QString& key, const QJsonValue& value) {
            QJsonObject root = tinyTokenizer();
            QJsonObject model = root.value(QStringLiteral("model")).toObject();
            model.insert(key, value);
            root.insert(QStringLiteral("model"), model);
            return writeJson(dir.filePath(key + QStringLiteral(".json")), root);
        };
        expectRefusal(withModel(QStringLiteral("dropout"), 0.1), {QStringLiteral("model.dropout")});
        expectRefusal(withModel(QStringLiteral("merges"), QJsonArray{QStringLiteral("a zz")}),
                      {QStringLiteral("model.merges[0]"), QStringLiteral("\"zz\"")});
        expectRefusal(withModel(QStringLiteral("merges"), QJsonArray{QStringLiteral("a b c")}),
                      {QStringLiteral("model.merges[0]")});
        expectRefusal(withModel(QStringLiteral("vocab"), QJsonObject{{QStringLiteral("a"), -3}}),
                      {QStringLiteral("model.vocab[\"a\"]")});
        expectRefusal(withModel(QStringLiteral("vocab"), QJsonArray{}),
                      {QStringLiteral("model.vocab"), QStringLiteral("object")});
        QJsonObject noModel = tinyTokenizer();
        noModel.remove(QStringLiteral("model"));
        expectRefusal(writeJson(dir.filePath(QStringLiteral("nomodel.json")), noModel),
                      {QStringLiteral("model"), QStringLiteral("missing")});

        // A truncated file (the first megabyte of a real one): malformed JSON, named with its place.
        if (!test::sharedDir().isEmpty()) {
            QFile real(fixturePath(QStringLiteral("qwen3"), QStringLiteral("tokenizer.json")));
            QVERIFY(real.open(QIODevice::ReadOnly));
            const QString truncated = dir.filePath(QStringLiteral("truncated.json"));
            writeFile(truncated, real.read(1024 * 1024));
            expectRefusal(truncated,
                          {QStringLiteral("truncated.json"), QStringLiteral("malformed JSON"), QStringLiteral("line")});
        }
        expectRefusal(dir.filePath(QStringLiteral("absent.json")),
                      {QStringLiteral("absent.json"), QStringLiteral("not found")});
    }

    // The tiny tokenizer the refusal tests start from is itself fine.
    void tinyTokenizerWorks()
    {
        QTemporaryDir dir;
        const QString path = writeJson(dir.filePath(QStringLiteral("tokenizer.json")), tinyTokenizer());
        const auto tokenizer = Tokenizer::fromTokenizerJson(path);
        QCOMPARE(tokenizer->encode(std::string("ab ab")), (std::vector<TokenId>{4, 3}));
        QCOMPARE(tokenizer->decode({4, 3}), std::string("ab ab"));
        QCOMPARE(tokenizer->encode(std::string("abc")), (std::vector<TokenId>{4})); // "c" has no token: dropped
        QCOMPARE(tokenizer->vocabSize(), 5);
    }

    // 5. Model folders: tokenizer.json wins over tokenizer.model; special ids as the files say.
    void modelFolderResolvesSpecialTokens()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir qwenDir;
        for (const QString& file : {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json")})
            QVERIFY(QFile::copy(fixturePath(QStringLiteral("qwen3"), file), qwenDir.filePath(file)));
        {
            const auto qwen = Tokenizer::fromModelFolder(qwenDir.path());
            QCOMPARE(qwen->kind(), TokenizerKind::TokenizerJson);
            QCOMPARE(qwen->bosId(), -1); // bos_token null
            QVERIFY(!qwen->addsBos());
            QCOMPARE(qwen->eosId(), 151645); // <|im_end|>
            QCOMPARE(qwen->padId(), 151643); // <|endoftext|>
            QCOMPARE(qwen->eosIds(), std::vector<TokenId>{151645});
            QCOMPARE(qwen->endOfTurnId(), 151645);
            QCOMPARE(qwen->encodeWithSpecialTokens(std::string("Hi")), qwen->encode(std::string("Hi")));
        }
        writeFile(qwenDir.filePath(QStringLiteral("generation_config.json")),
                  R"({"bos_token_id": 151643, "eos_token_id": [151645, 151643], "pad_token_id": 151643})");
        {
            const auto qwen = Tokenizer::fromModelFolder(qwenDir.path());
            QCOMPARE(qwen->eosIds(), (std::vector<TokenId>{151645, 151643}));
            QCOMPARE(qwen->endOfTurnId(), 151645);
            // config.json's ids come first.
            ModelConfig config;
            config.eosTokenIds = {151643};
            const auto withConfig = Tokenizer::fromModelFolder(qwenDir.path(), &config);
            QCOMPARE(withConfig->eosId(), 151643);
            QCOMPARE(withConfig->eosIds(), (std::vector<TokenId>{151643, 151645}));
            QCOMPARE(withConfig->endOfTurnId(), 151645);
        }

        QTemporaryDir llamaDir;
        for (const QString& file : {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json")})
            QVERIFY(QFile::copy(fixturePath(QStringLiteral("llama3"), file), llamaDir.filePath(file)));
        writeFile(llamaDir.filePath(QStringLiteral("generation_config.json")),
                  R"({"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]})");
        const auto llama = Tokenizer::fromModelFolder(llamaDir.path());
        QCOMPARE(llama->bosId(), 128000);
        QCOMPARE(llama->piece(llama->bosId()), std::string("<|begin_of_text|>"));
        QCOMPARE(llama->eosId(), 128001);
        QCOMPARE(llama->eosIds(), (std::vector<TokenId>{128001, 128008, 128009}));
        QCOMPARE(llama->endOfTurnId(), 128009); // <|eot_id|>
        QCOMPARE(llama->padId(), -1);
        // This tokenizer.json's post-processor adds no BOS (the chat template writes <|begin_of_text|>).
        QVERIFY(!llama->addsBos());
        QVERIFY(llama->isSpecial(128009));
        QCOMPARE(llama->vocabSize(), 128256);

        // Without generation_config.json, the end of turn is still <|eot_id|> (a base model's files).
        QVERIFY(QFile::remove(llamaDir.filePath(QStringLiteral("generation_config.json"))));
        const auto base = Tokenizer::fromModelFolder(llamaDir.path());
        QCOMPARE(base->eosIds(), std::vector<TokenId>{128001});
        QCOMPARE(base->endOfTurnId(), 128009);

        // A folder with both files uses tokenizer.json; a malformed generation_config.json is named.
        QVERIFY(QFile::copy(test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2.model")),
                            llamaDir.filePath(QStringLiteral("tokenizer.model"))));
        QCOMPARE(Tokenizer::fromModelFolder(llamaDir.path())->kind(), TokenizerKind::TokenizerJson);
        writeFile(llamaDir.filePath(QStringLiteral("generation_config.json")), R"({"eos_token_id": "end"})");
        expectRefusal(llamaDir.path(), {QStringLiteral("generation_config.json"), QStringLiteral("eos_token_id")},
                      true);
    }

    void llama2FolderAddsBos()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        for (const QString& file : {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json")})
            QVERIFY(QFile::copy(fixturePath(QStringLiteral("llama2-tokenizer-json"), file), dir.filePath(file)));
        const auto tokenizer = Tokenizer::fromModelFolder(dir.path());
        QCOMPARE(tokenizer->bosId(), 1);
        QCOMPARE(tokenizer->eosId(), 2);
        QVERIFY(tokenizer->addsBos());
        QVERIFY(!tokenizer->addsEos());
        QCOMPARE(tokenizer->endOfTurnId(), 2);
        QCOMPARE(tokenizer->encodeWithSpecialTokens(std::string("Hello world")),
                 (std::vector<TokenId>{1, 22557, 1526}));
    }

private:
    // A complete, tiny byte-level tokenizer.json: tokens a, b, Ġ, ab (3 merges... one), Ġab.
    static QJsonObject tinyTokenizer()
    {
        const QJsonObject vocab{{QStringLiteral("a"), 0},
                                {QStringLiteral("b"), 1},
                                {QStringLiteral("\u0120"), 2},
                                {QStringLiteral("\u0120ab"), 3},
                                {QStringLiteral("ab"), 4}};
        return object(
            {{QStringLiteral("version"), QStringLiteral("1.0")},
             {QStringLiteral("added_tokens"), QJsonArray{}},
             {QStringLiteral("normalizer"), QJsonValue::Null},
             {QStringLiteral("pre_tokenizer"),
              typed(QStringLiteral("ByteLevel"),
                    {{QStringLiteral("add_prefix_space"), false}, {QStringLiteral("use_regex"), true}})},
             {QStringLiteral("post_processor"), QJsonValue::Null},
             {QStringLiteral("decoder"), typed(QStringLiteral("ByteLevel"))},
             {QStringLiteral("model"),
              typed(QStringLiteral("BPE"),
                    {{QStringLiteral("vocab"), vocab},
                     {QStringLiteral("merges"), QJsonArray{QStringLiteral("a b"), QStringLiteral("\u0120 ab")}}})}});
    }

    static void expectRefusal(const QString& path, const QStringList& mentions, bool folder = false)
    {
        try {
            if (folder)
                Tokenizer::fromModelFolder(path);
            else
                Tokenizer::fromTokenizerJson(path);
            QFAIL(qPrintable(QStringLiteral("%1 was accepted").arg(path)));
        } catch (const Error& error) {
            for (const QString& mention : mentions)
                QVERIFY2(error.message().contains(mention),
                         qPrintable(QStringLiteral("\"%1\" does not mention %2").arg(error.message(), mention)));
        }
    }
};

QTEST_APPLESS_MAIN(TestTokenizerJson)
#include "tst_tokenizer_json.moc"
