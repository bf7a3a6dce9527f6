#include "gguf/gguf_modelfile.h"

#include <QSaveFile>

#include "common/error.h"

namespace ft {

namespace {

// A Modelfile argument: """triple-quoted""" for multi-line text (Ollama's syntax; the text may not itself hold
// three quotes), a double-quoted string otherwise.
QString quoted(const QString& text, bool multiline)
{
    if (multiline && !text.contains(QLatin1String("\"\"\"")))
        return QStringLiteral("\"\"\"") + text + QStringLiteral("\"\"\"");
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""))
        .replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

} // namespace

QString OllamaModelfile::text() const
{
    QString out;
    out += QStringLiteral("# Written by FineTune Studio with the GGUF export. Use: ollama create NAME -f Modelfile\n");
    out += QStringLiteral("FROM ") + from + QLatin1Char('\n');
    out += QStringLiteral("TEMPLATE ") + quoted(templateText, true) + QLatin1Char('\n');
    if (!system.isEmpty())
        out += QStringLiteral("SYSTEM ") + quoted(system, true) + QLatin1Char('\n');
    for (const QString& stop : stops)
        out += QStringLiteral("PARAMETER stop ") + quoted(stop, false) + QLatin1Char('\n');
    for (const auto& [name, value] : parameters)
        out += QStringLiteral("PARAMETER ") + name + QLatin1Char(' ') + value + QLatin1Char('\n');
    return out;
}

QString ollamaTemplateForJinja(const QString& jinja)
{
    if (jinja.contains(QLatin1String("<|im_start|>")))
        return QStringLiteral("{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
                              "{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}"
                              "<|im_start|>assistant\n{{ .Response }}<|im_end|>\n");
    if (jinja.contains(QLatin1String("<|start_header_id|>")))
        return QStringLiteral("{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
                              "{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>\n\n{{ .Prompt }}<|eot_id|>{{ end }}"
                              "<|start_header_id|>assistant<|end_header_id|>\n\n{{ .Response }}<|eot_id|>");
    if (jinja.contains(QLatin1String("<|user|>")) && jinja.contains(QLatin1String("<|assistant|>")))
        return QStringLiteral("{{ if .System }}<|system|>\n{{ .System }}</s>\n{{ end }}"
                              "{{ if .Prompt }}<|user|>\n{{ .Prompt }}</s>\n{{ end }}<|assistant|>\n{{ .Response }}</s>\n");
    return {};
}

QString ollamaPlainTemplate() { return QStringLiteral("{{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}{{ .Response }}"); }

void writeOllamaModelfile(const QString& path, const OllamaModelfile& modelfile)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write the Modelfile: %2").arg(path, file.errorString()));
    const QByteArray bytes = modelfile.text().toUtf8();
    if (file.write(bytes) != bytes.size() || !file.commit())
        throw Error(QStringLiteral("%1: cannot write the Modelfile: %2").arg(path, file.errorString()));
}

} // namespace ft
