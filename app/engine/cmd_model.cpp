// ftstudio-cli model new --preset P OUT: a randomly initialised starter model.

#include <QFileInfo>

#include "cli_common.h"
#include "engine_commands.h"
#include "engine/starter_model.h"

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
         QStringLiteral("Use this sentencepiece .model instead of training one on the sample text."),
         QStringLiteral("PATH")},
        {QStringLiteral("text"), QStringLiteral("Train the tokenizer on this text file (one passage per line)."),
         QStringLiteral("FILE")},
        {QStringLiteral("dtype"), QStringLiteral("Stored dtype: float32 (default), bfloat16 or float16."),
         QStringLiteral("D"), QStringLiteral("float32")},
        {QStringLiteral("seed"), QStringLiteral("Seed of the random initialisation (default 1234)."),
         QStringLiteral("S"), QStringLiteral("1234")},
        {QStringLiteral("force"), QStringLiteral("Replace OUT if it exists.")},
    });
    if (!parseArguments(parser, args,
                        QStringLiteral("Create a randomly initialised Llama-architecture model (Hugging Face "
                                       "folder) with a sentencepiece tokenizer trained on the project's "
                                       "sample text, so that the whole loop runs without downloads.")))
        return 0;
    const QString outFolder = requirePositional(parser, 1, QStringLiteral("OUT"))[0];
    StarterModelOptions options;
    options.preset = parser.value(QStringLiteral("preset"));
    options.tokenizerPath = parser.value(QStringLiteral("tokenizer"));
    options.trainingText = parser.value(QStringLiteral("text"));
    options.dtype = parser.value(QStringLiteral("dtype"));
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    options.replaceExisting = parser.isSet(QStringLiteral("force"));
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
