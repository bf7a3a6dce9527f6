#include "store/dataset_store.h"

#include <QSqlError>
#include <QStringList>

#include "common/error.h"
#include "store/database.h"
#include "store/store_sql.h"

namespace ft {

using store::text;

namespace {

const char* const kSelectDataset = R"(SELECT d.id, d.name, d.description, d.created, d.modified, d.version,
       (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id),
       (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id AND e.split = 'train'),
       (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id AND e.split = 'val'),
       (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id AND e.split = 'test')
  FROM datasets d )";

DatasetInfo readDataset(const QSqlQuery& query)
{
    DatasetInfo info;
    info.id = query.value(0).toLongLong();
    info.name = query.value(1).toString();
    info.description = query.value(2).toString();
    info.created = query.value(3).toLongLong();
    info.modified = query.value(4).toLongLong();
    info.version = query.value(5).toLongLong();
    info.examples = query.value(6).toLongLong();
    info.train = query.value(7).toLongLong();
    info.validation = query.value(8).toLongLong();
    info.test = query.value(9).toLongLong();
    return info;
}

QString checkedName(const QString& name)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        throw Error(QStringLiteral("a dataset needs a name"));
    return trimmed;
}

} // namespace

DatasetStore::DatasetStore(QSqlDatabase db)
    : m_db(db)
{
}

std::vector<DatasetInfo> DatasetStore::list() const
{
    QSqlQuery query =
        prepareSql(m_db, QLatin1String(kSelectDataset) + QStringLiteral("ORDER BY d.name COLLATE NOCASE"));
    query.setForwardOnly(true);
    execPrepared(query);
    std::vector<DatasetInfo> datasets;
    while (query.next())
        datasets.push_back(readDataset(query));
    return datasets;
}

std::optional<DatasetInfo> DatasetStore::find(qint64 id) const
{
    QSqlQuery query = prepareSql(m_db, QLatin1String(kSelectDataset) + QStringLiteral("WHERE d.id = ?"));
    query.addBindValue(id);
    execPrepared(query);
    if (!query.next())
        return std::nullopt;
    return readDataset(query);
}

std::optional<DatasetInfo> DatasetStore::findByName(const QString& name) const
{
    QSqlQuery query = prepareSql(m_db, QLatin1String(kSelectDataset) + QStringLiteral("WHERE d.name = ?"));
    query.addBindValue(name.trimmed());
    execPrepared(query);
    if (!query.next())
        return std::nullopt;
    return readDataset(query);
}

DatasetInfo DatasetStore::resolve(const QString& idOrName) const
{
    if (auto byName = findByName(idOrName))
        return *byName;
    bool isNumber = false;
    const qint64 id = idOrName.toLongLong(&isNumber);
    if (isNumber) {
        if (auto byId = find(id))
            return *byId;
    }
    QStringList names;
    for (const DatasetInfo& info : list())
        names << QStringLiteral("%1 (id %2)").arg(info.name).arg(info.id);
    throw Error(QStringLiteral("no dataset \"%1\" in this workspace; there are: %2")
                    .arg(idOrName, names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
}

qint64 DatasetStore::create(const QString& name, const QString& description)
{
    const QString checked = checkedName(name);
    return inTransaction(m_db, [&] {
        if (findByName(checked))
            throw Error(QStringLiteral("a dataset named \"%1\" already exists").arg(checked));
        QSqlQuery query = prepareSql(m_db, QStringLiteral("INSERT INTO datasets (name, description, created, modified, "
                                                          "version) VALUES (?, ?, ?, ?, 1)"));
        const qint64 now = nowMs();
        query.addBindValue(checked);
        query.addBindValue(text(description));
        query.addBindValue(now);
        query.addBindValue(now);
        execPrepared(query);
        return query.lastInsertId().toLongLong();
    });
}

void DatasetStore::rename(qint64 id, const QString& name)
{
    const QString checked = checkedName(name);
    inTransaction(m_db, [&] {
        const auto existing = findByName(checked);
        if (existing && existing->id != id)
            throw Error(QStringLiteral("a dataset named \"%1\" already exists").arg(checked));
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE datasets SET name = ? WHERE id = ?"));
        query.addBindValue(checked);
        query.addBindValue(id);
        execPrepared(query);
        touchDataset(m_db, id);
    });
}

void DatasetStore::setDescription(qint64 id, const QString& description)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE datasets SET description = ? WHERE id = ?"));
        query.addBindValue(text(description));
        query.addBindValue(id);
        execPrepared(query);
        touchDataset(m_db, id);
    });
}

void DatasetStore::remove(qint64 id)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM datasets WHERE id = ?"));
        query.addBindValue(id);
        execPrepared(query);
        if (query.numRowsAffected() != 1)
            throw Error(QStringLiteral("dataset %1 does not exist").arg(id));
    });
}

QString DatasetStore::uniqueName(const QString& base) const
{
    const QString trimmed = base.trimmed().isEmpty() ? QStringLiteral("dataset") : base.trimmed();
    if (!findByName(trimmed))
        return trimmed;
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1 (%2)").arg(trimmed).arg(n);
        if (!findByName(candidate))
            return candidate;
    }
}

void touchDataset(QSqlDatabase db, qint64 datasetId)
{
    QSqlQuery query =
        prepareSql(db, QStringLiteral("UPDATE datasets SET version = version + 1, modified = ? WHERE id = ?"));
    query.addBindValue(nowMs());
    query.addBindValue(datasetId);
    execPrepared(query);
    if (query.numRowsAffected() != 1)
        throw Error(QStringLiteral("dataset %1 does not exist").arg(datasetId));
}

} // namespace ft
