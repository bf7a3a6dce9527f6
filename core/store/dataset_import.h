#pragma once
// Importing a dataset file into the workspace: streamed through openDatasetReader (dataset_format.h),
// one prepared statement, one transaction. All or nothing: the first bad record rolls everything
// back, unless the options ask to skip bad records, in which case every skipped record is listed
// with its location and the reason (a file whose every record is bad is still an error: nothing is
// created). Cancelling (the progress callback returns false) also rolls back.

#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QString>

#include "common/progress.h"
#include "data/dataset_format.h"
#include "data/splits.h"

namespace ft {

struct DatasetImportResult {
    qint64 datasetId = 0;
    qint64 imported = 0;
    std::vector<ImportIssue> skipped; // with ImportOptions::skipBadRecords
    ImportCounts counts;              // what the reader made of the file (conversations, tool calls, ...)
    bool cancelled = false;           // nothing was imported
    double seconds = 0;
};

// Where the examples go and what they get.
struct DatasetImportTarget {
    qint64 datasetId = 0; // an existing dataset, or 0 to create `newName` in the same transaction
    QString newName;
    QString newDescription;
    Split split = Split::Train; // the split the new examples are put in
    QString sourceLabel;        // replaces the file path in each example's source ("label:line"); empty: the file name
};

// Throws ft::Error naming the file and record on the first bad record (without skipBadRecords), and
// for an unreadable file. `progress` is called with (bytes read, total bytes).
DatasetImportResult importDataset(QSqlDatabase db, const QString& path, const ImportOptions& options,
                                  const DatasetImportTarget& target, const ProgressCallback& progress = {});

} // namespace ft
