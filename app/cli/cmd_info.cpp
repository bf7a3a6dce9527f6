// ftstudio-cli info MODEL: what a model is, read without loading its weights.

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

#include "cli_common.h"
#include "commands.h"
#include "modelio/llama2c_file.h"
#include "modelio/model_folder.h"
#include "modelio/tokenizer.h"

namespace ft::cli {

int runInfo(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL"),
                                 QStringLiteral("A Hugging Face model folder or a llama2.c .bin file."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the information as JSON.")});
    if (!parseArguments(parser, args,
                        QStringLiteral("Show a model's architecture, parameter count, dtype, vocabulary, "
                                       "context length and files.")))
        return 0;
    const QString path = requirePositional(parser, 1, QStringLiteral("MODEL"))[0];

    ModelConfig config;
    QJsonArray files;
    QString format;
    QString tokenizerPath;
    if (QFileInfo(path).isFile()) {
        config = llama2cModelConfig(readLlama2cHeader(path));
        format = QStringLiteral("llama2.c checkpoint");
        files.append(QJsonObject{{QStringLiteral("name"), QFileInfo(path).fileName()},
                                 {QStringLiteral("bytes"), QFileInfo(path).size()}});
        tokenizerPath = findLlama2cTokenizer(path, {});
    } else {
        const ModelFolder folder = ModelFolder::inspect(path);
        config = folder.config;
        format = folder.sharded
                     ? QStringLiteral("Hugging Face, sharded safetensors (%1 files)").arg(folder.weightFiles.size())
                     : QStringLiteral("Hugging Face, safetensors");
        for (const QString& name : folder.files)
            files.append(QJsonObject{{QStringLiteral("name"), name},
                                     {QStringLiteral("bytes"), QFileInfo(QDir(folder.path).filePath(name)).size()}});
        tokenizerPath = folder.tokenizerPath;
    }

    QJsonObject tokenizerInfo;
    if (!tokenizerPath.isEmpty()) {
        const auto tokenizer =
            QFileInfo(path).isDir() ? Tokenizer::fromModelFolder(path, &config) : Tokenizer::fromFile(tokenizerPath);
        tokenizerInfo = {{QStringLiteral("path"), tokenizerPath},
                         {QStringLiteral("pieces"), tokenizer->vocabSize()},
                         {QStringLiteral("bos_id"), tokenizer->bosId()},
                         {QStringLiteral("eos_id"), tokenizer->eosId()},
                         {QStringLiteral("pad_id"), tokenizer->padId()}};
    }

    const QJsonObject info{{QStringLiteral("path"), QFileInfo(path).absoluteFilePath()},
                           {QStringLiteral("format"), format},
                           {QStringLiteral("architecture"), config.architecture},
                           {QStringLiteral("parameters"), static_cast<qint64>(config.parameterCount())},
                           {QStringLiteral("dtype"), config.torchDtype},
                           {QStringLiteral("hidden_size"), static_cast<qint64>(config.hiddenSize)},
                           {QStringLiteral("layers"), static_cast<qint64>(config.numLayers)},
                           {QStringLiteral("heads"), static_cast<qint64>(config.numHeads)},
                           {QStringLiteral("kv_heads"), static_cast<qint64>(config.numKvHeads)},
                           {QStringLiteral("intermediate_size"), static_cast<qint64>(config.intermediateSize)},
                           {QStringLiteral("vocab_size"), static_cast<qint64>(config.vocabSize)},
                           {QStringLiteral("context_length"), static_cast<qint64>(config.maxPositions)},
                           {QStringLiteral("tied_embeddings"), config.tieWordEmbeddings},
                           {QStringLiteral("tokenizer"), tokenizerInfo},
                           {QStringLiteral("files"), files}};
    if (parser.isSet(QStringLiteral("json"))) {
        printJson(info);
        return 0;
    }
    QTextStream& s = out();
    s << "Model:          " << info[QStringLiteral("path")].toString() << "\n"
      << "Format:         " << format << "\n"
      << "Architecture:   " << config.architecture << "\n"
      << "Parameters:     " << humanCount(config.parameterCount()) << " (" << config.parameterCount() << ")\n"
      << "Stored dtype:   " << config.torchDtype << "\n"
      << "Shape:          hidden " << config.hiddenSize << ", " << config.numLayers << " layers, " << config.numHeads
      << " heads (" << config.numKvHeads << " key/value), MLP " << config.intermediateSize << "\n"
      << "Vocabulary:     " << config.vocabSize << "\n"
      << "Context length: " << config.maxPositions << "\n"
      << "Embeddings:     " << (config.tieWordEmbeddings ? "tied" : "separate output head") << "\n";
    if (tokenizerInfo.isEmpty())
        s << "Tokenizer:      none found\n";
    else
        s << "Tokenizer:      " << tokenizerPath << " (" << tokenizerInfo[QStringLiteral("pieces")].toInt()
          << " pieces; BOS " << tokenizerInfo[QStringLiteral("bos_id")].toInt() << ", EOS "
          << tokenizerInfo[QStringLiteral("eos_id")].toInt() << ", PAD "
          << tokenizerInfo[QStringLiteral("pad_id")].toInt() << ")\n";
    s << "Files:\n";
    for (const QJsonValue& file : files)
        s << "  " << file[QStringLiteral("name")].toString() << "  "
          << humanBytes(file[QStringLiteral("bytes")].toInteger()) << "\n";
    s.flush();
    return 0;
}

} // namespace ft::cli
