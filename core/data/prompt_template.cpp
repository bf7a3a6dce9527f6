#include "data/prompt_template.h"

#include <QFileInfo>

#include <map>

#include "common/error.h"
#include "data/prompt_format.h"

namespace ft {

namespace {

const QStringList kAllPlaceholders{QStringLiteral("system"),   QStringLiteral("instruction"), QStringLiteral("input"),
                                   QStringLiteral("response"), QStringLiteral("bos"),         QStringLiteral("eos")};

using Values = std::map<QString, QString>;

void collectPlaceholders(const std::vector<PromptFormatPiece>& pieces, QStringList& names)
{
    for (const PromptFormatPiece& piece : pieces) {
        if (piece.kind == PromptFormatPiece::Kind::Placeholder)
            names << piece.text;
        collectPlaceholders(piece.children, names);
    }
}

bool allPlaceholdersEmpty(const std::vector<PromptFormatPiece>& pieces, const Values& values)
{
    for (const PromptFormatPiece& piece : pieces) {
        if (piece.kind == PromptFormatPiece::Kind::Placeholder && piece.text != QLatin1String("bos") &&
            piece.text != QLatin1String("eos") && !values.at(piece.text).isEmpty())
            return false;
        if (piece.kind == PromptFormatPiece::Kind::Optional && !allPlaceholdersEmpty(piece.children, values))
            return false;
    }
    return true;
}

// Appends the expansion of `pieces`; text lands in segments of `kind`, {bos}/{eos} in their own.
void expand(const std::vector<PromptFormatPiece>& pieces, const Values& values, TemplateSegment::Kind kind,
            std::vector<TemplateSegment>& out)
{
    auto appendText = [&](const QString& text) {
        if (text.isEmpty())
            return;
        if (!out.empty() && out.back().kind == kind)
            out.back().text += text;
        else
            out.push_back({kind, text});
    };
    for (const PromptFormatPiece& piece : pieces) {
        switch (piece.kind) {
        case PromptFormatPiece::Kind::Text:
            appendText(piece.text);
            break;
        case PromptFormatPiece::Kind::Placeholder:
            if (piece.text == QLatin1String("bos"))
                out.push_back({TemplateSegment::Kind::Bos, {}});
            else if (piece.text == QLatin1String("eos"))
                out.push_back({TemplateSegment::Kind::Eos, {}});
            else
                appendText(values.at(piece.text));
            break;
        case PromptFormatPiece::Kind::Optional:
            if (!allPlaceholdersEmpty(piece.children, values))
                expand(piece.children, values, kind, out);
            break;
        }
    }
}

void expandFormat(const QString& format, const QString& templateName, const Values& values, TemplateSegment::Kind kind,
                  std::vector<TemplateSegment>& out)
{
    expand(parsePromptFormat(format, templateName), values, kind, out);
}

} // namespace

void validateTemplateFormat(const QString& format, const QString& templateName, const QStringList& allowed)
{
    QStringList names;
    collectPlaceholders(parsePromptFormat(format, templateName), names);
    for (const QString& name : names)
        if (!allowed.contains(name))
            throw Error(QStringLiteral("template %1: unknown placeholder {%2} (allowed: %3)")
                            .arg(templateName, name,
                                 QStringLiteral("{") + allowed.join(QStringLiteral("}, {")) + QStringLiteral("}")));
}

QStringList PromptTemplate::builtinNames()
{
    return {QStringLiteral("alpaca"), QStringLiteral("chatml"), QStringLiteral("llama2-chat"), QStringLiteral("zephyr"),
            QStringLiteral("plain")};
}

PromptTemplate PromptTemplate::builtin(const QString& name)
{
    PromptTemplate t;
    t.name = name;
    if (name == QLatin1String("alpaca")) {
        // The Stanford Alpaca prompts, with and without an input.
        t.prompt = QStringLiteral(
            "[[{system}\n\n]]Below is an instruction that describes a task. Write a response that "
            "appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n");
        t.promptWithInput =
            QStringLiteral("[[{system}\n\n]]Below is an instruction that describes a task, paired with an input "
                           "that provides further context. Write a response that appropriately completes "
                           "the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n");
        t.followUp = QStringLiteral("### Instruction:\n{instruction}\n\n[[### Input:\n{input}\n\n]]### Response:\n");
        t.response = QStringLiteral("{response}");
        t.separator = QStringLiteral("\n\n");
    } else if (name == QLatin1String("chatml")) {
        t.prompt =
            QStringLiteral("[[<|im_start|>system\n{system}<|im_end|>\n]]<|im_start|>user\n{instruction}[[\n\n{input}]]"
                           "<|im_end|>\n<|im_start|>assistant\n");
        t.followUp =
            QStringLiteral("<|im_start|>user\n{instruction}[[\n\n{input}]]<|im_end|>\n<|im_start|>assistant\n");
        t.response = QStringLiteral("{response}<|im_end|>");
        t.separator = QStringLiteral("\n");
    } else if (name == QLatin1String("llama2-chat")) {
        t.prompt = QStringLiteral("[INST] [[<<SYS>>\n{system}\n<</SYS>>\n\n]]{instruction}[[\n\n{input}]] [/INST] ");
        t.followUp = QStringLiteral("{bos}[INST] {instruction}[[\n\n{input}]] [/INST] ");
        t.response = QStringLiteral("{response}");
    } else if (name == QLatin1String("zephyr")) {
        t.prompt = QStringLiteral(
            "[[<|system|>\n{system}{eos}\n]]<|user|>\n{instruction}[[\n\n{input}]]{eos}\n<|assistant|>\n");
        t.followUp = QStringLiteral("<|user|>\n{instruction}[[\n\n{input}]]{eos}\n<|assistant|>\n");
        t.response = QStringLiteral("{response}");
        t.separator = QStringLiteral("\n");
    } else if (name == QLatin1String("plain")) {
        // No markup: continued pre-training on text (records with only a response), or simple pairs.
        t.prompt = QStringLiteral("[[{system}\n\n]][[{instruction}\n]][[{input}\n]]");
        t.followUp = QStringLiteral("[[{instruction}\n]][[{input}\n]]");
        t.response = QStringLiteral("{response}");
        t.separator = QStringLiteral("\n");
    } else {
        throw Error(
            QStringLiteral("unknown template \"%1\" (built-in: %2; or give a custom template containing {response})")
                .arg(name, builtinNames().join(QStringLiteral(", "))));
    }
    return t;
}

PromptTemplate PromptTemplate::custom(const QString& text, const QString& name)
{
    validateTemplateFormat(text, name, kAllPlaceholders);
    const int first = text.indexOf(QLatin1String("{response}"));
    if (first < 0)
        throw Error(
            QStringLiteral("template %1: no {response} placeholder (it marks where the answer goes)").arg(name));
    if (text.indexOf(QLatin1String("{response}"), first + 1) >= 0)
        throw Error(QStringLiteral("template %1: {response} appears more than once").arg(name));
    PromptTemplate t;
    t.name = name;
    t.prompt = text.left(first);
    t.response = text.mid(first);
    // The prompt part must stand on its own: its [[ ]] groups may not straddle {response}.
    validateTemplateFormat(t.prompt, name,
                           {QStringLiteral("system"), QStringLiteral("instruction"), QStringLiteral("input"),
                            QStringLiteral("bos"), QStringLiteral("eos")});
    validateTemplateFormat(t.response, name, {QStringLiteral("response"), QStringLiteral("eos")});
    t.followUp = t.prompt;
    return t;
}

PromptTemplate PromptTemplate::resolve(const QString& nameOrText)
{
    if (nameOrText == modelTemplateName())
        throw Error(QStringLiteral("the prompt template \"model\" is the model folder's own chat template: it is "
                                   "read with the model (resolvePromptTemplate)"));
    if (builtinNames().contains(nameOrText))
        return builtin(nameOrText);
    if (nameOrText.contains(QLatin1String("{response}")))
        return custom(nameOrText);
    return builtin(nameOrText); // throws, listing the built-in names
}

void PromptTemplate::validateName(const QString& nameOrText)
{
    if (isChatTemplateFile(nameOrText)) {
        if (!QFileInfo(nameOrText).isFile())
            throw Error(QStringLiteral("the chat template file %1 does not exist").arg(nameOrText));
        return;
    }
    if (nameOrText != modelTemplateName())
        resolve(nameOrText);
}

std::vector<TemplateSegment> PromptTemplate::render(const ExampleRecord& record) const
{
    if (renderer)
        return renderer->render(record, true);
    return renderTurns(record, true);
}

std::vector<TemplateSegment> PromptTemplate::renderPrompt(const ExampleRecord& record) const
{
    if (renderer)
        return renderer->render(record, false);
    return renderTurns(record, false);
}

std::vector<TemplateSegment> PromptTemplate::renderTurns(const ExampleRecord& record, bool withLastAnswer) const
{
    std::vector<TemplateSegment> out;
    const QString system = record.system.isEmpty() ? defaultSystem : record.system;
    auto promptFor = [&](bool first, const QString& instruction, const QString& input) {
        const QString& format =
            !first ? followUp : (!input.isEmpty() && !promptWithInput.isEmpty() ? promptWithInput : prompt);
        expandFormat(format, name,
                     {{QStringLiteral("system"), first ? system : QString()},
                      {QStringLiteral("instruction"), instruction},
                      {QStringLiteral("input"), input},
                      {QStringLiteral("response"), QString()}},
                     TemplateSegment::Kind::Prompt, out);
    };
    auto answer = [&](const QString& text) {
        expandFormat(response, name,
                     {{QStringLiteral("system"), QString()},
                      {QStringLiteral("instruction"), QString()},
                      {QStringLiteral("input"), QString()},
                      {QStringLiteral("response"), text}},
                     TemplateSegment::Kind::Response, out);
        out.push_back({TemplateSegment::Kind::Eos, {}});
    };

    if (!record.isMultiTurn()) {
        promptFor(true, record.instruction, record.input);
        if (withLastAnswer)
            answer(record.response);
        return out;
    }
    for (size_t i = 0; i + 1 < record.turns.size(); i += 2) {
        if (i > 0 && !separator.isEmpty())
            out.push_back({TemplateSegment::Kind::Prompt, separator});
        promptFor(i == 0, record.turns[i].content, QString());
        if (withLastAnswer || i + 2 < record.turns.size())
            answer(record.turns[i + 1].content);
    }
    return out;
}

} // namespace ft
