#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "common/json_file.h"
#include "modelio/model_config.h"
#include "modelio/tokenizer.h"
#include "support/test_support.h"

using namespace ft;

class TestTokenizer : public QObject {
    Q_OBJECT
private slots:
    void llama2ExpectedIdsAndText()
    {
        FT_REQUIRE_SHARED();
        const QJsonObject expected =
            readJsonObjectFile(test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2_expected.json")));
        const auto tokenizer =
            Tokenizer::fromFile(test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2.model")));
        QCOMPARE(tokenizer->vocabSize(), expected[QStringLiteral("vocab_size")].toInt());
        QCOMPARE(tokenizer->bosId(), expected[QStringLiteral("bos_id")].toInt());
        QCOMPARE(tokenizer->eosId(), expected[QStringLiteral("eos_id")].toInt());
        QCOMPARE(tokenizer->unkId(), expected[QStringLiteral("unk_id")].toInt());
        const QJsonArray cases = expected[QStringLiteral("cases")].toArray();
        QVERIFY(cases.size() >= 10);
        for (const QJsonValue& item : cases) {
            const QString text = item[QStringLiteral("text")].toString();
            std::vector<TokenId> want;
            for (const QJsonValue& id : item[QStringLiteral("ids")].toArray())
                want.push_back(id.toInt());
            const std::vector<TokenId> got = tokenizer->encode(text);
            QVERIFY2(got == want, qPrintable(QStringLiteral("ids differ for %1").arg(text.left(40))));
            QCOMPARE(tokenizer->decodeText(got), item[QStringLiteral("decoded")].toString());
        }
    }
    void fixtureModelPromptIds()
    {
        FT_REQUIRE_SHARED();
        const QJsonObject reference =
            readJsonObjectFile(test::sharedPath(QStringLiteral("fixtures/stories260K/reference.json")));
        const auto tokenizer =
            Tokenizer::fromFile(test::sharedPath(QStringLiteral("fixtures/stories260K/tok512.model")));
        std::vector<TokenId> ids{tokenizer->bosId()};
        const std::vector<TokenId> body = tokenizer->encode(reference[QStringLiteral("prompt")].toString());
        ids.insert(ids.end(), body.begin(), body.end());
        std::vector<TokenId> want;
        for (const QJsonValue& id : reference[QStringLiteral("prompt_ids_with_bos")].toArray())
            want.push_back(id.toInt());
        QVERIFY(ids == want);
    }
    void specialIdsComeFromTheModelFiles()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        QFile::copy(test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2.model")),
                    dir.filePath(QStringLiteral("tokenizer.model")));
        QFile config(dir.filePath(QStringLiteral("tokenizer_config.json")));
        config.open(QIODevice::WriteOnly);
        config.write(
            R"({"bos_token": {"content": "<s>"}, "eos_token": "</s>", "pad_token": "<unk>", "add_bos_token": false})");
        config.close();
        const auto tokenizer = Tokenizer::fromModelFolder(dir.path());
        QCOMPARE(tokenizer->bosId(), 1);
        QCOMPARE(tokenizer->eosId(), 2);
        QCOMPARE(tokenizer->padId(), 0);
        QVERIFY(!tokenizer->addsBos());
        // config.json's ids win over the tokenizer's own declarations.
        ModelConfig modelConfig;
        modelConfig.padTokenId = 2;
        QCOMPARE(Tokenizer::fromModelFolder(dir.path(), &modelConfig)->padId(), 2);
    }
    // A folder with only tokenizer.json loads it (tst_tokenizer_json); one that is not a tokenizer is
    // refused naming the file and what it lacks, and a folder with neither file says so.
    void folderWithBrokenTokenizerJsonIsRefused()
    {
        QTemporaryDir dir;
        QFile json(dir.filePath(QStringLiteral("tokenizer.json")));
        json.open(QIODevice::WriteOnly);
        json.write("{}");
        json.close();
        try {
            Tokenizer::fromModelFolder(dir.path());
            QFAIL("a tokenizer.json without a model was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("tokenizer.json")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QLatin1String("model")), qPrintable(error.message()));
        }
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("tokenizer.json"))));
        try {
            Tokenizer::fromModelFolder(dir.path());
            QFAIL("a folder without a tokenizer was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("tokenizer.json")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QLatin1String("tokenizer.model")), qPrintable(error.message()));
        }
    }
    void garbageModelFileIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tokenizer.model"));
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write("this is not a protobuf");
        file.close();
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::fromFile(path));
    }
    void trainsOnText()
    {
        QTemporaryDir dir;
        const QString text = dir.filePath(QStringLiteral("text.txt"));
        QFile file(text);
        file.open(QIODevice::WriteOnly);
        for (int i = 0; i < 200; ++i)
            file.write(QStringLiteral("The quick brown fox %1 jumps over the lazy dog near the river bank.\n")
                           .arg(i)
                           .toUtf8());
        file.write("Ünïcödé and emoji 🦙 survive byte fallback.\n");
        file.close();
        trainSentencepieceModel(text, dir.filePath(QStringLiteral("tok")), 300);
        const auto tokenizer = Tokenizer::fromFile(dir.filePath(QStringLiteral("tok.model")));
        QVERIFY(tokenizer->vocabSize() <= 300);
        QCOMPARE(tokenizer->bosId(), 1);
        QCOMPARE(tokenizer->eosId(), 2);
        for (const QString& sample : {QStringLiteral("The quick brown fox"), QStringLiteral("unseen 中文 text 🔥 42")})
            QCOMPARE(tokenizer->decodeText(tokenizer->encode(sample)), sample);
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
