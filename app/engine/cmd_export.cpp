// ftstudio-cli export RUN_OR_MODEL --gguf OUT.gguf [--type f16]: a model folder, or a run's checkpoint (adapters
// merged first), as one GGUF file for llama.cpp, Ollama and LM Studio, with an Ollama Modelfile beside it.
//
// What gets exported:
//   - a Hugging Face model folder with safetensors: read directly, a tensor at a time (core/gguf);
//   - a llama2.c .bin (or a folder without safetensors): loaded, written as a temporary model folder, exported;
//   - a run: "final" is its export/model (adapters already merged); other checkpoints are rebuilt as they
//     trained, their adapters merged into a temporary model folder, and that is exported. The chat template is
//     the run's prompt template, translated to Jinja (tokenizer.chat_template) and to Ollama's TEMPLATE.

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include "cli_common.h"
#include "cli_workspace.h"
#include "common/error.h"
#include "common/json_file.h"
#include "data/prompt_template.h"
#include "engine/eval_model.h"
#include "engine/lora.h"
#include "engine/model_loader.h"
#include "engine/peft_adapter.h"
#include "engine_commands.h"
#include "eval_inputs.h"
#include "gguf/gguf_model_export.h"
#include "gguf/gguf_modelfile.h"
#include "gguf/gguf_prompt_format.h"
#include "worker_control.h"

