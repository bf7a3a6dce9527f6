#include "store/evaluation_store.h"

#include <cmath>

#include <QJsonDocument>
#include <QSqlQuery>

#include "common/error.h"
#include "store/database.h"
#include "store/store_sql.h"

namespace ft {

using namespace store;

namespace {

QString jsonText(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObject(const QVariant& value) { return QJsonDocument::fromJson(value.toString().toUtf8()).object(); }

QJsonObject metricsJson(const std::map<QString, double>& metrics)
{
    QJsonObject json;
    for (const auto& [name, value] : metrics)
        json[name] = std::isnan(value) ? QJsonValue() : QJsonValue(value);
    return json;
}

std::map<QString, double> metricsFromJson(const QJsonObject& json)
{
    std::map<QString, double> metrics;
    for (auto it = json.begin(); it != json.end(); ++it)
        metrics[it.key()] = it.value().isDouble() ? it.value().toDouble() : std::nan("");
    return metrics;
}

// A dataset id to bind where the statement looks it up: a dataset deleted meanwhile (or 0) gives NULL.
QVariant datasetIdToSql(qint64 id) { return id > 0 ? QVariant(id) : QVariant(QMetaType::fromType<qint64>()); }

void execWithBinds(QSqlQuery& query, const QVariantList& binds)
{
    for (const QVariant& value : binds)
        query.addBindValue(value);
    execPrepared(query);
}

} // namespace

EvaluationStore::EvaluationStore(QSqlDatabase db)
    : m_db(db)
{
}

void EvaluationStore::insertOutputs(const char* ownerColumn, qint64 ownerId,
                                    const std::vector<EvaluationOutput>& outputs)
{
    QSqlQuery insert =
        prepareSql(m_db, QStringLiteral("INSERT INTO evaluation_outputs (%1, example, example_key, prompt, reference, "
                                        "output, prompt_tokens, output_tokens, stop_reason, scores) VALUES "
                                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                             .arg(QLatin1String(ownerColumn)));
    for (const EvaluationOutput& o : outputs) {
        insert.bindValue(0, ownerId);
        insert.bindValue(1, o.example);
        insert.bindValue(2, text(o.key));
        insert.bindValue(3, text(o.prompt));
        insert.bindValue(4, text(o.reference));
        insert.bindValue(5, text(o.output));
        insert.bindValue(6, o.promptTokens);
        insert.bindValue(7, o.outputTokens);
        insert.bindValue(8, text(o.stopReason));
        insert.bindValue(9, jsonText(o.scores));
        execPrepared(insert);
    }
}

qint64 EvaluationStore::saveRunEvaluation(const StoredEvaluation& e, const std::vector<EvaluationOutput>& outputs)
{
    if (e.runId <= 0)
        throw Error(QStringLiteral("saveRunEvaluation: no run id"));
    return inTransaction(m_db, [&] {
        QSqlQuery remove = prepareSql(
            m_db, QStringLiteral("DELETE FROM run_evaluations WHERE run_id = ? AND checkpoint = ? AND split = ?"));
        execWithBinds(remove, {e.runId, text(e.checkpoint), text(e.split)});
        // The numbers of an earlier evaluation of this checkpoint and split (including those the
        // trainer recorded at the end of the run) make way for the new ones.
        QSqlQuery removeNumbers = prepareSql(
            m_db, QStringLiteral("DELETE FROM evaluations WHERE run_id = ? AND checkpoint = ? AND split = ?"));
        execWithBinds(removeNumbers, {e.runId, text(e.checkpoint), text(e.split)});

        QSqlQuery insert = prepareSql(
            m_db, QStringLiteral(
                      "INSERT INTO run_evaluations (run_id, checkpoint, step, split, dataset_id, dataset_name, "
                      "dataset_version, source, "
                      "records_sha256, examples, settings, settings_key, model_id, model_path, seconds, created) "
                      "VALUES (?, ?, ?, ?, (SELECT id FROM datasets WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        execWithBinds(insert, {e.runId, text(e.checkpoint), optionalToSql(e.step), text(e.split),
                               datasetIdToSql(e.datasetId), text(e.datasetName), optionalToSql(e.datasetVersion),
                               text(e.source), text(e.recordsSha256), e.examples, jsonText(e.settings),
                               text(e.settingsKey), text(e.modelId), text(e.modelPath), e.seconds, nowMs()});
        const qint64 id = insert.lastInsertId().toLongLong();

        QSqlQuery number = prepareSql(
            m_db, QStringLiteral("INSERT INTO evaluations (run_id, checkpoint, split, metric, value, created) "
                                 "VALUES (?, ?, ?, ?, ?, ?)"));
        const qint64 now = nowMs();
        for (const auto& [metric, value] : e.metrics) {
            number.bindValue(0, e.runId);
            number.bindValue(1, text(e.checkpoint));
            number.bindValue(2, text(e.split));
            number.bindValue(3, text(metric));
            number.bindValue(4, doubleToSql(value));
            number.bindValue(5, now);
            execPrepared(number);
        }
        insertOutputs("run_evaluation_id", id, outputs);
        return id;
    });
}

qint64 EvaluationStore::saveBaseEvaluation(const StoredEvaluation& e, const std::vector<EvaluationOutput>& outputs)
{
    if (e.modelId.isEmpty())
        throw Error(QStringLiteral("saveBaseEvaluation: the model has no identity"));
    return inTransaction(m_db, [&] {
        QSqlQuery remove =
            prepareSql(m_db, QStringLiteral("DELETE FROM base_evaluations WHERE model_id = ? AND split = ? AND "
                                            "records_sha256 = ? AND settings_key = ?"));
        execWithBinds(remove, {e.modelId, text(e.split), text(e.recordsSha256), text(e.settingsKey)});
        QSqlQuery insert = prepareSql(
            m_db,
            QStringLiteral("INSERT INTO base_evaluations (model_id, model_path, split, dataset_id, dataset_name, "
                           "dataset_version, source, "
                           "records_sha256, examples, settings, settings_key, metrics, seconds, created) "
                           "VALUES (?, ?, ?, (SELECT id FROM datasets WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        execWithBinds(insert, {e.modelId, text(e.modelPath), text(e.split), datasetIdToSql(e.datasetId),
                               text(e.datasetName), optionalToSql(e.datasetVersion), text(e.source),
                               text(e.recordsSha256), e.examples, jsonText(e.settings), text(e.settingsKey),
                               jsonText(metricsJson(e.metrics)), e.seconds, nowMs()});
        const qint64 id = insert.lastInsertId().toLongLong();
        insertOutputs("base_evaluation_id", id, outputs);
        return id;
    });
}

std::vector<StoredEvaluation> EvaluationStore::selectRunEvaluations(const QString& where,
                                                                    const QVariantList& binds) const
{
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT id, run_id, checkpoint, step, split, dataset_id, dataset_name, "
                                        "dataset_version, source, records_sha256, examples, "
                                        "settings, settings_key, model_id, model_path, seconds, created FROM "
                                        "run_evaluations WHERE %1 ORDER BY created DESC, id DESC")
                             .arg(where));
    query.setForwardOnly(true);
    execWithBinds(query, binds);
    std::vector<StoredEvaluation> result;
    while (query.next()) {
        StoredEvaluation e;
        e.kind = EvaluationKind::Run;
        e.id = query.value(0).toLongLong();
        e.runId = query.value(1).toLongLong();
        e.checkpoint = query.value(2).toString();
        e.step = optionalIntFromSql(query.value(3));
        e.split = query.value(4).toString();
        e.datasetId = query.value(5).toLongLong();
        e.datasetName = query.value(6).toString();
        e.datasetVersion = optionalIntFromSql(query.value(7));
        e.source = query.value(8).toString();
        e.recordsSha256 = query.value(9).toString();
        e.examples = query.value(10).toLongLong();
        e.settings = jsonObject(query.value(11));
        e.settingsKey = query.value(12).toString();
        e.modelId = query.value(13).toString();
        e.modelPath = query.value(14).toString();
        e.seconds = query.value(15).toDouble();
        e.created = query.value(16).toLongLong();
        result.push_back(e);
    }
    QSqlQuery numbers =
        prepareSql(m_db, QStringLiteral("SELECT metric, value FROM evaluations WHERE run_id = ? AND checkpoint = ? "
                                        "AND split = ? ORDER BY id"));
    for (StoredEvaluation& e : result) {
        execWithBinds(numbers, {e.runId, e.checkpoint, e.split});
        while (numbers.next())
            e.metrics[numbers.value(0).toString()] = doubleFromSql(numbers.value(1));
        numbers.finish();
    }
    return result;
}

std::vector<StoredEvaluation> EvaluationStore::selectBaseEvaluations(const QString& where,
                                                                     const QVariantList& binds) const
{
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT id, model_id, model_path, split, dataset_id, dataset_name, "
                                        "dataset_version, source, records_sha256, examples, "
                                        "settings, settings_key, metrics, seconds, created FROM base_evaluations WHERE "
                                        "%1 ORDER BY created DESC, id DESC")
                             .arg(where));
    query.setForwardOnly(true);
    execWithBinds(query, binds);
    std::vector<StoredEvaluation> result;
    while (query.next()) {
        StoredEvaluation e;
        e.kind = EvaluationKind::Base;
        e.id = query.value(0).toLongLong();
        e.modelId = query.value(1).toString();
        e.modelPath = query.value(2).toString();
        e.split = query.value(3).toString();
        e.datasetId = query.value(4).toLongLong();
        e.datasetName = query.value(5).toString();
        e.datasetVersion = optionalIntFromSql(query.value(6));
        e.source = query.value(7).toString();
        e.recordsSha256 = query.value(8).toString();
        e.examples = query.value(9).toLongLong();
        e.settings = jsonObject(query.value(10));
        e.settingsKey = query.value(11).toString();
        e.metrics = metricsFromJson(jsonObject(query.value(12)));
        e.seconds = query.value(13).toDouble();
        e.created = query.value(14).toLongLong();
        result.push_back(e);
    }
    return result;
}

