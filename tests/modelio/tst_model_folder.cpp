#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "modelio/model_folder.h"
#include "modelio/tokenizer.h"
#include "support/test_support.h"

using namespace ft;

namespace {

void writeText(const QString& path, const QByteArray& text)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(text);
}

QString inspectError(const QString& folder)
{
    try {
        ModelFolder::inspect(folder);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

const QByteArray kConfig = R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16,
  "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": 10})";

} // namespace

class TestModelFolder : public QObject {
    Q_OBJECT
private slots:
    void inspectsTheFixture()
    {
        FT_REQUIRE_SHARED();
        const ModelFolder folder = ModelFolder::inspect(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")));
        QVERIFY(!folder.sharded);
        QCOMPARE(folder.weightFiles.size(), 1);
        QVERIFY(!folder.tokenizerPath.isEmpty());
        QCOMPARE(folder.config.architecture, QStringLiteral("LlamaForCausalLM"));
    }
    // A folder with only a Hugging Face tokenizer.json (Qwen3, Llama 3, SmolLM2) names it as its
    // tokenizer, and the Tokenizer facade loads it from the folder.
    void findsTokenizerJsonAlone()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        writeText(dir.filePath(QStringLiteral("config.json")), kConfig);
        writeText(dir.filePath(QStringLiteral("model.safetensors")), "{}");
        QVERIFY(ModelFolder::inspect(dir.path()).tokenizerPath.isEmpty());
        for (const QString& file : {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer_config.json")})
            QVERIFY(
                QFile::copy(test::sharedPath(QStringLiteral("fixtures/tokenizers/qwen3/") + file), dir.filePath(file)));
        const ModelFolder folder = ModelFolder::inspect(dir.path());
        QCOMPARE(folder.tokenizerPath, QDir(folder.path).filePath(QStringLiteral("tokenizer.json")));
        const auto tokenizer = Tokenizer::fromModelFolder(folder.path, &folder.config);
        QCOMPARE(tokenizer->kind(), TokenizerKind::TokenizerJson);
        QCOMPARE(tokenizer->encode(std::string("Hello world")), (std::vector<TokenId>{9707, 1879}));
        QCOMPARE(tokenizer->eosId(), 151645); // <|im_end|>, from tokenizer_config.json
        QVERIFY(tokenizerSideFiles().contains(QStringLiteral("tokenizer.json")));
    }
    void refusesPickleAndMissingFiles()
    {
        QTemporaryDir dir;
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("config.json")));
        writeText(dir.filePath(QStringLiteral("config.json")), kConfig);
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("model.safetensors")));
        writeText(dir.filePath(QStringLiteral("pytorch_model.bin")), "pickle");
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("pickle")));
    }
    void shardIndexMayNotEscapeTheFolder()
    {
        QTemporaryDir dir;
        writeText(dir.filePath(QStringLiteral("config.json")), kConfig);
        writeText(dir.filePath(QStringLiteral("model.safetensors.index.json")),
                  R"({"weight_map": {"model.norm.weight": "../../etc/passwd"}})");
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("expected a file name")));
        writeText(dir.filePath(QStringLiteral("model.safetensors.index.json")),
                  R"({"weight_map": {"model.norm.weight": "model-00001-of-00002.safetensors"}})");
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("missing")));
        writeText(dir.filePath(QStringLiteral("model.safetensors.index.json")), R"({"weight_map": [1]})");
        QVERIFY(inspectError(dir.path()).contains(QLatin1String("weight_map")));
    }
};

QTEST_APPLESS_MAIN(TestModelFolder)
#include "tst_model_folder.moc"
