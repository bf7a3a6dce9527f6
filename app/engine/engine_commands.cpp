#include "engine_commands.h"

#include "cli_workspace.h"

namespace ft::cli {

int runExport(const QStringList& args); // cmd_export.cpp

namespace {

// "dataset generate" is the one dataset subcommand that needs the engine (--fill generates).
int runEngineDataset(const QStringList& args)
{
    static const std::vector<Subcommand> subcommands = {
        {"generate", "synthetic examples from a template; --fill MODEL generates empty responses", runDatasetGenerate},
    };
    return dispatchSubcommand(args, QStringLiteral("dataset"), subcommands);
}

} // namespace

const std::vector<EngineCommand>& engineCommands()
{
    static const std::vector<EngineCommand> table = {
        {"generate", runGenerate}, {"convert", runConvert}, {"model", runModel},         {"train", runTrain},
        {"eval", runEval},         {"bench", runBench},     {"dataset", runEngineDataset},
        {"export", runExport},
    };
    return table;
}

} // namespace ft::cli