std::optional<StoredEvaluation> EvaluationStore::runEvaluation(qint64 runId, const QString& checkpoint,
                                                               const QString& split) const
{
    const auto found = selectRunEvaluations(QStringLiteral("run_id = ? AND checkpoint = ? AND split = ?"),
                                            {runId, text(checkpoint), text(split)});
    if (found.empty())
        return std::nullopt;
    return found.front();
}

std::map<qint64, std::map<QString, double>> EvaluationStore::metricsByRun(const QString& checkpoint,
                                                                          const QString& split) const
{
    QSqlQuery query = prepareSql(
        m_db, QStringLiteral("SELECT run_id, metric, value FROM evaluations WHERE checkpoint = ? AND split = ? "
                             "ORDER BY id"));
    query.setForwardOnly(true);
    execWithBinds(query, {text(checkpoint), text(split)});
    std::map<qint64, std::map<QString, double>> result;
    while (query.next())
        result[query.value(0).toLongLong()][query.value(1).toString()] = doubleFromSql(query.value(2));
    return result;
}

std::map<qint64, LatestEvaluation> EvaluationStore::selectLatestEvaluations(std::optional<qint64> runId) const
{
    // Each run's newest row names the checkpoint and split; all rows of that pair are its numbers.
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT e.run_id, e.checkpoint, e.split, e.metric, e.value FROM evaluations e "
                                        "JOIN (SELECT run_id, max(id) AS last FROM evaluations %1 GROUP BY run_id) l "
                                        "ON l.run_id = e.run_id JOIN evaluations n ON n.id = l.last "
                                        "WHERE e.checkpoint = n.checkpoint AND e.split = n.split ORDER BY e.id")
                             .arg(runId ? QStringLiteral("WHERE run_id = ?") : QString()));
    query.setForwardOnly(true);
    execWithBinds(query, runId ? QVariantList{*runId} : QVariantList{});
    std::map<qint64, LatestEvaluation> result;
    while (query.next()) {
        LatestEvaluation& entry = result[query.value(0).toLongLong()];
        entry.label = QStringLiteral("%1 / %2").arg(query.value(1).toString(), query.value(2).toString());
        entry.metrics[query.value(3).toString()] = doubleFromSql(query.value(4));
    }
    return result;
}

