#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "common/json_file.h"
#include "engine/model_loader.h"
#include "engine/tensor_convert.h"
#include "engine_test_support.h"
#include "modelio/safetensors_writer.h"

using namespace ft;

namespace {

QString loadError(const QString& path)
{
    try {
        loadModel(path);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

// Rewrites the folder's weights from `model`'s slots, letting `edit` drop or change entries.
void rewriteWeights(const QString& folder, LlamaForCausalLMImpl& model,
                    const std::function<void(std::vector<SafetensorsOutput>&)>& edit)
{
    std::vector<SafetensorsOutput> outputs;
    for (const WeightSlot& slot : model.weightSlots()) {
        auto read = slot.read;
        outputs.push_back({QString::fromStdString(slot.name), TensorDtype::F32, slot.shape,
                           [read] { return tensorBytes(read(), torch::kFloat32); }});
    }
    edit(outputs);
    writeSafetensors(QDir(folder).filePath(QStringLiteral("model.safetensors")), outputs);
}

void editConfig(const QString& folder, const std::function<void(QJsonObject&)>& edit)
{
    const QString path = QDir(folder).filePath(QStringLiteral("config.json"));
    QJsonObject json = readJsonObjectFile(path);
    edit(json);
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    file.write(QJsonDocument(json).toJson());
}

} // namespace

class TestModelLoader : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;

private slots:
    void initTestCase()
    {
        m_model = test::writeRandomModel(m_dir.filePath(QStringLiteral("base")), test::tinyConfig());
    }

    void missingTensorIsNamed()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        LoadedModel loaded = loadModel(folder);
        rewriteWeights(folder, *loaded.model, [](auto& outputs) {
            outputs.erase(std::remove_if(outputs.begin(), outputs.end(),
                                         [](const auto& o) {
                                             return o.name == QLatin1String("model.layers.1.mlp.up_proj.weight");
                                         }),
                          outputs.end());
        });
        const QString message = loadError(folder);
        QVERIFY2(message.contains(QLatin1String("missing tensor \"model.layers.1.mlp.up_proj.weight\"")),
                 qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("model.safetensors")), qPrintable(message));
    }
    void shapeDisagreeingWithConfig()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        editConfig(folder, [](QJsonObject& json) { json[QStringLiteral("intermediate_size")] = 128; });
        const QString message = loadError(folder);
        QVERIFY2(message.contains(QLatin1String("config.json implies")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("mlp.")), qPrintable(message));
    }
    void integerWeightsAreRefused()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        LoadedModel loaded = loadModel(folder);
        rewriteWeights(folder, *loaded.model, [](auto& outputs) {
            for (auto& o : outputs)
                if (o.name == QLatin1String("model.norm.weight")) {
                    o.dtype = TensorDtype::I32;
                    const int64_t n = o.shape[0];
                    o.bytes = [n] { return QByteArray(static_cast<qsizetype>(n * 4), '\0'); };
                }
        });
        QVERIFY2(loadError(folder).contains(QLatin1String("must be F32, F16 or BF16")), qPrintable(loadError(folder)));
    }
    void badConfigs()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        editConfig(folder, [](QJsonObject& json) { json[QStringLiteral("num_hidden_layers")] = 0; });
        QVERIFY(loadError(folder).contains(QLatin1String("num_hidden_layers")));
        QFile file(QDir(folder).filePath(QStringLiteral("config.json")));
        file.open(QIODevice::WriteOnly | QIODevice::Truncate);
        file.write("{\n  \"hidden_size\": 64,\n  oops\n}");
        file.close();
        const QString message = loadError(folder);
        QVERIFY2(message.contains(QLatin1String("config.json")) && message.contains(QLatin1String("line 3")),
                 qPrintable(message));
    }
    void truncatedWeightsFile()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        QFile file(QDir(folder).filePath(QStringLiteral("model.safetensors")));
        file.open(QIODevice::ReadWrite);
        file.resize(file.size() / 2);
        file.close();
        QVERIFY2(!loadError(folder).isEmpty(), "a truncated checkpoint loaded");
    }
    void unusedTensorsAreReported()
    {
        QTemporaryDir dir;
        const QString folder = test::writeRandomModel(dir.filePath(QStringLiteral("m")), test::tinyConfig());
        LoadedModel loaded = loadModel(folder);
        rewriteWeights(folder, *loaded.model, [](auto& outputs) {
            outputs.push_back(
                {QStringLiteral("model.extra.weight"), TensorDtype::F32, {2}, [] { return QByteArray(8, '\0'); }});
            outputs.push_back(
                {QStringLiteral("model.layers.0.self_attn.rotary_emb.inv_freq"), TensorDtype::F32, {2}, [] {
                     return QByteArray(8, '\0');
                 }});
        });
        const LoadedModel again = loadModel(folder);
        QCOMPARE(again.warnings.size(), 1);
        QVERIFY(again.warnings.first().contains(QLatin1String("model.extra.weight")));
    }
    void shardedCheckpointLoads()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("sharded"));
        QDir().mkpath(folder);
        LoadedModel base = loadModel(m_model);
        QFile::copy(QDir(m_model).filePath(QStringLiteral("config.json")),
                    QDir(folder).filePath(QStringLiteral("config.json")));
        QFile::copy(QDir(m_model).filePath(QStringLiteral("tokenizer.model")),
                    QDir(folder).filePath(QStringLiteral("tokenizer.model")));
        std::vector<SafetensorsOutput> shards[2];
        QJsonObject weightMap;
        const auto weightSlots = base.model->weightSlots();
        for (size_t i = 0; i < weightSlots.size(); ++i) {
            const int shard = i < weightSlots.size() / 2 ? 0 : 1;
            auto read = weightSlots[i].read;
            shards[shard].push_back({QString::fromStdString(weightSlots[i].name), TensorDtype::BF16,
                                     weightSlots[i].shape, [read] { return tensorBytes(read(), torch::kBFloat16); }});
            weightMap[QString::fromStdString(weightSlots[i].name)] =
                QStringLiteral("model-0000%1-of-00002.safetensors").arg(shard + 1);
        }
        for (int s = 0; s < 2; ++s)
            writeSafetensors(QDir(folder).filePath(QStringLiteral("model-0000%1-of-00002.safetensors").arg(s + 1)),
                             shards[s]);
        QFile index(QDir(folder).filePath(QStringLiteral("model.safetensors.index.json")));
        index.open(QIODevice::WriteOnly);
        index.write(QJsonDocument(QJsonObject{{QStringLiteral("weight_map"), weightMap}}).toJson());
        index.close();

        LoadedModel sharded = loadModel(folder);
        const auto expected = base.model->named_parameters();
        for (const auto& item : sharded.model->named_parameters())
            QVERIFY(torch::equal(item.value(), expected[item.key()].to(torch::kBFloat16).to(torch::kFloat32)));
    }
    void computeDtypeIsAChoice()
    {
        LoadOptions options;
        options.dtype = torch::kBFloat16;
        LoadedModel loaded = loadModel(m_model, options);
        for (const auto& p : loaded.model->parameters())
            QCOMPARE(p.scalar_type(), torch::kBFloat16);
    }
};

QTEST_APPLESS_MAIN(TestModelLoader)
#include "tst_model_loader.moc"
