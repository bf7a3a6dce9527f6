// Exporting stories260K (a llama with a sentencepiece vocabulary, converted to the studio's model folder by
// `ftstudio-cli convert`) to GGUF, and checking the file with independent readers:
//   - gguf-info.mjs (@huggingface/gguf) reads the metadata and tensor list as our reader does;
//   - llama.cpp (llamacpp-generate.mjs) loads it, tokenizes each prompt to the ids the studio's tokenizer gives,
//     and generates greedily the same 32 tokens (compared as text) as `ftstudio-cli generate --greedy`.
// F32 and F16 must match exactly; Q8_0 is checked too (stories260K's greedy text is stable under Q8_0).

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

#include "common/error.h"
#include "gguf/gguf_model_export.h"
#include "gguf/gguf_reader.h"
#include "gguf_oracle.h"
#include "modelio/tokenizer.h"

using namespace ft;

namespace {

const QStringList& prompts()
{
    static const QStringList list{QStringLiteral("Once upon a time"), QStringLiteral("The little dog"),
                                  QStringLiteral("Lily and Ben went to the park. They saw")};
    return list;
}

struct ProcessResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

ProcessResult runCli(const QStringList& arguments)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    process.waitForFinished(300000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

} // namespace

class TestGgufExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model; // stories260K in the studio's folder format (config.json, model.safetensors, tokenizer.model)
    QString m_small; // `model new --preset small`: hidden 256, so that Q4_K and Q6_K blocks are really used
    QString m_why;   // why there is no model folder

    // Our reader and @huggingface/gguf agree on the header and the tensor list; *metadata gets theirs.
    void readersAgree(const QString& oracle, const QString& path, QJsonObject* metadata)
    {
        const GgufFileInfo file = readGgufFile(path);
        QString error;
        const QJsonObject info = test::runGgufOracle(oracle, QStringLiteral("gguf-info.mjs"), {path}, &error);
        QVERIFY2(!info.isEmpty(), qPrintable(error));
        *metadata = info[QStringLiteral("metadata")].toObject();
        for (const auto& [key, value] : file.metadata.entries())
            QVERIFY2((*metadata)[QString::fromUtf8(key)] == value.toJson(), key.constData());
        const QJsonArray tensors = info[QStringLiteral("tensors")].toArray();
        QCOMPARE(tensors.size(), static_cast<int>(file.tensors.size()));
        for (int i = 0; i < tensors.size(); ++i) {
            const GgufTensorInfo& ours = file.tensors[static_cast<size_t>(i)];
            const QJsonObject theirs = tensors[i].toObject();
            QCOMPARE(theirs[QStringLiteral("name")].toString(), ours.name);
            QCOMPARE(theirs[QStringLiteral("dtype")].toInt(), static_cast<int>(ours.type));
        }
    }

