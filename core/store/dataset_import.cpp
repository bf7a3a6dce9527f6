#include "store/dataset_import.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include "common/error.h"
#include "data/prefetching_reader.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/store_sql.h"

namespace ft {

namespace {

constexpr qint64 kProgressEvery = 2000; // records between progress reports

} // namespace

DatasetImportResult importDataset(QSqlDatabase db, const QString& path, const ImportOptions& options,
                                  const DatasetImportTarget& target, const ProgressCallback& progress)
{
    QElapsedTimer timer;
    timer.start();
    // Parsing runs on its own thread while this one writes to the database.
    const std::unique_ptr<DatasetReader> reader = prefetchingReader(openDatasetReader(path, options));
    const QString label = target.sourceLabel.isEmpty() ? QFileInfo(path).fileName() : target.sourceLabel;

    DatasetImportResult result;
    Transaction transaction(db);
    result.datasetId = target.datasetId;
    if (result.datasetId == 0)
        result.datasetId = DatasetStore(db).create(target.newName, target.newDescription);

    ExampleInserter inserter(db, result.datasetId);
    ImportedExample example;
    if (!reportProgress(progress, 0, reader->totalBytes())) {
        result.cancelled = true;
        return result;
    }
    while (reader->next(&example)) {
        QString source = example.source;
        if (source.startsWith(path))
            source.replace(0, path.size(), label);
        inserter.add(example.record, store::sanitizeTags(example.tags), source, target.split);
        if (inserter.added() % kProgressEvery == 0 &&
            !reportProgress(progress, reader->bytesRead(), reader->totalBytes())) {
            result.cancelled = true;
            return result; // the transaction rolls back
        }
    }
    inserter.finish();
    result.imported = inserter.added();
    result.skipped = reader->issues();
    if (result.imported == 0 && !result.skipped.empty()) {
        // Nothing good: no empty dataset, no new version; the transaction rolls back.
        const ImportIssue& first = result.skipped.front();
        throw Error(QStringLiteral("%1: every record is bad (%2 skipped), so nothing was imported; the first: %3: %4")
                        .arg(path)
                        .arg(result.skipped.size())
                        .arg(first.location, first.reason));
    }
    result.counts = reader->counts();
    transaction.commit();
    reportProgress(progress, reader->totalBytes(), reader->totalBytes());
    result.seconds = timer.elapsed() / 1000.0;
    return result;
}

} // namespace ft
