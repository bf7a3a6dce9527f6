#pragma once
// The subcommands of ftstudio-cli. Each takes its arguments with args[0] = "ftstudio-cli <name>" and
// returns the process exit code.

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

} // namespace ft::cli
