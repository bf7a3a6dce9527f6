#include "store/metric_store.h"

#include <QDateTime>

#include "store/database.h"
#include "store/store_sql.h"

namespace ft {

using namespace store;

MetricStore::MetricStore(QSqlDatabase db)
    : m_db(db)
{
}

MetricStore::~MetricStore() = default;

void MetricStore::append(qint64 runId, const std::vector<MetricPoint>& batch)
{
    if (batch.empty())
        return;
    if (!m_insert)
        m_insert = std::make_unique<QSqlQuery>(prepareSql(
            m_db, QStringLiteral(
                      "INSERT OR REPLACE INTO metrics (run_id, name, step, value, wall_time) VALUES (?, ?, ?, ?, ?)")));
    const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;
    inTransaction(m_db, [&] {
        QSqlQuery& insert = *m_insert;
        for (const MetricPoint& point : batch) {
            insert.bindValue(0, runId);
            insert.bindValue(1, text(point.name));
            insert.bindValue(2, point.step);
            insert.bindValue(3, doubleToSql(point.value));
            insert.bindValue(4, point.wallTime > 0 ? point.wallTime : now);
            execPrepared(insert);
        }
    });
}

void MetricStore::truncateAfter(qint64 runId, qint64 step)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM metrics WHERE run_id = ? AND step > ?"));
        query.addBindValue(runId);
        query.addBindValue(step);
        execPrepared(query);
    });
}

QStringList MetricStore::names(qint64 runId) const
{
    // Skips from one name to the next along the (run, name, step) key instead of reading every row.
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("WITH RECURSIVE n(name) AS (SELECT min(name) FROM metrics WHERE run_id = ? "
                                        "UNION ALL SELECT (SELECT min(name) FROM metrics WHERE run_id = ? AND name > "
                                        "n.name) FROM n WHERE n.name IS NOT NULL) "
                                        "SELECT name FROM n WHERE name IS NOT NULL"));
    query.setForwardOnly(true);
    query.bindValue(0, runId);
    query.bindValue(1, runId);
    execPrepared(query);
    QStringList result;
    while (query.next())
        result << query.value(0).toString();
    return result;
}

MetricSeries MetricStore::series(qint64 runId, const QString& name, qint64 fromStep) const
{
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND "
                                                      "name = ? AND step >= ? ORDER BY step"));
    query.setForwardOnly(true);
    query.addBindValue(runId);
    query.addBindValue(text(name));
    query.addBindValue(fromStep);
    execPrepared(query);
    MetricSeries series;
    while (query.next()) {
        series.steps.push_back(query.value(0).toLongLong());
        series.values.push_back(doubleFromSql(query.value(1)));
        series.wallTimes.push_back(query.value(2).toDouble());
    }
    return series;
}

std::map<QString, MetricPoint> MetricStore::last(qint64 runId) const
{
    std::map<QString, MetricPoint> result;
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND "
                                                      "name = ? ORDER BY step DESC LIMIT 1"));
    for (const QString& name : names(runId)) {
        query.bindValue(0, runId);
        query.bindValue(1, text(name));
        execPrepared(query);
        if (query.next())
            result[name] = {query.value(0).toLongLong(), name, doubleFromSql(query.value(1)),
                            query.value(2).toDouble()};
        query.finish();
    }
    return result;
}

qint64 MetricStore::count(qint64 runId) const
{
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT count(*) FROM metrics WHERE run_id = ?"));
    query.addBindValue(runId);
    execPrepared(query);
    return query.next() ? query.value(0).toLongLong() : 0;
}

qint64 MetricStore::recordEvaluation(qint64 runId, const QString& checkpoint, const QString& split,
                                     const QString& metric, double value)
{
    return inTransaction(m_db, [&] {
        QSqlQuery query =
            prepareSql(m_db, QStringLiteral("INSERT INTO evaluations (run_id, checkpoint, split, metric, value, "
                                            "created) VALUES (?, ?, ?, ?, ?, ?)"));
        query.addBindValue(runId);
        query.addBindValue(text(checkpoint));
        query.addBindValue(text(split));
        query.addBindValue(text(metric));
        query.addBindValue(doubleToSql(value));
        query.addBindValue(nowMs());
        execPrepared(query);
        return query.lastInsertId().toLongLong();
    });
}

std::vector<EvaluationRecord> MetricStore::evaluations(qint64 runId) const
{
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT id, run_id, checkpoint, split, metric, value, created FROM "
                                        "evaluations WHERE run_id = ? ORDER BY id"));
    query.setForwardOnly(true);
    query.addBindValue(runId);
    execPrepared(query);
    std::vector<EvaluationRecord> result;
    while (query.next())
        result.push_back({query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toString(),
                          query.value(3).toString(), query.value(4).toString(), doubleFromSql(query.value(5)),
                          query.value(6).toLongLong()});
    return result;
}

} // namespace ft
