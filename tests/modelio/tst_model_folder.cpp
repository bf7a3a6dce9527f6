#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "modelio/model_folder.h"
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
