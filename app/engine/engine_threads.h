#pragma once
// The --threads option of the engine's commands: how many threads LibTorch and OpenBLAS compute on.

#include <QCommandLineParser>

namespace ft::cli {

void addThreadsOption(QCommandLineParser& parser);
int applyThreadsOption(const QCommandLineParser& parser); // configures LibTorch and OpenBLAS

} // namespace ft::cli
