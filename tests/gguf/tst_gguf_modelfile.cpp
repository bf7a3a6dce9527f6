// The studio's prompt templates as a Jinja chat template (tokenizer.chat_template) and as Ollama's TEMPLATE, and
// the Modelfile. The Jinja template is rendered by Hugging Face's own Jinja (render-chat.mjs, @huggingface/jinja)
// and must give exactly the text PromptTemplate::render gives for the same conversation.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "data/prompt_template.h"
#include "gguf/gguf_modelfile.h"
#include "gguf/gguf_prompt_format.h"
#include "gguf_oracle.h"

using namespace ft;

namespace {

QString studioText(const std::vector<TemplateSegment>& segments)
{
    QString text;
    for (const TemplateSegment& segment : segments) {
        if (segment.kind == TemplateSegment::Kind::Bos)
            text += QStringLiteral("<s>");
        else if (segment.kind == TemplateSegment::Kind::Eos)
            text += QStringLiteral("</s>");
        else
            text += segment.text;
    }
    return text;
}

ExampleRecord conversation(const QString& system, bool endWithAnswer)
{
    ExampleRecord record;
    record.system = system;
    record.turns = {{ChatTurn::Role::User, QStringLiteral("Hi there")},
                    {ChatTurn::Role::Assistant, QStringLiteral("Hello! How can I help?")},
                    {ChatTurn::Role::User, QStringLiteral("Tell me a story.")}};
    if (endWithAnswer)
        record.turns.push_back({ChatTurn::Role::Assistant, QStringLiteral("Once upon a time...")});
    return record;
}

QJsonArray messages(const ExampleRecord& record)
{
    QJsonArray list;
    if (!record.system.isEmpty())
        list.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                {QStringLiteral("content"), record.system}});
    for (const ChatTurn& turn : record.turns)
        list.append(QJsonObject{
            {QStringLiteral("role"),
             turn.role == ChatTurn::Role::User ? QStringLiteral("user") : QStringLiteral("assistant")},
            {QStringLiteral("content"), turn.content}});
    return list;
}

} // namespace

class TestGgufModelfile : public QObject {
    Q_OBJECT

private slots:
    void ollamaTemplates()
    {
        QCOMPARE(ollamaTemplate(PromptTemplate::builtin(QStringLiteral("chatml")), QStringLiteral("<|im_end|>")),
                 QStringLiteral("{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}<|im_start|>user\n"
                                "{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n{{ .Response }}<|im_end|>"));
        QCOMPARE(ollamaTemplate(PromptTemplate::builtin(QStringLiteral("plain")), QStringLiteral("</s>")),
                 QStringLiteral("{{ if .System }}{{ .System }}\n\n{{ end }}{{ if .Prompt }}{{ .Prompt }}\n{{ end }}"
                                "{{ .Response }}"));
        // Literal braces of a custom template ("{{" is one "{") survive Go's template syntax, which reads "{{".
        QCOMPARE(ollamaTemplate(PromptTemplate::custom(QStringLiteral("Q{{x}}: {instruction}\nA: {response}{eos}")),
                                QStringLiteral("</s>")),
                 QStringLiteral("Q{x}: {{ .Prompt }}\nA: {{ .Response }}</s>"));
        QCOMPARE(ollamaTemplate(PromptTemplate::custom(QStringLiteral("{{{{{instruction}}}}} {response}")), {}),
                 QStringLiteral("{{ \"{{\" }}{{ .Prompt }}{{ \"}}\" }} {{ .Response }}"));
    }

    void modelfileText()
    {
        OllamaModelfile modelfile;
        modelfile.from = QStringLiteral("./model.gguf");
        modelfile.templateText = QStringLiteral("{{ .Prompt }}\n");
        modelfile.stops = {QStringLiteral("</s>"), QStringLiteral("say \"stop\"")};
        modelfile.parameters = {{QStringLiteral("temperature"), QStringLiteral("0.7")}};
        QCOMPARE(modelfile.text(),
                 QStringLiteral("# Written by FineTune Studio with the GGUF export. Use: ollama create NAME -f Modelfile\n"
                                "FROM ./model.gguf\nTEMPLATE \"\"\"{{ .Prompt }}\n\"\"\"\n"
                                "PARAMETER stop \"</s>\"\nPARAMETER stop \"say \\\"stop\\\"\"\n"
                                "PARAMETER temperature 0.7\n"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("Modelfile"));
        writeOllamaModelfile(path, modelfile);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), modelfile.text());
        QVERIFY(ollamaTemplateForJinja(QStringLiteral("{% for m in messages %}<|im_start|>...")).contains(
            QStringLiteral("<|im_start|>assistant")));
        QVERIFY(ollamaTemplateForJinja(QStringLiteral("{{ messages }}")).isEmpty());
    }

    void jinjaRendersAsTheStudio_data()
    {
        QTest::addColumn<QString>("format");
        for (const QString& name : PromptTemplate::builtinNames())
            QTest::newRow(qPrintable(name)) << name;
        QTest::newRow("custom") << QStringLiteral("[[<sys>{system}</sys>]]User's: {instruction}\nBot: {response}{eos}");
    }

    void jinjaRendersAsTheStudio()
    {
        QFETCH(QString, format);
        FT_REQUIRE_GGUF_ORACLE(oracle);
        if (!QFileInfo::exists(QDir(oracle).filePath(QStringLiteral("node_modules/@huggingface/jinja"))))
            QSKIP("@huggingface/jinja is not installed with the oracles");
        const PromptTemplate t = PromptTemplate::resolve(format);
        QTemporaryDir dir;
        const QString config = dir.filePath(QStringLiteral("tokenizer_config.json"));
        {
            QFile file(config);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QJsonDocument(QJsonObject{{QStringLiteral("chat_template"), jinjaChatTemplate(t)},
                                                 {QStringLiteral("bos_token"), QStringLiteral("<s>")},
                                                 {QStringLiteral("eos_token"), QStringLiteral("</s>")}})
                           .toJson());
        }
        for (const QString& system : {QString(), QStringLiteral("You are kind.")}) {
            for (bool whole : {true, false}) {
                const ExampleRecord record = conversation(system, whole);
                const QString expected = studioText(whole ? t.render(record) : t.renderPrompt(conversation(system, true)));
                QProcess process;
                QStringList args{QDir(oracle).filePath(QStringLiteral("render-chat.mjs")), config};
                if (!whole)
                    args << QStringLiteral("--generation-prompt");
                process.start(QStringLiteral("node"), args);
                process.write(QJsonDocument(messages(record)).toJson(QJsonDocument::Compact));
                process.closeWriteChannel();
                process.waitForFinished(60000);
                QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
                QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()), expected);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestGgufModelfile)
#include "tst_gguf_modelfile.moc"
