#pragma once
// The commands of ftstudio-engine: those of ftstudio-cli that need LibTorch. ftstudio-cli hands them
// over with exec (same process, same arguments), so each takes its arguments with
// args[0] = "ftstudio-cli <name>" and returns the process exit code, as the CLI's own commands do.

#include <vector>

#include <QStringList>

namespace ft::cli {

struct EngineCommand {
    const char* name;
    int (*run)(const QStringList& args);
};

const std::vector<EngineCommand>& engineCommands();

int runGenerate(const QStringList& args);
int runConvert(const QStringList& args);
int runModel(const QStringList& args);
int runTrain(const QStringList& args);
int runBench(const QStringList& args);
int runEval(const QStringList& args); // eval and eval compare (cmd_eval*.cpp)
int runDatasetGenerate(const QStringList& args);

} // namespace ft::cli
