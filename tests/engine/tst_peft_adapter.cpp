#include <cstring>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "common/json_file.h"
#include "engine/lora.h"
#include "engine/model_loader.h"
#include "engine/peft_adapter.h"
#include "engine/quantized_projection.h"
#include "engine/tensor_convert.h"
#include "engine_test_support.h"
#include "lora_test_support.h"
#include "modelio/safetensors_file.h"
#include "modelio/safetensors_writer.h"

using namespace ft;

Q_DECLARE_METATYPE(ft::BaseQuantization)

namespace {

// An adapter folder's contents, editable, written back with writeAdapter.
struct AdapterFiles {
    QJsonObject config;
    std::vector<SafetensorsOutput> tensors;

    SafetensorsOutput* find(const QString& name)
    {
        for (auto& t : tensors)
            if (t.name == name)
                return &t;
        return nullptr;
    }
    void remove(const QString& name)
    {
        tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == name; }),
                      tensors.end());
    }
};

AdapterFiles readAdapterFiles(const QString& folder)
{
    AdapterFiles files;
    files.config = readJsonObjectFile(QDir(folder).filePath(QStringLiteral("adapter_config.json")));
    const SafetensorsFile file(QDir(folder).filePath(QStringLiteral("adapter_model.safetensors")));
    for (const SafetensorsEntry& e : file.entries()) {
        const QByteArray bytes(static_cast<const char*>(file.data(e)), static_cast<qsizetype>(e.end - e.begin));
        files.tensors.push_back({e.name, e.dtype, e.shape, [bytes] { return bytes; }});
    }
    return files;
}

void writeAdapter(const QString& folder, const AdapterFiles& files)
{
    QDir().mkpath(folder);
    QFile config(QDir(folder).filePath(QStringLiteral("adapter_config.json")));
    config.open(QIODevice::WriteOnly | QIODevice::Truncate);
    config.write(QJsonDocument(files.config).toJson());
    config.close();
    writeSafetensors(QDir(folder).filePath(QStringLiteral("adapter_model.safetensors")), files.tensors);
}

SafetensorsOutput zeroTensor(const QString& name, std::vector<int64_t> shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return {name, TensorDtype::F32, shape, [n] { return QByteArray(static_cast<qsizetype>(n * 4), '\0'); }};
}