std::map<qint64, LatestEvaluation> EvaluationStore::latestEvaluations() const
{
    return selectLatestEvaluations(std::nullopt);
}

std::optional<LatestEvaluation> EvaluationStore::latestEvaluation(qint64 runId) const
{
    std::map<qint64, LatestEvaluation> found = selectLatestEvaluations(runId);
    if (found.empty())
        return std::nullopt;
    return std::move(found.begin()->second);
}

std::vector<StoredEvaluation> EvaluationStore::runEvaluations(qint64 runId) const
{
    return selectRunEvaluations(QStringLiteral("run_id = ?"), {runId});
}

std::optional<StoredEvaluation> EvaluationStore::findBaseEvaluation(const QString& modelId, const QString& split,
                                                                    const QString& recordsSha256,
                                                                    const QString& settingsKey) const
{
    const auto found =
        selectBaseEvaluations(QStringLiteral("model_id = ? AND split = ? AND records_sha256 = ? AND settings_key = ?"),
                              {text(modelId), text(split), text(recordsSha256), text(settingsKey)});
    if (found.empty())
        return std::nullopt;
    return found.front();
}

std::optional<StoredEvaluation> EvaluationStore::baseEvaluationFor(const StoredEvaluation& runEvaluation) const
{
    if (runEvaluation.modelId.isEmpty())
        return std::nullopt;
    return findBaseEvaluation(runEvaluation.modelId, runEvaluation.split, runEvaluation.recordsSha256,
                              runEvaluation.settingsKey);
}

