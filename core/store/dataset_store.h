#pragma once
// Datasets of a workspace: create, list, rename, describe, delete, and their version, which grows by
// one with every change to the dataset or its examples (runs record the version they trained on).

#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QString>

namespace ft {

struct DatasetInfo {
    qint64 id = 0;
    QString name;
    QString description;
    qint64 created = 0; // ms since the Unix epoch
    qint64 modified = 0;
    qint64 version = 1;
    qint64 examples = 0; // counts by split
    qint64 train = 0;
    qint64 validation = 0;
    qint64 test = 0;
};

class DatasetStore {
public:
    explicit DatasetStore(QSqlDatabase db);

    std::vector<DatasetInfo> list() const; // by name
    std::optional<DatasetInfo> find(qint64 id) const;
    std::optional<DatasetInfo> findByName(const QString& name) const; // case-insensitive
    // A dataset named by its id or its name (the command line's DATASET argument); throws ft::Error
    // listing the datasets there are when none matches.
    DatasetInfo resolve(const QString& idOrName) const;

    // Throws ft::Error when the name is empty or taken.
    qint64 create(const QString& name, const QString& description = {});
    void rename(qint64 id, const QString& name);
    void setDescription(qint64 id, const QString& description);
    // Deletes the dataset and its examples (runs keep its name and version).
    void remove(qint64 id);
    // A name not used yet: `base`, else "base (2)", "base (3)", ...
    QString uniqueName(const QString& base) const;

private:
    QSqlDatabase m_db;
};

// Records a change of the dataset: version + 1, modified = now. Every write to a dataset's examples
// calls it once, inside that write's transaction. Throws ft::Error when the dataset does not exist.
void touchDataset(QSqlDatabase db, qint64 datasetId);

} // namespace ft
