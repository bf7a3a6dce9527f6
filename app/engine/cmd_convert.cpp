// ftstudio-cli convert IN OUT: a llama2.c checkpoint into a Hugging Face model folder.

#include <QFileInfo>

#include "cli_common.h"
#include "common/error.h"
#include "engine/llama2c_import.h"
#include "engine/model_loader.h"
#include "engine_commands.h"

namespace ft::cli {

int runConvert(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("IN"),
                                 QStringLiteral("A llama2.c checkpoint (.bin) or a Hugging Face model folder."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("The Hugging Face model folder to write."));
    parser.addOptions({
        {QStringLiteral("tokenizer"),
         QStringLiteral("The sentencepiece .model of a llama2.c checkpoint (default: the one beside it)."),
         QStringLiteral("PATH")},
        {QStringLiteral("dtype"), QStringLiteral("Stored dtype: float32 (default for llama2.c), bfloat16 or float16."),
         QStringLiteral("D")},
        {QStringLiteral("force"), QStringLiteral("Replace OUT if it exists.")},
    });
    if (!parseArguments(parser, args,
                        QStringLiteral("Convert a llama2.c checkpoint (.bin) into a Hugging Face model folder "
                                       "(safetensors, config.json, tokenizer.model), or rewrite a model "
                                       "folder in another dtype.")))
        return 0;
    const QStringList positional = requirePositional(parser, 2, QStringLiteral("IN and OUT"));

    LoadOptions load;
    load.tokenizerPath = parser.value(QStringLiteral("tokenizer"));
    load.requireTokenizer = true;
    LoadedModel loaded = loadModel(positional[0], load);

    SaveOptions save;
    save.dtype = parser.value(QStringLiteral("dtype"));
    save.replaceExisting = parser.isSet(QStringLiteral("force"));
    save.tokenizerSource = QFileInfo(positional[0]).isDir() ? positional[0] : loaded.tokenizer->path();
    saveModelFolder(*loaded.model, positional[1], save);
    out() << "wrote " << QFileInfo(positional[1]).absoluteFilePath() << " (" << loaded.config.architecture << ", "
          << humanCount(loaded.config.parameterCount()) << " parameters)\n";
    return 0;
}

} // namespace ft::cli
