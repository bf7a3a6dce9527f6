#pragma once
// `ftstudio-cli train`'s command line: its options, and what they ask for once checked (the run
// folder, the data, the settings on top of a CONFIG file or a prepared run folder).

#include <QCommandLineParser>
#include <QJsonObject>

#include "store/dataset_export.h"

namespace ft::cli {

void addTrainOptions(QCommandLineParser& parser);

struct TrainArguments {
    bool jsonEvents = false;
    bool resume = false;
    QString runDir;          // --run or --resume; empty: a new folder by the run folder rule
    QString runName;         // --name
    bool datasetGiven = false; // --dataset or --dataset-id
    SnapshotSplits splits;     // with a dataset
    bool useWorkspace = false; // --workspace, a dataset or --run-id: the run is recorded there
    qint64 runId = 0;          // --run-id
};

// Checks the options that go together; throws UsageError naming the one at fault.
TrainArguments readTrainArguments(const QCommandLineParser& parser);

// The settings the command line gives: the CONFIG file, then --mode, the shortcuts (--lr, --steps,
// ...) and every --set key=value on top.
QJsonObject configFromArguments(const QCommandLineParser& parser);

// The local processes asked for: --nproc, else the settings' "processes" (the CONFIG file, a prepared
// or resumed run folder's config.json, --set). 1 when they say nothing or something invalid: the
// single process then reports what is wrong with the settings.
int requestedProcesses(const QCommandLineParser& parser);

} // namespace ft::cli