    // For each prompt, llama.cpp tokenizes to the ids the studio's tokenizer gives and generates greedily the
    // same 32 tokens as `ftstudio-cli generate --greedy` (compared as text), or at least some text. `exact`:
    // llama.cpp with an F32 KV cache and no flash attention (llamacpp_exact.mjs), else with its defaults.
    void greedyTextAgrees(const QString& oracle, const QString& path, const QString& model, bool sameText,
                          bool exact = false)
    {
        QString error;
        const auto tokenizer = Tokenizer::fromModelFolder(model);
        for (const QString& prompt : prompts()) {
            const QJsonObject llama =
                exact ? test::runGgufOracle(oracle, QStringLiteral(FT_GGUF_TEST_DIR "/llamacpp_exact.mjs"),
                                            {oracle, path, prompt, QStringLiteral("32")}, &error)
                      : test::runGgufOracle(oracle, QStringLiteral("llamacpp-generate.mjs"),
                                            {path, prompt, QStringLiteral("32")}, &error);
            QVERIFY2(!llama.isEmpty(), qPrintable(error));
            std::vector<int> theirIds;
            for (const QJsonValue& id : llama[QStringLiteral("prompt_tokens")].toArray())
                theirIds.push_back(id.toInt());
            // llama.node's tokenize() reports the text's ids without special tokens; the completion itself adds
            // BOS as tokenizer.ggml.add_bos_token says (checked above), as the studio's generation does.
            const std::vector<TokenId> ids = tokenizer->encode(prompt);
            const std::vector<int> ourIds(ids.begin(), ids.end());
            QCOMPARE(theirIds, ourIds);

            const ProcessResult studio = runCli({QStringLiteral("generate"), model, QStringLiteral("--prompt"), prompt,
                                                 QStringLiteral("--greedy"), QStringLiteral("--max-tokens"),
                                                 QStringLiteral("32"), QStringLiteral("--json")});
            QVERIFY2(studio.exitCode == 0, studio.err.constData());
            const QJsonObject ours = QJsonDocument::fromJson(studio.out).object();
            const QString theirText = llama[QStringLiteral("text")].toString();
            if (sameText)
                QCOMPARE(theirText, ours[QStringLiteral("text")].toString());
            else
                QVERIFY2(!theirText.isEmpty(), qPrintable(prompt));
        }
    }

private slots:
    void initTestCase()
    {
        if (test::sharedDir().isEmpty()) {
            m_why = QStringLiteral("../shared not found");
            return;
        }
        if (test::cliPath().isEmpty() || !QFileInfo::exists(test::cliPath())) {
            m_why = QStringLiteral("ftstudio-cli not found ($FT_CLI)");
            return;
        }
        const QString folder = m_dir.filePath(QStringLiteral("stories260K"));
        const ProcessResult converted =
            runCli({QStringLiteral("convert"), test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin")),
                    folder});
        if (converted.exitCode != 0) {
            m_why = QStringLiteral("ftstudio-cli convert failed: %1").arg(QString::fromUtf8(converted.err));
            return;
        }
        m_model = folder;
        const QString small = m_dir.filePath(QStringLiteral("small"));
        if (runCli({QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"), QStringLiteral("small"),
                    small})
                .exitCode == 0)
            m_small = small;
    }

    void exportAgreesWithLlamaCpp_data()
    {
        QTest::addColumn<bool>("small"); // the small preset instead of stories260K
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("sameText"); // greedy text equal to the studio's fp32 generation
        QTest::newRow("stories260K f32") << false << QStringLiteral("F32") << true;
        QTest::newRow("stories260K f16") << false << QStringLiteral("F16") << true;
        QTest::newRow("stories260K q8_0") << false << QStringLiteral("Q8_0") << true;
        QTest::newRow("stories260K bf16") << false << QStringLiteral("BF16") << true;
        // 4 bits: the text drifts from the fp32 one after about a dozen tokens.
        QTest::newRow("stories260K q4_0") << false << QStringLiteral("Q4_0") << false;
        // Rows of 64 fit no k-quant block: every tensor falls back to Q8_0 (or F16), so the text stays.
        QTest::newRow("stories260K q4_k_m") << false << QStringLiteral("Q4_K_M") << true;
        // A random model (the small preset) has nearly flat logits: only full precision is compared exactly;
        // Q4_K_M shows that llama.cpp loads and runs our Q4_K and Q6_K tensors.
        QTest::newRow("small f32") << true << QStringLiteral("F32") << true;
        QTest::newRow("small q4_k_m") << true << QStringLiteral("Q4_K_M") << false;
    }

