#pragma once
// The commands of ftstudio-cli. Those without LibTorch run here, each taking its arguments with
// args[0] = "ftstudio-cli <name>" and returning the process exit code; those that need LibTorch
// (run == nullptr) are handed to ftstudio-engine by exec (engine_launcher.h).

#include <vector>

#include <QStringList>

namespace ft::cli {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& args); // nullptr: an engine command
};

const std::vector<Command>& commands();
// Whether `name` (the first argument) and `subcommand` (the second, if any) are the engine's to run.
bool isEngineCommand(const char* name, const char* subcommand);

int runInfo(const QStringList& args);
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
int runRuns(const QStringList& args);
int runSweepCommand(const QStringList& args);

} // namespace ft::cli
