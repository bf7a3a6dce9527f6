#pragma once
// The settings of runs side by side: each run's own attributes (mode, base model, dataset) and every
// leaf of its configuration ("config.learning_rate", "config.optimizer.lr"), and the ones that differ
// between runs. `runs compare`, `report` and the studio's compare view show these.

#include <map>
#include <vector>

#include <QString>
#include <QStringList>

#include "store/run_store.h"

namespace ft {

// "Sample v2", the dataset name alone, or "-".
QString runDatasetLabel(const RunInfo& run);

// key -> value as text (numbers with up to 6 significant digits, arrays and objects as compact JSON).
// The frozen data files (config.train_file, config.val_file) are shown by name and SHA-256 prefix
// when the run recorded the hashes, since each run keeps them in its own folder.
std::map<QString, QString> runSettings(const RunInfo& run);

struct SettingRow {
    QString key;
    QStringList values; // one per run; "(unset)" where a run lacks the key
};

// The settings whose values differ between the runs (every setting with `all`), by key.
std::vector<SettingRow> settingDifferences(const std::vector<RunInfo>& runs, bool all = false);

// A number as the comparisons print it: up to 6 significant digits, "nan" for NaN.
QString settingNumber(double value);

} // namespace ft
