#pragma once
// What `ftstudio-cli eval` evaluates and on which records: RUN_OR_MODEL resolved to a run of the
// workspace (id, name or folder), a run folder outside it, or a model; and the records: a run's frozen
// split, a workspace dataset's split, or a JSONL file, optionally the first N.

#include <optional>
#include <vector>

#include <QString>

#include "data/example_record.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft::cli {

struct EvalTarget {
    bool isRun = false;
    QString runDir;             // runs
    std::optional<RunInfo> run; // the run's row, when the workspace knows it
    QString modelPath;          // models
};

// A path that exists is a run folder or a model; anything else is a run's id or name.
EvalTarget resolveEvalTarget(const QString& argument, const Workspace& workspace);

struct EvalRecords {
    std::vector<ExampleRecord> records;
    qint64 totalAvailable = 0; // before --limit
    QString split;             // the label stored: "val", "test", "train", "file:<name>"
    QString source;            // "run:data/val.jsonl", "dataset", "file:<path>"
    qint64 datasetId = 0;
    QString datasetName;
    std::optional<qint64> datasetVersion;
};

struct RecordChoice {
    QString split = QStringLiteral("val");
    bool splitGiven = false;
    QString dataset;  // --dataset
    QString file;     // --file
    qint64 limit = 0; // 0: all
};

// Throws ft::Error saying what is missing (a run without validation examples, a model without
// --dataset or --file, an empty split).
EvalRecords selectEvalRecords(const EvalTarget& target, const RecordChoice& choice, const Workspace& workspace);

} // namespace ft::cli
