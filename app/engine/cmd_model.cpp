// ftstudio-cli model new --preset P OUT: a randomly initialised starter model.

#include <QFileInfo>

#include "cli_common.h"
#include "engine/starter_model.h"
#include "engine_commands.h"

namespace ft::cli {

namespace {

int runModelNew(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("The model folder to create."));
    parser.addOptions({
        {QStringLiteral("preset"),
         QStringLiteral("Architecture: %1 (default tiny).").arg(starterPresets().join(QStringLiteral(", "))),
         QStringLiteral("NAME"), QStringLiteral("tiny")},
        {QStringLiteral("tokenizer"),
         QStringLiteral("Use this tokenizer instead of training a sentencepiece one on the sample text: a .model, "
                        "a tokenizer.json, or a model folder with either (qwen3-tiny and qwen3-0.6b need a Qwen3 "
                        "tokenizer.json, llama3-tiny and llama3.2-1b a Llama 3 one; the vocabulary is then the "
                        "tokenizer's)."),
         QStringLiteral("PATH")},
        {QStringLiteral("text"), QStringLiteral("Train the tokenizer on this text file (one passage per line)."),
         QStringLiteral("FILE")},
        {QStringLiteral("dtype"), QStringLiteral("Stored dtype: float32 (default), bfloat16 or float16."),
         QStringLiteral("D"), QStringLiteral("float32")},
        {QStringLiteral("seed"), QStringLiteral("Seed of the random initialisation (default 1234)."),
         QStringLiteral("S"), QStringLiteral("1234")},
        {QStringLiteral("init-std"),
         QStringLiteral("Standard deviation of the random weights (default 0.02, as Hugging Face initialises)."),
         QStringLiteral("X"), QStringLiteral("0.02")},
        {QStringLiteral("force"), QStringLiteral("Replace OUT if it exists.")},
    });
    if (!parseArguments(parser, args,
                        QStringLiteral("Create a randomly initialised Llama-family model (Hugging Face "
                                       "folder) with a sentencepiece tokenizer trained on the project's "
                                       "sample text (or the tokenizer given), so that the whole loop runs "
                                       "without downloads.")))
        return 0;
    const QString outFolder = requirePositional(parser, 1, QStringLiteral("OUT"))[0];
    StarterModelOptions options;
    options.preset = parser.value(QStringLiteral("preset"));
    options.tokenizerPath = parser.value(QStringLiteral("tokenizer"));
    options.trainingText = parser.value(QStringLiteral("text"));
    options.dtype = parser.value(QStringLiteral("dtype"));
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    options.replaceExisting = parser.isSet(QStringLiteral("force"));
    bool stdOk = false;
    options.initStd = parser.value(QStringLiteral("init-std")).toDouble(&stdOk);
    if (!stdOk)
        throw UsageError{
            QStringLiteral("--init-std expects a number, not \"%1\"").arg(parser.value(QStringLiteral("init-std")))};
    const ModelConfig config = createStarterModel(outFolder, options);
    out() << "created " << QFileInfo(outFolder).absoluteFilePath() << ": " << options.preset << ", "
          << humanCount(config.parameterCount()) << " parameters, vocabulary " << config.vocabSize << ", "
          << options.dtype << "\n";
    return 0;
}

} // namespace

int runModel(const QStringList& args)
{
    const QStringList rest = args.mid(1);
    if (!rest.isEmpty() && rest.first() == QLatin1String("new")) {
        QStringList subArgs = rest;
        subArgs[0] = args[0] + QStringLiteral(" new");
        return runModelNew(subArgs);
    }
    if (!rest.isEmpty() && (rest.first() == QLatin1String("--help") || rest.first() == QLatin1String("-h"))) {
        out() << "Usage: ftstudio-cli model new [options] OUT\n\n"
              << "Subcommands:\n  new   create a randomly initialised starter model (see 'model new --help')\n";
        return 0;
    }
    throw UsageError{QStringLiteral("expected a subcommand: new")};
}

} // namespace ft::cli