std::vector<StoredEvaluation> EvaluationStore::baseEvaluations(const QString& modelId) const
{
    if (modelId.isEmpty())
        return selectBaseEvaluations(QStringLiteral("1"), {});
    return selectBaseEvaluations(QStringLiteral("model_id = ?"), {modelId});
}

void EvaluationStore::removeBaseEvaluation(qint64 id)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM base_evaluations WHERE id = ?"));
        execWithBinds(query, {id});
    });
}

std::vector<EvaluationOutput> EvaluationStore::outputs(const StoredEvaluation& evaluation) const
{
    const QString owner = evaluation.kind == EvaluationKind::Run ? QStringLiteral("run_evaluation_id")
                                                                 : QStringLiteral("base_evaluation_id");
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT example, example_key, prompt, reference, output, prompt_tokens, "
                                        "output_tokens, stop_reason, scores FROM evaluation_outputs WHERE %1 = ? "
                                        "ORDER BY example")
                             .arg(owner));
    query.setForwardOnly(true);
    execWithBinds(query, {evaluation.id});
    std::vector<EvaluationOutput> result;
    while (query.next())
        result.push_back({query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                          query.value(3).toString(), query.value(4).toString(), query.value(5).toLongLong(),
                          query.value(6).toLongLong(), query.value(7).toString(), jsonObject(query.value(8))});
    return result;
}

qint64 EvaluationStore::outputCount(const StoredEvaluation& evaluation) const
{
    const QString owner = evaluation.kind == EvaluationKind::Run ? QStringLiteral("run_evaluation_id")
                                                                 : QStringLiteral("base_evaluation_id");
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT count(*) FROM evaluation_outputs WHERE %1 = ?").arg(owner));
    execWithBinds(query, {evaluation.id});
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace ft