    void exportAgreesWithLlamaCpp()
    {
        QFETCH(bool, small);
        QFETCH(QString, type);
        QFETCH(bool, sameText);
        FT_REQUIRE_SHARED();
        if (m_model.isEmpty()) {
            if (test::sharedRequired())
                QFAIL(qPrintable(m_why));
            QSKIP(qPrintable(m_why));
        }
        if (small && m_small.isEmpty())
            QFAIL("ftstudio-cli model new --preset small failed");
        FT_REQUIRE_GGUF_ORACLE(oracle);
        const QString model = small ? m_small : m_model;

        const QString path = m_dir.filePath(QStringLiteral("%1-%2.gguf").arg(small ? "small" : "stories260K", type));
        GgufExportOptions options;
        options.fileType = *ggufFileTypeFromName(type);
        const GgufExportResult result = exportGguf(model, path, options);
        QVERIFY(!result.cancelled);
        QCOMPARE(result.architecture, QStringLiteral("llama"));
        QCOMPARE(static_cast<uint64_t>(QFileInfo(path).size()), result.bytes);

        QJsonObject metadata;
        readersAgree(oracle, path, &metadata);
        if (QTest::currentTestFailed())
            return;
        const GgufFileInfo file = readGgufFile(path);
        QCOMPARE(metadata[QStringLiteral("general.architecture")].toString(), QStringLiteral("llama"));
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.model")].toString(), QStringLiteral("llama"));
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.tokens")].toArray().size(), small ? 2048 : 512);
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.bos_token_id")].toInt(), 1);
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.eos_token_id")].toInt(), 2);
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.add_bos_token")].toBool(), true);
        const auto tokenizer = Tokenizer::fromModelFolder(model);
        QVERIFY(tokenizer->addsBos());
        QVERIFY(file.findTensor(QStringLiteral("blk.3.ffn_down.weight")));
        if (small && type == QLatin1String("Q4_K_M")) {
            QCOMPARE(file.findTensor(QStringLiteral("blk.0.attn_q.weight"))->type, GgmlType::Q4_K);
            QCOMPARE(file.findTensor(QStringLiteral("blk.0.attn_v.weight"))->type, GgmlType::Q6_K);
            QCOMPARE(file.findTensor(QStringLiteral("token_embd.weight"))->type, GgmlType::Q6_K);
        }
        QVERIFY(!file.findTensor(QStringLiteral("output.weight"))); // tied embeddings

        greedyTextAgrees(oracle, path, model, sameText);
    }

