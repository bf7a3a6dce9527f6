#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "common/error.h"
#include "modelio/model_config.h"

using namespace ft;

namespace {

QJsonObject llamaJson()
{
    return QJsonDocument::fromJson(R"({
      "architectures": ["LlamaForCausalLM"], "model_type": "llama",
      "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 5,
      "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 512,
      "max_position_embeddings": 512, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
      "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
      "torch_dtype": "float32", "some_future_key": {"kept": true}})")
        .object();
}

QString errorOf(const QJsonObject& json)
{
    try {
        ModelConfig::fromJson(json, QStringLiteral("config.json"));
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

} // namespace

class TestModelConfig : public QObject {
    Q_OBJECT
private slots:
    void readsLlamaConfig()
    {
        const ModelConfig config = ModelConfig::fromJson(llamaJson(), QStringLiteral("config.json"));
        QCOMPARE(config.hiddenSize, 64);
        QCOMPARE(config.headDim, 8);
        QCOMPARE(config.kvDim(), 32);
        QCOMPARE(config.eosTokenId(), 2);
        QVERIFY(config.tieWordEmbeddings);
        QVERIFY(!config.qkvBias);
        // stories260K: the fixture README says 260K parameters.
        QVERIFY(config.parameterCount() > 250'000 && config.parameterCount() < 270'000);
    }
    void writingBackKeepsUnknownKeys()
    {
        const ModelConfig config = ModelConfig::fromJson(llamaJson(), QStringLiteral("config.json"));
        const QJsonObject json = config.toJson();
        QVERIFY(json.contains(QStringLiteral("some_future_key")));
        const ModelConfig again = ModelConfig::fromJson(json, QStringLiteral("again"));
        QCOMPARE(again.parameterCount(), config.parameterCount());
        QCOMPARE(again.numKvHeads, config.numKvHeads);
    }
    void qwen2HasQkvBias()
    {
        QJsonObject json = llamaJson();
        json[QStringLiteral("architectures")] = QJsonArray{QStringLiteral("Qwen2ForCausalLM")};
        const ModelConfig config = ModelConfig::fromJson(json, QStringLiteral("config.json"));
        QVERIFY(config.qkvBias);
        QVERIFY(!config.outputBias);
    }
    void eosMayBeAList()
    {
        QJsonObject json = llamaJson();
        json[QStringLiteral("eos_token_id")] = QJsonArray{2, 7};
        const ModelConfig config = ModelConfig::fromJson(json, QStringLiteral("config.json"));
        QCOMPARE(config.eosTokenIds.size(), size_t(2));
        QCOMPARE(config.eosTokenId(), 2);
    }
    void refusesBadConfigs_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown architecture")
            << "architectures" << QJsonValue(QJsonArray{QStringLiteral("GPT2LMHeadModel")}) << "GPT2LMHeadModel";
        QTest::newRow("zero hidden") << "hidden_size" << QJsonValue(0) << "hidden_size";
        QTest::newRow("absurd vocab") << "vocab_size" << QJsonValue(1e12) << "vocab_size";
        QTest::newRow("negative layers") << "num_hidden_layers" << QJsonValue(-3) << "num_hidden_layers";
        QTest::newRow("fractional heads") << "num_attention_heads" << QJsonValue(2.5) << "num_attention_heads";
        QTest::newRow("heads not multiple of kv") << "num_key_value_heads" << QJsonValue(3) << "num_key_value_heads";
        QTest::newRow("string size") << "intermediate_size" << QJsonValue(QStringLiteral("big")) << "intermediate_size";
        QTest::newRow("other activation") << "hidden_act" << QJsonValue(QStringLiteral("gelu")) << "hidden_act";
        QTest::newRow("bad dtype") << "torch_dtype" << QJsonValue(QStringLiteral("int4")) << "torch_dtype";
        QTest::newRow("missing hidden") << "hidden_size" << QJsonValue() << "hidden_size";
    }
    void refusesBadConfigs()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, expected);
        QJsonObject json = llamaJson();
        if (value.isNull())
            json.remove(key);
        else
            json[key] = value;
        const QString message = errorOf(json);
        QVERIFY2(!message.isEmpty(), "the config was accepted");
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("config.json")), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "tst_model_config.moc"
