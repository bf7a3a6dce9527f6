// ftstudio-cli generate MODEL --prompt TEXT: text from a model, streamed as it is produced. MODEL may be a
// run folder (its exported model or any checkpoint, formatted with the run's template by default), and a
// whole conversation (--conversation) may be given instead of one prompt: the Playground's chat.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "chat/model_prompt_template.h"
#include "cli_common.h"
#include "common/error.h"
#include "common/json_file.h"
#include "data/example_encoder.h"
#include "engine/eval_model.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/peft_adapter.h"
#include "engine/prompt_tuning.h"
#include "engine/tensor_convert.h"
#include "engine_commands.h"
#include "engine_threads.h"

namespace ft::cli {

namespace {

double numberOption(const QCommandLineParser& parser, const QString& name)
{
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok)
        throw UsageError{QStringLiteral("--%1 expects a number").arg(name)};
    return value;
}

// What is generated from: a model file or folder, or a run at one of its checkpoints.
struct GenerationSource {
    LoadedModel loaded;
    QString templateFolder; // the folder whose own chat template "model" means
    QString runTemplate;    // a run's training template; empty for models
};

GenerationSource loadSource(const QString& path, const QCommandLineParser& parser)
{
    GenerationSource source;
    if (isRunFolder(path)) {
        if (parser.isSet(QStringLiteral("adapter")))
            throw UsageError{
                QStringLiteral("--adapter is for models; %1 is a run (choose its --checkpoint)").arg(path)};
        EvalModel run = loadEvalRunModel(path, parser.value(QStringLiteral("checkpoint")));
        source.loaded = std::move(run.loaded);
        source.templateFolder = run.runConfig.model;
        source.runTemplate = run.runConfig.promptTemplate;
        return source;
    }
    if (parser.isSet(QStringLiteral("checkpoint")))
        throw UsageError{QStringLiteral("--checkpoint is for runs; %1 is a model").arg(path)};
    LoadOptions load;
    load.dtype = scalarTypeFromTorchName(parser.value(QStringLiteral("dtype")));
    load.tokenizerPath = parser.value(QStringLiteral("tokenizer"));
    source.loaded = loadModel(path, load);
    if (parser.isSet(QStringLiteral("adapter"))) {
        const QString adapter = parser.value(QStringLiteral("adapter"));
        if (isPromptTuningAdapter(adapter))
            loadPromptTuningAdapter(*source.loaded.model, adapter);
        else
            loadAdapter(*source.loaded.model, adapter);
    }
    source.templateFolder = path;
    return source;
}

// The template the prompt is formatted with; empty means raw text. Absent: a run's own template, raw text
// for a model. "auto": a run's template, else the model's own chat template when it has one, else raw.
QString chooseTemplate(const QCommandLineParser& parser, const GenerationSource& source)
{
    const QString asked = parser.value(QStringLiteral("template"));
    if (asked == QLatin1String("none"))
        return {};
    if (!parser.isSet(QStringLiteral("template")) || asked == QLatin1String("auto")) {
        if (!source.runTemplate.isEmpty())
            return source.runTemplate;
        if (asked == QLatin1String("auto") && hasModelChatTemplate(source.templateFolder))
            return PromptTemplate::modelTemplateName();
        return {};
    }
    return asked;
}

// --conversation FILE ("-": standard input): {"system"?, "turns": [{"role": "user"|"assistant", "content"},
// ...]} ending with the user turn to answer. Errors name the file and the turn at fault.
ExampleRecord readConversation(const QString& path)
{
    QFile in;
    if (path == QLatin1String("-") ? !in.open(stdin, QIODevice::ReadOnly)
                                   : (in.setFileName(path), !in.open(QIODevice::ReadOnly)))
        throw Error(QStringLiteral("%1: cannot read the conversation (%2)").arg(path, in.errorString()));
    const QString origin = path == QLatin1String("-") ? QStringLiteral("the conversation on standard input") : path;
    QJsonObject json = parseJsonObject(in.readAll(), origin);
    QJsonArray turns = json.value(QStringLiteral("turns")).toArray();
    if (turns.isEmpty() || turns.last().toObject().value(QStringLiteral("role")).toString() != QLatin1String("user"))
        throw Error(QStringLiteral("%1: \"turns\" must be a list of {role, content} ending with the user turn to "
                                   "answer")
                        .arg(origin));
    turns.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                             {QStringLiteral("content"), QString()}}); // the answer to generate
    json[QStringLiteral("turns")] = turns;
    return ExampleRecord::fromJson(json, origin, /*allowEmptyResponse=*/true);
}

} // namespace

