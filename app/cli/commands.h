#pragma once
// The subcommands of ftstudio-cli. Each takes its arguments with args[0] = "ftstudio-cli <name>" and
// returns the process exit code.

#include <vector>

#include <QStringList>

namespace ft::cli {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& args);
};

const std::vector<Command>& commands();

int runInfo(const QStringList& args);
int runGenerate(const QStringList& args);
int runConvert(const QStringList& args);
int runModel(const QStringList& args);
int runTrain(const QStringList& args);
int runBench(const QStringList& args);
int runEval(const QStringList& args); // eval and eval compare (cmd_eval*.cpp)
int runReport(const QStringList& args);

// Workspace commands: one group per file set (cmd_dataset*.cpp, cmd_runs.cpp).
int runDataset(const QStringList& args);
int runDatasetImport(const QStringList& args);
int runDatasetExport(const QStringList& args);
int runDatasetValidate(const QStringList& args);
int runDatasetDedup(const QStringList& args);
int runDatasetMaskPii(const QStringList& args);
int runDatasetSplit(const QStringList& args);
int runDatasetStats(const QStringList& args);
int runDatasetGenerate(const QStringList& args);
int runRuns(const QStringList& args);

} // namespace ft::cli