QString loadError(LlamaForCausalLMImpl& model, const QString& folder)
{
    try {
        loadAdapter(model, folder);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

void randomizeB(LlamaForCausalLMImpl& model)
{
    torch::NoGradGuard noGrad;
    for (const LoraSite& site : loraSites(model))
        site.projection->loraB().normal_(0.0, 0.05);
}

const QString kQB = QStringLiteral("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight");

} // namespace

class TestPeftAdapter : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base;
    QString m_adapter; // a valid adapter of rank 4 over every projection of m_base
    PeftAdapterConfig m_config;
    torch::Tensor m_tokens;
    torch::Tensor m_adaptedLogits;

    LoadedModel loadBase(const BaseQuantization& quantization = {})
    {
        LoadOptions options;
        if (quantization.kind != BaseQuantizationKind::None)
            options.prepare = quantizingPrepare(quantization);
        return loadModel(m_base, options);
    }

private slots:
    void initTestCase()
    {
        torch::manual_seed(31);
        const ModelConfig config = test::tinyConfig();
        m_base = test::writeRandomModel(m_dir.filePath(QStringLiteral("base")), config);
        m_tokens = test::randomTokens(config.vocabSize, 2, 16, 9);
        m_config.settings.rank = 4;
        m_config.settings.alpha = 8;
        m_config.settings.dropout = 0.1;
        m_config.baseModelNameOrPath = QStringLiteral("tiny-llama");

        LoadedModel loaded = loadBase();
        applyLora(*loaded.model, m_config.settings, 1);
        test::trainAdapters(*loaded.model, m_tokens, 3);
        m_adaptedLogits = test::logitsOf(*loaded.model, m_tokens);
        m_adapter = m_dir.filePath(QStringLiteral("adapter"));
        saveAdapter(*loaded.model, m_adapter, m_config);
    }

    void layoutIsPeft()
    {
        const QJsonObject json = readJsonObjectFile(QDir(m_adapter).filePath(QStringLiteral("adapter_config.json")));
        QCOMPARE(json[QStringLiteral("peft_type")].toString(), QStringLiteral("LORA"));
        QCOMPARE(json[QStringLiteral("task_type")].toString(), QStringLiteral("CAUSAL_LM"));
        QCOMPARE(json[QStringLiteral("r")].toInt(), 4);
        QCOMPARE(json[QStringLiteral("lora_alpha")].toDouble(), 8.0);
        QCOMPARE(json[QStringLiteral("lora_dropout")].toDouble(), 0.1);
        QCOMPARE(json[QStringLiteral("use_rslora")].toBool(true), false);
        QCOMPARE(json[QStringLiteral("base_model_name_or_path")].toString(), QStringLiteral("tiny-llama"));
        QCOMPARE(json[QStringLiteral("bias")].toString(), QStringLiteral("none"));
        QCOMPARE(json[QStringLiteral("fan_in_fan_out")].toBool(true), false);
        QCOMPARE(json[QStringLiteral("inference_mode")].toBool(false), true);
        const QJsonArray targets = json[QStringLiteral("target_modules")].toArray();
        QCOMPARE(targets.size(), 7);
        QCOMPARE(targets[0].toString(), QStringLiteral("q_proj"));
        QCOMPARE(targets[6].toString(), QStringLiteral("down_proj"));

        const SafetensorsFile file(QDir(m_adapter).filePath(QStringLiteral("adapter_model.safetensors")));
        QCOMPARE(file.entries().size(), size_t(2 * 7 * 2));
        QCOMPARE(file.metadata().at(QStringLiteral("format")), QStringLiteral("pt"));
        const SafetensorsEntry& a =
            file.require(QStringLiteral("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
        QCOMPARE(a.shape, (std::vector<int64_t>{4, 64}));
        QCOMPARE(a.dtype, TensorDtype::F32);
        QCOMPARE(file.require(kQB).shape, (std::vector<int64_t>{64, 4}));
        QCOMPARE(file.require(QStringLiteral("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight")).shape,
                 (std::vector<int64_t>{32, 4}));
        QCOMPARE(file.require(QStringLiteral("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight")).shape,
                 (std::vector<int64_t>{4, 96}));
        QCOMPARE(file.require(QStringLiteral("base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight")).shape,
                 (std::vector<int64_t>{96, 4}));
    }

    void saveThenLoadGivesIdenticalLogits()
    {
        LoadedModel fresh = loadBase();
        const PeftAdapterConfig config = loadAdapter(*fresh.model, m_adapter);
        QCOMPARE(config.settings.rank, 4);
        QCOMPARE(config.settings.alpha, 8.0);
        QCOMPARE(config.settings.targets.size(), size_t(7));
        QCOMPARE(config.baseModelNameOrPath, QStringLiteral("tiny-llama"));
        QVERIFY(torch::equal(test::logitsOf(*fresh.model, m_tokens), m_adaptedLogits));
        // Loaded adapters are trainable and the base is frozen, as after applyLora.
        for (const auto& item : fresh.model->named_parameters())
            QCOMPARE(item.value().requires_grad(), item.key().find(".lora_") != std::string::npos);
    }

    void roundTripOverQuantizedBase()
    {
        LoadedModel nf4 = loadBase({BaseQuantizationKind::Nf4, true});
        LoraSettings settings;
        settings.rank = 2;
        settings.targets = {ProjectionKind::Q, ProjectionKind::V, ProjectionKind::Down};
        applyLora(*nf4.model, settings, 5);
        randomizeB(*nf4.model);
        const torch::Tensor logits = test::logitsOf(*nf4.model, m_tokens);
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("a"));
        saveAdapter(*nf4.model, folder, {settings, QStringLiteral("tiny")});
        LoadedModel fresh = loadBase({BaseQuantizationKind::Nf4, true});
        loadAdapter(*fresh.model, folder);
        QVERIFY(torch::equal(test::logitsOf(*fresh.model, m_tokens), logits));
    }

    void peftWrittenNamesAndConfigLoad()
    {
        // What PEFT's save_pretrained may hold: the adapter name inside tensor names, extra config keys,
        // an integer lora_alpha, no rank_pattern, targets in any order.
        AdapterFiles files = readAdapterFiles(m_adapter);
        for (auto& t : files.tensors)
            t.name.replace(QStringLiteral(".weight"), QStringLiteral(".default.weight"));
        files.config.remove(QStringLiteral("rank_pattern"));
        files.config.remove(QStringLiteral("alpha_pattern"));
        files.config[QStringLiteral("lora_alpha")] = 8;
        files.config[QStringLiteral("auto_mapping")] = QJsonValue::Null;
        files.config[QStringLiteral("megatron_config")] = QJsonValue::Null;
        files.config[QStringLiteral("target_modules")] = QJsonArray::fromStringList(
            {QStringLiteral("v_proj"), QStringLiteral("down_proj"), QStringLiteral("q_proj"), QStringLiteral("up_proj"),
             QStringLiteral("k_proj"), QStringLiteral("o_proj"), QStringLiteral("gate_proj")});
        QTemporaryDir dir;
        writeAdapter(dir.path(), files);
        LoadedModel fresh = loadBase();
        loadAdapter(*fresh.model, dir.path());
        QVERIFY(torch::equal(test::logitsOf(*fresh.model, m_tokens), m_adaptedLogits));
    }

    void hostileAdaptersGiveClearErrors_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("expected"); // in the message, besides the file's name
        QTest::newRow("wrong shape") << "wrong shape" << kQB + QStringLiteral("\" has shape [60, 4] where [64, 4]");
        QTest::newRow("missing tensor")
            << "missing tensor"
            << "missing tensor \"base_model.model.model.layers.1.mlp.up_proj.lora_B.weight\"";
        QTest::newRow("unknown target module in config") << "unknown target in config"
                                                         << "unknown target module \"c_attn\"";
        QTest::newRow("unknown module tensor") << "unknown module tensor"
                                               << "unknown target module \"self_attn.qkv_proj\"";
        QTest::newRow("rank mismatch") << "rank mismatch"
                                       << "rank mismatch";
        QTest::newRow("layer out of range") << "layer out of range"
                                            << "refers to layer 9 but the model has 2 layers";
        QTest::newRow("module not in target_modules") << "not targeted"
                                                      << "which target_modules";
        QTest::newRow("unrelated tensor") << "unrelated tensor"
                                          << "\"lm_head.weight\" is not a LoRA weight";
        QTest::newRow("integer tensor") << "integer tensor"
                                        << "must be F32, F16 or BF16";
        QTest::newRow("not LoRA") << "not lora"
                                  << "peft_type is \"IA3\"";
        QTest::newRow("regex targets") << "regex targets"
                                       << "regular expression";
        QTest::newRow("rank pattern") << "rank pattern"
                                      << "\"rank_pattern\" is set";
        QTest::newRow("DoRA") << "dora"
                              << "DoRA";
        QTest::newRow("missing r") << "missing r"
                                   << "missing required field \"r\"";
        QTest::newRow("broken json") << "broken json"
                                     << "line";
        QTest::newRow("pickle only") << "pickle only"
                                     << "pickle";
        QTest::newRow("truncated weights") << "truncated"
                                           << "adapter_model.safetensors";
        QTest::newRow("duplicate names") << "duplicate"
                                         << "are the same adapter weight";
    }
    void hostileAdaptersGiveClearErrors()
    {
        QFETCH(QString, edit);
        QFETCH(QString, expected);
        AdapterFiles files = readAdapterFiles(m_adapter);
        const QString prefix = QStringLiteral("base_model.model.model.layers.");
        if (edit == QLatin1String("wrong shape"))
            *files.find(kQB) = zeroTensor(kQB, {60, 4});
        else if (edit == QLatin1String("missing tensor"))
            files.remove(prefix + QStringLiteral("1.mlp.up_proj.lora_B.weight"));
        else if (edit == QLatin1String("unknown target in config"))
            files.config[QStringLiteral("target_modules")] =
                QJsonArray{QStringLiteral("q_proj"), QStringLiteral("c_attn")};
        else if (edit == QLatin1String("unknown module tensor"))
            files.tensors.push_back(zeroTensor(prefix + QStringLiteral("0.self_attn.qkv_proj.lora_A.weight"), {4, 64}));
        else if (edit == QLatin1String("rank mismatch"))
            files.config[QStringLiteral("r")] = 8;
        else if (edit == QLatin1String("layer out of range"))
            files.tensors.push_back(zeroTensor(prefix + QStringLiteral("9.self_attn.q_proj.lora_A.weight"), {4, 64}));
        else if (edit == QLatin1String("not targeted"))
            files.config[QStringLiteral("target_modules")] =
                QJsonArray{QStringLiteral("q_proj"), QStringLiteral("v_proj")};
        else if (edit == QLatin1String("unrelated tensor"))
            files.tensors.push_back(zeroTensor(QStringLiteral("lm_head.weight"), {4}));
        else if (edit == QLatin1String("integer tensor"))
            files.find(kQB)->dtype = TensorDtype::I32;
        else if (edit == QLatin1String("not lora"))
            files.config[QStringLiteral("peft_type")] = QStringLiteral("IA3");
        else if (edit == QLatin1String("regex targets"))
            files.config[QStringLiteral("target_modules")] = QStringLiteral(".*\\.(q|v)_proj");
        else if (edit == QLatin1String("rank pattern"))
            files.config[QStringLiteral("rank_pattern")] = QJsonObject{{QStringLiteral("q_proj"), 16}};
        else if (edit == QLatin1String("dora"))
            files.config[QStringLiteral("use_dora")] = true;
        else if (edit == QLatin1String("missing r"))
            files.config.remove(QStringLiteral("r"));
        else if (edit == QLatin1String("duplicate"))
            files.tensors.push_back({QString(kQB).replace(QStringLiteral(".weight"), QStringLiteral(".default.weight")),
                                     TensorDtype::F32,
                                     {64, 4},
                                     files.find(kQB)->bytes});

        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("hostile"));
        writeAdapter(folder, files);
        QString file = QStringLiteral("adapter_model.safetensors");
        if (edit == QLatin1String("broken json")) {
            QFile config(QDir(folder).filePath(QStringLiteral("adapter_config.json")));
            config.open(QIODevice::WriteOnly | QIODevice::Truncate);
            config.write("{\n  \"peft_type\": \"LORA\",\n  \"r\": 4,,\n}");
        }
        if (edit == QLatin1String("pickle only")) {
            QFile::rename(QDir(folder).filePath(file), QDir(folder).filePath(QStringLiteral("adapter_model.bin")));
            file = QStringLiteral("hostile");
        }
        if (edit == QLatin1String("truncated")) {
            QFile weights(QDir(folder).filePath(file));
            weights.open(QIODevice::ReadWrite);
            weights.resize(weights.size() - 100);
        }
        if (files.config != readAdapterFiles(m_adapter).config || edit == QLatin1String("broken json"))
            file = QStringLiteral("adapter_config.json");

        LoadedModel model = loadBase();
        const torch::Tensor before = test::logitsOf(*model.model, m_tokens);
        const QString message = loadError(*model.model, folder);
        qInfo("%s", qPrintable(message));
        QVERIFY2(!message.isEmpty(), "the hostile adapter loaded");
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(file), qPrintable(message));
        // Nothing was changed on the way to the error.
        QVERIFY(!hasLora(*model.model));
        QVERIFY(torch::equal(test::logitsOf(*model.model, m_tokens), before));
    }

    void loadingOntoAdaptedModelIsRefused()
    {
        LoadedModel model = loadBase();
        loadAdapter(*model.model, m_adapter);
        QVERIFY(loadError(*model.model, m_adapter).contains(QLatin1String("already has LoRA adapters")));
    }

    void saveChecksSettingsAndExistingFolders()
    {
        LoadedModel model = loadBase();
        loadAdapter(*model.model, m_adapter);
        QTemporaryDir dir;
        PeftAdapterConfig wrong = m_config;
        wrong.settings.rank = 8;
        QVERIFY_THROWS_EXCEPTION(Error, saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), wrong));
        wrong = m_config;
        wrong.settings.alpha = 16;
        QVERIFY_THROWS_EXCEPTION(Error, saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), wrong));
        wrong = m_config;
        wrong.settings.targets = {ProjectionKind::Q};
        QVERIFY_THROWS_EXCEPTION(Error, saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), wrong));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("a"))));

        saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), m_config);
        QVERIFY_THROWS_EXCEPTION(Error, saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), m_config));
        saveAdapter(*model.model, dir.filePath(QStringLiteral("a")), m_config, /*replaceExisting=*/true);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 1);
    }

    void mergedExportLoadsBack_data()
    {
        QTest::addColumn<BaseQuantization>("quantization");
        QTest::newRow("dense base") << BaseQuantization{};
        QTest::newRow("nf4 base") << BaseQuantization{BaseQuantizationKind::Nf4, true};
        QTest::newRow("int8 base") << BaseQuantization{BaseQuantizationKind::Int8, false};
    }
    void mergedExportLoadsBack()
    {
        QFETCH(BaseQuantization, quantization);
        LoadedModel model = loadBase(quantization);
        loadAdapter(*model.model, m_adapter);
        const torch::Tensor unmerged = test::logitsOf(*model.model, m_tokens);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("merged"));
        SaveOptions save;
        save.tokenizerSource = m_base;
        const QStringList notes = exportMerged(*model.model, out, save);
        QCOMPARE(notes.isEmpty(), quantization.kind == BaseQuantizationKind::None);
        if (!notes.isEmpty())
            QVERIFY2(notes.first().contains(QLatin1String("dequantized")), qPrintable(notes.first()));
        QVERIFY(hasLora(*model.model)); // exporting leaves the model as it was

        LoadedModel merged = loadModel(out);
        QVERIFY(merged.warnings.isEmpty());
        QVERIFY(!hasLora(*merged.model));
        const double diff = test::maxAbsDiff(test::logitsOf(*merged.model, m_tokens), unmerged);
        qInfo("%s: merged export vs unmerged LoRA logits, max abs diff %.3g", QTest::currentDataTag(), diff);
        QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
        const SafetensorsFile file(QDir(out).filePath(QStringLiteral("model.safetensors")));
        for (const SafetensorsEntry& e : file.entries())
            QVERIFY2(!e.name.contains(QLatin1String("lora")) && !e.name.contains(QLatin1String("weight_")),
                     qPrintable(e.name));
    }

    void mergedExportKeepsTheBaseDtype()
    {
        QTemporaryDir dir;
        const QString base = test::writeRandomModel(dir.filePath(QStringLiteral("bf16")), test::tinyConfig(),
                                                    QStringLiteral("bfloat16"));
        LoadedModel model = loadModel(base);
        loadAdapter(*model.model, m_adapter);
        const QString out = dir.filePath(QStringLiteral("merged"));
        exportMerged(*model.model, out, SaveOptions{});
        const SafetensorsFile file(QDir(out).filePath(QStringLiteral("model.safetensors")));
        QCOMPARE(file.require(QStringLiteral("model.layers.0.self_attn.q_proj.weight")).dtype, TensorDtype::BF16);
        const ModelConfig config = ModelConfig::fromFile(QDir(out).filePath(QStringLiteral("config.json")));
        QCOMPARE(config.torchDtype, QStringLiteral("bfloat16"));
    }
};

QTEST_APPLESS_MAIN(TestPeftAdapter)
#include "tst_peft_adapter.moc"
