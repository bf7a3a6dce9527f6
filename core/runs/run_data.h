#pragma once
// What a run trains on and where it is recorded, as the Train page and a sweep choose it: a workspace
// dataset's splits (the worker freezes them into the run folder) or the configuration's own files.

#include <QString>

namespace ft {

struct RunData {
    qint64 datasetId = 0; // a workspace dataset; 0: the configuration's train_file and val_file
    QString datasetName;
    QString trainSplit = QStringLiteral("train");
    QString valSplit = QStringLiteral("val"); // "none": a seeded share of the training split validates
    QString workspace;                        // where the run is recorded; empty: nowhere
};

} // namespace ft
