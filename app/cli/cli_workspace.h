#pragma once
// What the workspace commands (dataset ..., runs ...) share: --workspace and --json, subcommand
// dispatch, tables, confirmation, progress on a terminal, JSON forms of datasets, examples and runs.

#include <functional>
#include <optional>
#include <vector>

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "common/progress.h"
#include "data/splits.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft::cli {

struct Subcommand {
    const char* name;
    const char* summary;
    int (*run)(const QStringList& args);
};

// Runs args[1] of `group` ("dataset", "runs") with args[0] = "ftstudio-cli <group> <name>"; prints
// the list of subcommands for --help.
int dispatchSubcommand(const QStringList& args, const QString& group, const std::vector<Subcommand>& subcommands);

// --workspace DIR and --json.
void addWorkspaceOptions(QCommandLineParser& parser);
// Opens the workspace of --workspace (else the default one); warnings go to stderr.
Workspace openWorkspace(const QCommandLineParser& parser);
bool jsonRequested(const QCommandLineParser& parser);

// Asks `question` on the terminal (true for y/yes). Without a terminal on stdin it is a usage error
// unless `assumeYes`.
bool confirm(const QString& question, bool assumeYes);

// Progress on stderr when stderr is a terminal ("label  45%"), nothing otherwise; call
// endProgress() after the operation.
ProgressCallback terminalProgress(const QString& label);
void endProgress();

// An option's value parsed; UsageError naming the option when it is not valid.
std::optional<Split> splitOption(const QCommandLineParser& parser, const QString& name);
qint64 integerOption(const QCommandLineParser& parser, const QString& name, qint64 minimum);
double numberOption(const QCommandLineParser& parser, const QString& name, double minimum, double maximum);

void printTable(const QStringList& headers, const std::vector<QStringList>& rows);
QString oneLine(const QString& text, int width); // newlines shown as "⏎", cut to `width` with "…"
QString localTime(qint64 msSinceEpoch);          // "2024-05-01 14:03"
QString isoTime(qint64 msSinceEpoch);            // ISO 8601 UTC

QJsonObject datasetJson(const DatasetInfo& dataset);
QJsonObject exampleJson(const StoredExample& example);
QJsonObject runJson(const RunInfo& run);
QString splitLabel(Split split); // "train", "val", "test"

} // namespace ft::cli