namespace ft::cli {

namespace {

bool hasSafetensors(const QString& folder)
{
    const QDir dir(folder);
    return QFileInfo(folder).isDir() && QFileInfo::exists(dir.filePath(QStringLiteral("config.json"))) &&
           (QFileInfo::exists(dir.filePath(QStringLiteral("model.safetensors"))) ||
            QFileInfo::exists(dir.filePath(QStringLiteral("model.safetensors.index.json"))));
}

// What is exported: a model folder with safetensors (possibly a temporary one) and the template it speaks.
struct ExportSource {
    QString folder;
    QString description; // for the summary: "model X", "run R at checkpoint C"
    std::optional<PromptTemplate> promptTemplate;
    QString chatTemplateFile; // a .jinja chat template the run trained with, written as it is
};

// A run's or --template's choice: "model" (the folder's own, nothing to set), a .jinja file, or a prompt
// template translated to Jinja.
void chooseTemplate(ExportSource& source, const QString& name)
{
    source.promptTemplate.reset();
    source.chatTemplateFile.clear();
    if (PromptTemplate::isChatTemplateFile(name))
        source.chatTemplateFile = name;
    else if (name != PromptTemplate::modelTemplateName())
        source.promptTemplate = PromptTemplate::resolve(name);
}

// A model in memory written out as a temporary Hugging Face folder inside `scratch` (beside the output, so
// that no other disk fills up): the adapters merged when there are any.
QString writeTemporaryFolder(LoadedModel& loaded, const QString& tokenizerSource, const QTemporaryDir& scratch)
{
    const QString folder = scratch.filePath(QStringLiteral("model"));
    SaveOptions save;
    save.dtype = QStringLiteral("float32"); // the GGUF type is chosen by the export; keep full precision here
    save.tokenizerSource = tokenizerSource;
    if (hasLora(*loaded.model)) {
        for (const QString& note : exportMerged(*loaded.model, folder, save))
            err() << note << '\n';
    } else {
        saveModelFolder(*loaded.model, folder, save);
    }
    return folder;
}

ExportSource resolveSource(const QString& argument, const QString& checkpoint, const QCommandLineParser& parser,
                           const QTemporaryDir& scratch)
{
    ExportSource source;
    EvalTarget target;
    if (QFileInfo::exists(argument)) {
        target.isRun = isRunFolder(argument);
        (target.isRun ? target.runDir : target.modelPath) = QFileInfo(argument).absoluteFilePath();
    } else {
        target = resolveEvalTarget(argument, openWorkspace(parser)); // a run's id or name
    }

    if (!target.isRun) {
        if (parser.isSet(QStringLiteral("checkpoint")))
            throw UsageError{QStringLiteral("--checkpoint is for runs; %1 is a model").arg(argument)};
        source.description = QStringLiteral("model %1").arg(target.modelPath);
        if (hasSafetensors(target.modelPath)) {
            source.folder = target.modelPath;
        } else {
            LoadOptions load;
            load.requireTokenizer = true;
            LoadedModel loaded = loadModel(target.modelPath, load);
            source.folder = writeTemporaryFolder(
                loaded, QFileInfo(target.modelPath).isDir() ? target.modelPath : loaded.tokenizer->path(), scratch);
        }
        return source;
    }

    const TrainConfig config = readRunConfig(target.runDir);
    // A run on the model's own chat template exports that template (the model folder's), not a conversion.
    chooseTemplate(source, config.promptTemplate);
    const QString name = canonicalCheckpointName(checkpoint);
    source.description = QStringLiteral("run %1 at checkpoint %2").arg(target.runDir, name);
    const QString exported = QDir(target.runDir).filePath(QStringLiteral("export/model"));
    if (name == QLatin1String("final") && hasSafetensors(exported)) {
        source.folder = exported; // adapters already merged by the trainer
        return source;
    }
    if (config.trainable == QLatin1String("prompt"))
        throw Error(
            QStringLiteral("%1: a prompt-tuned run's result is a soft prompt for its base model (export/adapter, "
                           "PEFT's PROMPT_TUNING layout); GGUF has no place for one, so there is nothing to "
                           "export as GGUF")
                .arg(target.runDir));
    EvalModel model = loadEvalRunModel(target.runDir, name); // errors say which checkpoints exist
    const QString tokenizerSource = QFileInfo(config.model).isDir() ? config.model
                                    : model.loaded.tokenizer        ? model.loaded.tokenizer->path()
                                                                    : QString();
    source.folder = writeTemporaryFolder(model.loaded, tokenizerSource, scratch);
    return source;
}

GgufFileType fileTypeOption(const QCommandLineParser& parser)
{
    const QString value = parser.value(QStringLiteral("type"));
    const std::optional<GgufFileType> type = ggufFileTypeFromName(value.isEmpty() ? QStringLiteral("f16") : value);
    if (!type) {
        QStringList names;
        for (GgufFileType t : ggufFileTypes())
            names << ggufFileTypeName(t).toLower();
        throw UsageError{QStringLiteral("--type %1: expected one of %2").arg(value, names.join(QStringLiteral(", ")))};
    }
    return *type;
}

OllamaModelfile modelfileFor(const GgufExportResult& result, const ExportSource& source, const QString& modelfilePath)
{
    OllamaModelfile modelfile;
    modelfile.from = QStringLiteral("./") +
                     QFileInfo(modelfilePath).absoluteDir().relativeFilePath(QFileInfo(result.path).absoluteFilePath());
    const QString eos = result.eosToken;
    if (source.promptTemplate) {
        modelfile.templateText = ollamaTemplate(*source.promptTemplate, eos);
        modelfile.system = source.promptTemplate->defaultSystem;
    } else {
        modelfile.templateText = ollamaTemplateForJinja(result.chatTemplate);
        if (modelfile.templateText.isEmpty())
            modelfile.templateText = ollamaPlainTemplate();
    }
    modelfile.stops = result.stopTokens;
    modelfile.parameters = {{QStringLiteral("temperature"), QStringLiteral("0.7")},
                            {QStringLiteral("top_p"), QStringLiteral("0.95")},
                            {QStringLiteral("num_ctx"), QStringLiteral("2048")}};
    return modelfile;
}

int exportGgufCommand(const QCommandLineParser& parser, const QString& sourceArgument, bool events);

} // namespace

int runExport(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        QStringLiteral("RUN_OR_MODEL"),
        QStringLiteral("A run (id, name or folder) or a model (Hugging Face folder or llama2.c .bin)."));
    QStringList typeNames;
    for (GgufFileType t : ggufFileTypes())
        typeNames << ggufFileTypeName(t).toLower();
    parser.addOptions({
        {QStringLiteral("gguf"), QStringLiteral("The GGUF file to write (required)."), QStringLiteral("OUT")},
        {QStringLiteral("type"),
         QStringLiteral("Tensor type: %1 (default f16). Norms stay f32; rows that do not fit a block type fall "
                        "back to one that does.")
             .arg(typeNames.join(QStringLiteral(", "))),
         QStringLiteral("T")},
        {QStringLiteral("checkpoint"), QStringLiteral("For runs: final (default), best, latest or step-N."),
         QStringLiteral("C"), QStringLiteral("final")},
        {QStringLiteral("name"), QStringLiteral("general.name (default: the model folder's name)."),
         QStringLiteral("NAME")},
        {QStringLiteral("template"),
         QStringLiteral("A prompt template (alpaca, chatml, ... or custom text with {response}) written as the "
                        "chat template; default: the run's, or the model's own chat template."),
         QStringLiteral("T")},
        {QStringLiteral("modelfile"),
         QStringLiteral("Where the Ollama Modelfile goes (default: Modelfile beside OUT)."), QStringLiteral("PATH")},
        {QStringLiteral("no-modelfile"), QStringLiteral("Do not write an Ollama Modelfile.")},
        {QStringLiteral("estimate"), QStringLiteral("Print the file size of every type and write nothing.")},
        {QStringLiteral("events"),
         QStringLiteral("\"jsonl\": progress, then finished/cancelled/failed, one JSON object per line on stdout (for "
                        "the studio); \"stop\" on stdin or SIGTERM cancels, and nothing is written."),
         QStringLiteral("FORMAT")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Export a model or a run's checkpoint to a GGUF file for llama.cpp, Ollama "
                                       "and LM Studio, with an Ollama Modelfile beside it (see docs/gguf.md).")))
        return 0;
    const QStringList positional = requirePositional(parser, 1, QStringLiteral("RUN_OR_MODEL"));
    const QString events = parser.value(QStringLiteral("events"));
    if (!events.isEmpty() && events != QLatin1String("jsonl"))
        throw UsageError{QStringLiteral("--events: expected jsonl, not \"%1\"").arg(events)};
    if (!events.isEmpty()) {
        try {
            return exportGgufCommand(parser, positional[0], true);
        } catch (const Error& error) {
            printJsonLine(
                {{QStringLiteral("event"), QStringLiteral("failed")}, {QStringLiteral("message"), error.message()}});
            throw;
        }
    }
    return exportGgufCommand(parser, positional[0], false);
}