    // The models people fine-tune now, at a tiny size with their real tokenizers (byte-level BPE): Qwen3 (q/k
    // norms, no Q/K permutation, explicit head_dim), Qwen2 (q/k/v biases, drawn non-zero by the starter) and
    // Llama 3 (the "llama3" rope bands as rope_freqs.weight).
    // Weights drawn with std 0.3 give peaked logits, so 32 greedy tokens test the whole forward pass (without
    // the rope scaling, Llama 3's text departs after 17 tokens). llama.cpp runs at full precision here: with
    // its default F16 KV cache and flash attention, a third of these texts depart from the fp32 ones (and
    // all agree without them), which says F16 attention, not the export, made the difference.
    void bpeModelsAgreeWithLlamaCpp_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("type");
        QTest::newRow("qwen3-tiny f32") << QStringLiteral("qwen3-tiny") << QStringLiteral("F32");
        QTest::newRow("qwen3-tiny f16") << QStringLiteral("qwen3-tiny") << QStringLiteral("F16");
        QTest::newRow("qwen2-tiny f32") << QStringLiteral("qwen2-tiny") << QStringLiteral("F32");
        QTest::newRow("llama3-tiny f32") << QStringLiteral("llama3-tiny") << QStringLiteral("F32");
    }

    void bpeModelsAgreeWithLlamaCpp()
    {
        QFETCH(QString, preset);
        QFETCH(QString, type);
        FT_REQUIRE_SHARED();
        if (m_model.isEmpty()) {
            if (test::sharedRequired())
                QFAIL(qPrintable(m_why));
            QSKIP(qPrintable(m_why));
        }
        FT_REQUIRE_GGUF_ORACLE(oracle);
        const bool qwen3 = preset == QLatin1String("qwen3-tiny");
        const bool qwen = preset.startsWith(QLatin1String("qwen")); // Qwen2 and Qwen3: the Qwen vocabulary
        const QString model = m_dir.filePath(preset);
        if (!QFileInfo::exists(model)) {
            const QString tokenizer =
                test::sharedPath(QStringLiteral("fixtures/tokenizers/%1").arg(qwen ? "qwen3" : "llama3"));
            const ProcessResult created = runCli(
                {QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"), preset,
                 QStringLiteral("--tokenizer"), tokenizer, QStringLiteral("--init-std"), QStringLiteral("0.3"), model});
            QVERIFY2(created.exitCode == 0, created.err.constData());
        }

        const QString path = m_dir.filePath(QStringLiteral("%1-%2.gguf").arg(preset, type));
        GgufExportOptions options;
        options.fileType = *ggufFileTypeFromName(type);
        const GgufExportResult result = exportGguf(model, path, options);
        QCOMPARE(result.architecture, qwen3  ? QStringLiteral("qwen3")
                                      : qwen ? QStringLiteral("qwen2")
                                             : QStringLiteral("llama"));

        QJsonObject metadata;
        readersAgree(oracle, path, &metadata);
        if (QTest::currentTestFailed())
            return;
        const auto tokenizer = Tokenizer::fromModelFolder(model);
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.model")].toString(), QStringLiteral("gpt2"));
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.pre")].toString(),
                 qwen ? QStringLiteral("qwen2") : QStringLiteral("llama-bpe"));
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.tokens")].toArray().size(), tokenizer->vocabSize());
        QVERIFY(metadata[QStringLiteral("tokenizer.ggml.merges")].toArray().size() > 100000);
        QCOMPARE(metadata[QStringLiteral("tokenizer.ggml.eos_token_id")].toInt(), tokenizer->eosId());
        const GgufFileInfo file = readGgufFile(path);
        QCOMPARE(file.findTensor(QStringLiteral("blk.0.attn_q_norm.weight")) != nullptr, qwen3);
        QCOMPARE(file.findTensor(QStringLiteral("rope_freqs.weight")) != nullptr, !qwen);
        QCOMPARE(file.findTensor(QStringLiteral("blk.0.attn_q.bias")) != nullptr, qwen && !qwen3); // Qwen2's biases
        greedyTextAgrees(oracle, path, model, true, /*exact=*/true);
    }

    // A LoRA run's checkpoint other than the final one is rebuilt, its adapters merged on the way: exported
    // from its latest checkpoint, it reads in llama.cpp as the trainer's own merged export does, and both
    // generate what the studio generates from that export.
    void exportsALoraRunsCheckpointMerged()
    {
        FT_REQUIRE_SHARED();
        if (m_model.isEmpty())
            QSKIP(qPrintable(m_why));
        FT_REQUIRE_GGUF_ORACLE(oracle);
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("lora-run"));
        const ProcessResult trained = runCli({QStringLiteral("train"),
                                              QStringLiteral("--model"),
                                              m_model,
                                              QStringLiteral("--train"),
                                              QStringLiteral(FT_SOURCE_DIR "/resources/sample/sample_dataset.jsonl"),
                                              QStringLiteral("--mode"),
                                              QStringLiteral("instruction"),
                                              QStringLiteral("--steps"),
                                              QStringLiteral("4"),
                                              QStringLiteral("--lr"),
                                              QStringLiteral("0.01"),
                                              QStringLiteral("--max-length"),
                                              QStringLiteral("160"),
                                              QStringLiteral("--set"),
                                              QStringLiteral("sample_prompts=0"),
                                              QStringLiteral("--set"),
                                              QStringLiteral("save_every=2"),
                                              QStringLiteral("--threads"),
                                              QStringLiteral("1"),
                                              QStringLiteral("--run"),
                                              run});
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        QStringList files;
        for (const char* checkpoint : {"latest", "final"}) {
            const QString out = dir.filePath(QStringLiteral("%1.gguf").arg(QLatin1String(checkpoint)));
            const ProcessResult exported =
                runCli({QStringLiteral("export"), run, QStringLiteral("--checkpoint"), QLatin1String(checkpoint),
                        QStringLiteral("--gguf"), out, QStringLiteral("--type"), QStringLiteral("f32"),
                        QStringLiteral("--no-modelfile")});
            QVERIFY2(exported.exitCode == 0, exported.err.constData());
            QVERIFY2(exported.out.contains(QByteArray("checkpoint ") + checkpoint), exported.out.constData());
            files << out;
        }
        const QString exportedModel = QDir(run).filePath(QStringLiteral("export/model"));
        for (const QString& prompt : prompts()) {
            QString error;
            QStringList texts;
            for (const QString& file : files) {
                const QJsonObject llama =
                    test::runGgufOracle(oracle, QStringLiteral(FT_GGUF_TEST_DIR "/llamacpp_exact.mjs"),
                                        {oracle, file, prompt, QStringLiteral("24")}, &error);
                QVERIFY2(!llama.isEmpty(), qPrintable(error));
                texts << llama[QStringLiteral("text")].toString();
            }
            QCOMPARE(texts[0], texts[1]); // merged here == merged by the trainer
            const ProcessResult studio = runCli({QStringLiteral("generate"), exportedModel, QStringLiteral("--prompt"),
                                                 prompt, QStringLiteral("--greedy"), QStringLiteral("--max-tokens"),
                                                 QStringLiteral("24"), QStringLiteral("--json")});
            QVERIFY2(studio.exitCode == 0, studio.err.constData());
            QCOMPARE(texts[0], QJsonDocument::fromJson(studio.out).object()[QStringLiteral("text")].toString());
        }
    }

    // `ftstudio-cli export` end to end: a llama2.c .bin (converted on the way) and a model folder, the Modelfile
    // beside the file, --json, and a usage error for an unknown type.
    void cliExportWritesGgufAndModelfile()
    {
        FT_REQUIRE_SHARED();
        if (m_model.isEmpty())
            QSKIP(qPrintable(m_why));
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("stories.gguf"));
        const ProcessResult exported =
            runCli({QStringLiteral("export"), m_model, QStringLiteral("--gguf"), out, QStringLiteral("--type"),
                    QStringLiteral("q8_0"), QStringLiteral("--json")});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(exported.out).object();
        QCOMPARE(summary[QStringLiteral("type")].toString(), QStringLiteral("Q8_0"));
        QCOMPARE(summary[QStringLiteral("bytes")].toDouble(), static_cast<double>(QFileInfo(out).size()));
        QVERIFY(!summary[QStringLiteral("fallbacks")].toArray().isEmpty()); // ffn_down: rows of 172
        const GgufFileInfo file = readGgufFile(out);
        QCOMPARE(file.findTensor(QStringLiteral("blk.0.attn_q.weight"))->type, GgmlType::Q8_0);
        QCOMPARE(file.findTensor(QStringLiteral("blk.0.ffn_down.weight"))->type, GgmlType::F16);

        QFile modelfile(dir.filePath(QStringLiteral("Modelfile")));
        QVERIFY(modelfile.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(modelfile.readAll());
        QVERIFY2(text.contains(QStringLiteral("\nFROM ./stories.gguf\n")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("PARAMETER stop \"</s>\"")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("TEMPLATE \"\"\"")), qPrintable(text));

        // From the llama2.c checkpoint directly, with a run's kind of template.
        const QString fromBin = dir.filePath(QStringLiteral("bin.gguf"));
        const ProcessResult bin =
            runCli({QStringLiteral("export"), test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin")),
                    QStringLiteral("--gguf"), fromBin, QStringLiteral("--type"), QStringLiteral("f32"),
                    QStringLiteral("--template"), QStringLiteral("chatml"), QStringLiteral("--no-modelfile")});
        QVERIFY2(bin.exitCode == 0, bin.err.constData());
        const GgufFileInfo binFile = readGgufFile(fromBin);
        QVERIFY(binFile.metadata.find(QByteArrayLiteral("tokenizer.chat_template"))
                    ->toString()
                    .contains(QStringLiteral("<|im_start|>")));
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(),
                 3); // stories.gguf, Modelfile, bin.gguf: the temporary model folder is gone

        const ProcessResult bad =
            runCli({QStringLiteral("export"), m_model, QStringLiteral("--gguf"), dir.filePath(QStringLiteral("x.gguf")),
                    QStringLiteral("--type"), QStringLiteral("q3")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("q8_0"), bad.err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.gguf"))));
    }

    void exportRefusesAFolderWithoutWeightsAndLeavesNoFile()
    {
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,
            "intermediate_size":128,"num_hidden_layers":1,"num_attention_heads":2,"vocab_size":32})");
        config.close();
        const QString out = dir.filePath(QStringLiteral("out.gguf"));
        try {
            exportGguf(dir.path(), out, {});
            QFAIL("a folder without weights was exported");
        } catch (const Error& e) {
            QVERIFY2(e.message().contains(QStringLiteral("model.safetensors")), qPrintable(e.message()));
        }
        QVERIFY(!QFile::exists(out));
    }

    void cancelledExportLeavesNoFile()
    {
        FT_REQUIRE_SHARED();
        if (m_model.isEmpty())
            QSKIP(qPrintable(m_why));
        const QString out = m_dir.filePath(QStringLiteral("cancelled.gguf"));
        GgufExportOptions options;
        int calls = 0;
        options.progress = [&](int64_t, int64_t) { return ++calls < 5; };
        const GgufExportResult result = exportGguf(m_model, out, options);
        QVERIFY(result.cancelled);
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestGgufExport)
#include "tst_gguf_export.moc"
