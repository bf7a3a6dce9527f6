#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

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
    void qwen3HasQkNormsAndItsOwnHeadDim()
    {
        QJsonObject json = llamaJson();
        json[QStringLiteral("architectures")] = QJsonArray{QStringLiteral("Qwen3ForCausalLM")};
        json[QStringLiteral("model_type")] = QStringLiteral("qwen3");
        json[QStringLiteral("head_dim")] = 16; // 8 heads x 16 = 128 > hidden 64, as in Qwen3-0.6B
        const ModelConfig config = ModelConfig::fromJson(json, QStringLiteral("config.json"));
        QVERIFY(config.qkNorm);
        QVERIFY(!config.qkvBias);
        QCOMPARE(config.headDim, 16);
        const ModelConfig llama = ModelConfig::fromJson(llamaJson(), QStringLiteral("config.json"));
        QVERIFY(!llama.qkNorm);
        const ModelConfig again = ModelConfig::fromJson(config.toJson(), QStringLiteral("again"));
        QVERIFY(again.qkNorm);
        QCOMPARE(again.headDim, 16);
    }
    void readsRopeScaling_data()
    {
        QTest::addColumn<QString>("scaling");
        QTest::addColumn<QString>("type");
        QTest::addColumn<double>("factor");
        QTest::newRow("none") << "null"
                              << "" << 1.0;
        QTest::newRow("default") << R"({"rope_type": "default"})"
                                 << "" << 1.0;
        QTest::newRow("linear (old key)") << R"({"type": "linear", "factor": 4.0})"
                                          << "linear" << 4.0;
        QTest::newRow("dynamic") << R"({"type": "dynamic", "factor": 2.0})"
                                 << "dynamic" << 2.0;
        QTest::newRow("llama3") << R"({"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})"
                                << "llama3" << 32.0;
    }
    void readsRopeScaling()
    {
        QFETCH(QString, scaling);
        QFETCH(QString, type);
        QFETCH(double, factor);
        QJsonObject json = llamaJson();
        json[QStringLiteral("rope_scaling")] =
            QJsonDocument::fromJson(QStringLiteral("{\"v\": %1}").arg(scaling).toUtf8()).object()[QStringLiteral("v")];
        const ModelConfig config = ModelConfig::fromJson(json, QStringLiteral("config.json"));
        QCOMPARE(config.ropeScaling.type, type);
        QCOMPARE(config.ropeScaling.factor, factor);
        if (type == QLatin1String("llama3")) {
            QCOMPARE(config.ropeScaling.originalContext, 8192);
            QCOMPARE(config.ropeScaling.highFreqFactor, 4.0);
        }
    }
    void refusesUnknownRopeScalingByName()
    {
        QJsonObject json = llamaJson();
        json[QStringLiteral("rope_scaling")] =
            QJsonObject{{QStringLiteral("rope_type"), QStringLiteral("yarn")}, {QStringLiteral("factor"), 4.0}};
        const QString message = errorOf(json);
        QVERIFY2(message.contains(QLatin1String("yarn")) && message.contains(QLatin1String("llama3")) &&
                     message.contains(QLatin1String("config.json rope_scaling")),
                 qPrintable(message));
        json[QStringLiteral("rope_scaling")] = QJsonObject{{QStringLiteral("rope_type"), QStringLiteral("llama3")},
                                                           {QStringLiteral("factor"), 8.0},
                                                           {QStringLiteral("low_freq_factor"), 4.0},
                                                           {QStringLiteral("high_freq_factor"), 1.0}};
        QVERIFY2(errorOf(json).contains(QLatin1String("low_freq_factor")), qPrintable(errorOf(json)));
    }
    // Llama 3.1's bands, by the formula of Hugging Face's _compute_llama3_parameters written out for three
    // pairs of a head of 128 with theta 500000: a short wavelength kept, one in the blended band, a long one /8.
    void llama3DivisorsFollowTheWavelengthBands()
    {
        RopeScaling scaling;
        scaling.type = QStringLiteral("llama3");
        scaling.factor = 8.0;
        scaling.lowFreqFactor = 1.0;
        scaling.highFreqFactor = 4.0;
        scaling.originalContext = 8192;
        const std::vector<float> divisors = llama3FrequencyDivisors(128, 500000.0, scaling);
        QCOMPARE(divisors.size(), size_t(64));
        QCOMPARE(divisors[0], 1.0f);  // wavelength 2 pi < 8192 / 4
        QCOMPARE(divisors[63], 8.0f); // wavelength ~ 2 pi * 500000^(126/128) > 8192
        int blended = 0;
        for (size_t i = 0; i < divisors.size(); ++i) {
            const double frequency = 1.0 / std::pow(500000.0, double(2 * i) / 128.0);
            const double wavelength = 2 * M_PI / frequency;
            if (wavelength < 2048.0 || wavelength > 8192.0)
                continue;
            ++blended;
            const double smooth = (8192.0 / wavelength - 1.0) / 3.0;
            const double expected = frequency / ((1 - smooth) * frequency / 8.0 + smooth * frequency);
            QVERIFY2(std::abs(divisors[i] - expected) < 1e-3 * expected, qPrintable(QString::number(i)));
            QVERIFY(divisors[i] > 1.0f && divisors[i] < 8.0f);
        }
        QVERIFY(blended >= 3);
    }
    void dynamicNtkGrowsThetaOnlyPastTheContext()
    {
        RopeScaling scaling;
        scaling.type = QStringLiteral("dynamic");
        scaling.factor = 2.0;
        QCOMPARE(dynamicNtkTheta(10000.0, 64, 2048, 100, scaling), 10000.0);
        QCOMPARE(dynamicNtkTheta(10000.0, 64, 2048, 2048, scaling), 10000.0);
        // HF: base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        const double expected = 10000.0 * std::pow(2.0 * 4096 / 2048 - 1.0, 64.0 / 62.0);
        QVERIFY(std::abs(dynamicNtkTheta(10000.0, 64, 2048, 4096, scaling) - expected) < 1e-6 * expected);
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