namespace {

int exportGgufCommand(const QCommandLineParser& parser, const QString& sourceArgument, bool events)
{
    const QString outPath = parser.value(QStringLiteral("gguf"));
    const bool estimateOnly = parser.isSet(QStringLiteral("estimate"));
    if (outPath.isEmpty() && !estimateOnly)
        throw UsageError{QStringLiteral("--gguf OUT.gguf is required")};
    const GgufFileType fileType = fileTypeOption(parser);

    // Temporary model folders (llama2.c, merged checkpoints) go beside the output and are removed at the end.
    const QString scratchParent =
        outPath.isEmpty() ? QDir::tempPath() : QFileInfo(outPath).absoluteDir().absolutePath();
    const QTemporaryDir scratch(QDir(scratchParent).filePath(QStringLiteral(".ftstudio-export-XXXXXX")));
    if (!scratch.isValid())
        throw Error(
            QStringLiteral("%1: cannot create a temporary folder: %2").arg(scratchParent, scratch.errorString()));
    ExportSource source = resolveSource(sourceArgument, parser.value(QStringLiteral("checkpoint")), parser, scratch);
    if (parser.isSet(QStringLiteral("template")))
        chooseTemplate(source, parser.value(QStringLiteral("template")));
    const QString chatTemplate = !source.chatTemplateFile.isEmpty()
                                     ? QString::fromUtf8(readFileAtMost(source.chatTemplateFile, 1024 * 1024))
                                 : source.promptTemplate ? jinjaChatTemplate(*source.promptTemplate)
                                                         : QString();

    if (estimateOnly) {
        QJsonArray rows;
        for (const GgufSizeEstimate& estimate : estimateGgufSize(source.folder, ggufFileTypes(), chatTemplate)) {
            if (!jsonRequested(parser))
                out() << ggufFileTypeName(estimate.fileType).leftJustified(8)
                      << humanBytes(static_cast<qint64>(estimate.bytes)) << '\n';
            rows.append(QJsonObject{{QStringLiteral("type"), ggufFileTypeName(estimate.fileType)},
                                    {QStringLiteral("bytes"), static_cast<double>(estimate.bytes)}});
        }
        if (jsonRequested(parser))
            printJson({{QStringLiteral("estimates"), rows}});
        return 0;
    }

    GgufExportOptions options;
    options.fileType = fileType;
    options.name = parser.value(QStringLiteral("name"));
    if (options.name.isEmpty() && source.folder.startsWith(scratch.path()))
        options.name = QFileInfo(sourceArgument).completeBaseName();
    options.chatTemplate = chatTemplate;
    static TrainerControl control; // outlives the detached control threads
    if (events) {
        startWorkerControl(control); // "stop" on stdin, SIGINT/SIGTERM: cancel
        options.progress = [lastPercent = -1](int64_t done, int64_t total) mutable {
            const int percent = total > 0 ? static_cast<int>(100 * done / total) : 0;
            if (percent != lastPercent) {
                lastPercent = percent;
                printJsonLine({{QStringLiteral("event"), QStringLiteral("progress")},
                               {QStringLiteral("done"), static_cast<double>(done)},
                               {QStringLiteral("total"), static_cast<double>(total)}});
            }
            return !control.stopRequested();
        };
    } else {
        options.progress = terminalProgress(QStringLiteral("export"));
    }
    const GgufExportResult result = exportGguf(source.folder, outPath, options);
    endProgress();
    if (result.cancelled) {
        const QString message = QStringLiteral("%1: the export was cancelled; nothing was written").arg(outPath);
        if (!events)
            throw Error(message);
        printJsonLine({{QStringLiteral("event"), QStringLiteral("cancelled")}, {QStringLiteral("message"), message}});
        return 0;
    }

    QString modelfilePath;
    if (!parser.isSet(QStringLiteral("no-modelfile"))) {
        modelfilePath = parser.value(QStringLiteral("modelfile"));
        if (modelfilePath.isEmpty())
            modelfilePath = QFileInfo(outPath).absoluteDir().filePath(QStringLiteral("Modelfile"));
        writeOllamaModelfile(modelfilePath, modelfileFor(result, source, modelfilePath));
    }

    QJsonObject types;
    for (const auto& [type, count] : result.tensorTypes)
        types[ggmlTypeName(type)] = count;
    QJsonArray fallbacks;
    for (const GgufTypeFallback& f : result.fallbacks)
        fallbacks.append(QStringLiteral("%1: %2 -> %3 (rows of %4)")
                             .arg(f.tensor, ggmlTypeName(f.wanted), ggmlTypeName(f.used))
                             .arg(f.rowLength));
    QJsonObject summary{{QStringLiteral("path"), QFileInfo(outPath).absoluteFilePath()},
                        {QStringLiteral("source"), source.description},
                        {QStringLiteral("type"), ggufFileTypeName(fileType)},
                        {QStringLiteral("architecture"), result.architecture},
                        {QStringLiteral("bytes"), static_cast<double>(result.bytes)},
                        {QStringLiteral("tensor_types"), types},
                        {QStringLiteral("fallbacks"), fallbacks},
                        {QStringLiteral("warnings"), QJsonArray::fromStringList(result.warnings)},
                        {QStringLiteral("modelfile"), modelfilePath}};
    if (events) {
        summary[QStringLiteral("event")] = QStringLiteral("finished");
        printJsonLine(summary);
        return 0;
    }
    if (jsonRequested(parser)) {
        printJson(summary);
        return 0;
    }
    out() << "wrote " << QFileInfo(outPath).absoluteFilePath() << " (" << result.architecture << ", "
          << ggufFileTypeName(fileType) << ", " << humanBytes(static_cast<qint64>(result.bytes)) << ") from "
          << source.description << '\n';
    for (const QJsonValue& f : fallbacks)
        out() << "  fallback " << f.toString() << '\n';
    for (const QString& warning : result.warnings)
        err() << "warning: " << warning << '\n';
    if (!modelfilePath.isEmpty())
        out() << "wrote " << modelfilePath << " (ollama create NAME -f " << modelfilePath << ")\n";
    return 0;
}

} // namespace

} // namespace ft::cli