int runGenerate(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL"),
                                 QStringLiteral("A Hugging Face model folder, a llama2.c .bin file, or a run folder."));
    parser.addOptions({
        {QStringLiteral("prompt"), QStringLiteral("The text to continue (default: empty, i.e. start from BOS)."),
         QStringLiteral("TEXT"), QString()},
        {QStringLiteral("greedy"), QStringLiteral("Always take the most likely token.")},
        {QStringLiteral("temperature"), QStringLiteral("Sampling temperature (default 0.8)."), QStringLiteral("T"),
         QStringLiteral("0.8")},
        {QStringLiteral("top-k"), QStringLiteral("Sample among the K most likely tokens (0: all)."),
         QStringLiteral("K"), QStringLiteral("0")},
        {QStringLiteral("top-p"), QStringLiteral("Nucleus sampling mass (default 0.95; 1: off)."), QStringLiteral("P"),
         QStringLiteral("0.95")},
        {QStringLiteral("max-tokens"), QStringLiteral("Most new tokens (default 256)."), QStringLiteral("N"),
         QStringLiteral("256")},
        {QStringLiteral("seed"), QStringLiteral("Random seed for sampling (default 0)."), QStringLiteral("S"),
         QStringLiteral("0")},
        {QStringLiteral("dtype"), QStringLiteral("Compute dtype: float32 (default) or bfloat16."), QStringLiteral("D"),
         QStringLiteral("float32")},
        {QStringLiteral("tokenizer"), QStringLiteral("A sentencepiece .model for a llama2.c checkpoint."),
         QStringLiteral("PATH")},
        {QStringLiteral("adapter"),
         QStringLiteral("A LoRA adapter or soft prompt folder (PEFT layout, e.g. a run's export/adapter) applied to "
                        "MODEL, its base."),
         QStringLiteral("DIR")},
        {QStringLiteral("no-stop"), QStringLiteral("Do not stop at end-of-sequence.")},
        {QStringLiteral("json"),
         QStringLiteral("Print one JSON object with the text and statistics instead of streaming.")},
        {QStringLiteral("events"),
         QStringLiteral(
             "\"jsonl\": stream {\"event\": \"token\", \"text\"} lines, then one \"finished\" line (for the studio)."),
         QStringLiteral("FORMAT")},
        {QStringLiteral("template"),
         QStringLiteral("Format --prompt as the instruction of this template (alpaca, chatml, ..., custom text, "
                        "model: the model's own chat template; auto: a run's template, else the model's own, else "
                        "none; none: raw text). Default: a run's template, raw text for a model."),
         QStringLiteral("T")},
        {QStringLiteral("checkpoint"),
         QStringLiteral("For a run folder: final (its exported model, the default), best, latest or step-N."),
         QStringLiteral("NAME"), QStringLiteral("final")},
        {QStringLiteral("conversation"),
         QStringLiteral("A conversation to answer instead of --prompt: a JSON file (\"-\": standard input) "
                        "{\"system\"?, \"turns\": [{\"role\": \"user\"|\"assistant\", \"content\"}, ...]} "
                        "ending with a user turn. Without a template the turns are one raw text, each "
                        "continuing the one before."),
         QStringLiteral("FILE")},
        {QStringLiteral("system"), QStringLiteral("System prompt for --template."), QStringLiteral("TEXT")},
        {QStringLiteral("input"), QStringLiteral("Input (context) for --template."), QStringLiteral("TEXT")},
    });
    addThreadsOption(parser);
    if (!parseArguments(parser, args, QStringLiteral("Generate text from a model with a KV cache: greedy or sampled.")))
        return 0;
    const QString modelPath = requirePositional(parser, 1, QStringLiteral("MODEL"))[0];
    const int threads = applyThreadsOption(parser);

    SamplingOptions sampling;
    sampling.greedy = parser.isSet(QStringLiteral("greedy"));
    sampling.temperature = numberOption(parser, QStringLiteral("temperature"));
    sampling.topK = static_cast<int>(numberOption(parser, QStringLiteral("top-k")));
    sampling.topP = numberOption(parser, QStringLiteral("top-p"));
    sampling.maxNewTokens = static_cast<int>(numberOption(parser, QStringLiteral("max-tokens")));
    sampling.seed = static_cast<uint64_t>(numberOption(parser, QStringLiteral("seed")));
    sampling.stopAtEos = !parser.isSet(QStringLiteral("no-stop"));
    if (sampling.maxNewTokens < 1)
        throw UsageError{QStringLiteral("--max-tokens must be at least 1")};
    if (sampling.temperature < 0 || sampling.topP <= 0 || sampling.topP > 1 || sampling.topK < 0)
        throw UsageError{QStringLiteral("--temperature must be >= 0, --top-p in (0, 1], --top-k >= 0")};

    // Usage errors before the model loads (a run's checkpoint can take a while).
    const QString prompt = parser.value(QStringLiteral("prompt"));
    const bool conversation = parser.isSet(QStringLiteral("conversation"));
    if (conversation && (parser.isSet(QStringLiteral("prompt")) || parser.isSet(QStringLiteral("input"))))
        throw UsageError{QStringLiteral("give either --prompt (and --input) or --conversation")};
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool events = parser.value(QStringLiteral("events")) == QLatin1String("jsonl");
    if (parser.isSet(QStringLiteral("events")) && !events)
        throw UsageError{QStringLiteral("--events accepts only \"jsonl\"")};
    const ExampleRecord asked =
        conversation ? readConversation(parser.value(QStringLiteral("conversation"))) : ExampleRecord();

    GenerationSource source = loadSource(modelPath, parser);
    for (const QString& warning : source.loaded.warnings)
        err() << "warning: " << warning << "\n";
    LoadedModel& loaded = source.loaded;

    const QString templateName = chooseTemplate(parser, source);
    std::vector<TokenId> promptIds;
    if (!templateName.isEmpty()) {
        // The prompt as the studio formats training examples, so a tuned model sees what it learned.
        ExampleRecord record = asked;
        if (!conversation) {
            record.instruction = prompt;
            record.input = parser.value(QStringLiteral("input"));
        }
        if (parser.isSet(QStringLiteral("system")))
            record.system = parser.value(QStringLiteral("system"));
        promptIds = encodePrompt(*loaded.tokenizer, resolvePromptTemplate(templateName, source.templateFolder), record);
    } else if (conversation) {
        // Raw text: the turns are one text, each continuing the one before, as the model saw them when it
        // continued each message (no system prompt: it belongs to a template).
        QString text;
        for (const ChatTurn& turn : asked.turns)
            text += turn.content;
        promptIds = promptWithBos(*loaded.tokenizer, text);
    } else {
        promptIds = promptWithBos(*loaded.tokenizer, prompt);
    }
    const bool echoPrompt = !json && !events && !conversation && templateName.isEmpty();
    if (echoPrompt) {
        out() << prompt;
        out().flush();
    }
    auto eventLine = [](const QJsonObject& object) {
        out() << QJsonDocument(object).toJson(QJsonDocument::Compact) << '\n';
        out().flush();
    };
    const GenerationResult result =
        generate(*loaded.model, *loaded.tokenizer, promptIds, sampling, [&](TokenId, const QString& text) {
            if (events && !text.isEmpty())
                eventLine({{QStringLiteral("event"), QStringLiteral("token")}, {QStringLiteral("text"), text}});
            else if (!json && !events) {
                out() << text;
                out().flush();
            }
            return true;
        });
    if (events) {
        eventLine({{QStringLiteral("event"), QStringLiteral("finished")},
                   {QStringLiteral("text"), result.text},
                   {QStringLiteral("prompt_tokens"), static_cast<qint64>(promptIds.size())},
                   {QStringLiteral("template"), templateName.isEmpty() ? QStringLiteral("none") : templateName},
                   {QStringLiteral("new_tokens"), static_cast<qint64>(result.tokens.size())},
                   {QStringLiteral("stop_reason"), stopReasonName(result.stopReason)},
                   {QStringLiteral("tokens_per_second"), result.tokensPerSecond()}});
    } else if (json) {
        printJson({{QStringLiteral("prompt"), prompt},
                   {QStringLiteral("text"), result.text},
                   {QStringLiteral("prompt_tokens"), static_cast<qint64>(promptIds.size())},
                   {QStringLiteral("template"), templateName.isEmpty() ? QStringLiteral("none") : templateName},
                   {QStringLiteral("new_tokens"), static_cast<qint64>(result.tokens.size())},
                   {QStringLiteral("stop_reason"), stopReasonName(result.stopReason)},
                   {QStringLiteral("seconds"), result.seconds},
                   {QStringLiteral("tokens_per_second"), result.tokensPerSecond()},
                   {QStringLiteral("threads"), threads}});
    } else {
        out() << "\n";
        out().flush();
        err() << QStringLiteral("[%1 tokens in %2 s, %3 tokens/s, stopped: %4]\n")
                     .arg(result.tokens.size())
                     .arg(result.seconds, 0, 'f', 2)
                     .arg(result.tokensPerSecond(), 0, 'f', 1)
                     .arg(stopReasonName(result.stopReason));
    }
    return 0;
}

} // namespace ft::cli
