#include "runs/sweep_record.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"

namespace ft {

namespace {

const QString kFile = QStringLiteral("sweep.json");

QJsonObject trialJson(const SweepTrial& t)
{
    QJsonObject losses;
    for (const auto& [step, loss] : t.valLosses)
        losses[QString::number(step)] = loss;
    QJsonObject json{{QStringLiteral("index"), t.index},     {QStringLiteral("settings"), t.settings},
                     {QStringLiteral("status"), t.status},   {QStringLiteral("run_dir"), t.runDir},
                     {QStringLiteral("message"), t.message}, {QStringLiteral("val_losses"), losses}};
    if (t.objective)
        json[QStringLiteral("objective")] = *t.objective;
    if (t.bestStep)
        json[QStringLiteral("best_step")] = *t.bestStep;
    if (t.metric)
        json[QStringLiteral("metric")] = *t.metric;
    return json;
}

SweepTrial trialFromJson(const QJsonObject& json)
{
    SweepTrial t;
    t.index = json.value(QStringLiteral("index")).toInt();
    t.settings = json.value(QStringLiteral("settings")).toObject();
    t.status = json.value(QStringLiteral("status")).toString(QStringLiteral("pending"));
    t.runDir = json.value(QStringLiteral("run_dir")).toString();
    t.message = json.value(QStringLiteral("message")).toString();
    const QJsonObject losses = json.value(QStringLiteral("val_losses")).toObject();
    for (auto it = losses.begin(); it != losses.end(); ++it)
        if (it.value().isDouble())
            t.valLosses[it.key().toLongLong()] = it.value().toDouble();
    if (json.value(QStringLiteral("objective")).isDouble()) // null (a non-finite number written) is none
        t.objective = json.value(QStringLiteral("objective")).toDouble();
    if (json.value(QStringLiteral("best_step")).isDouble())
        t.bestStep = json.value(QStringLiteral("best_step")).toInteger();
    if (json.value(QStringLiteral("metric")).isDouble())
        t.metric = json.value(QStringLiteral("metric")).toDouble();
    return t;
}

} // namespace

bool SweepTrial::isDone() const
{
    return status != QLatin1String("pending") && status != QLatin1String("running") &&
           status != QLatin1String("interrupted") && status != QLatin1String("evaluating");
}

SweepRecord SweepRecord::create(const QString& runsDir, const SweepSpec& spec, const TrainConfig& base,
                                const RunData& data)
{
    spec.validate(base);
    // Trials are compared by their validation loss: without validation data there is nothing to compare.
    const bool validates = data.datasetId > 0 ? data.valSplit != QLatin1String("none") || base.valFraction > 0
                                              : !base.valFile.isEmpty() || base.valFraction > 0;
    if (!validates)
        throw Error(QStringLiteral("sweep: the trials are compared by their validation loss, and the settings have no "
                                   "validation data (a validation file, split or share)"));
    // The metric is measured by `ftstudio-cli eval`, which keeps its results in a workspace.
    if (spec.objectiveIsEvaluation() && data.workspace.isEmpty())
        throw Error(QStringLiteral("sweep: the objective %1 is measured by evaluating each trial in a workspace, and "
                                   "this sweep has none (give --workspace or --dataset)")
                        .arg(spec.objective));
    SweepRecord record;
    record.m_spec = spec;
    if (record.m_spec.name.trimmed().isEmpty())
        record.m_spec.name = QStringLiteral("sweep");
    record.m_base = base;
    record.m_data = data;
    record.m_runsDir = QFileInfo(runsDir).absoluteFilePath();
    // The same naming rule as run folders (date, name, a number when taken), under runs/sweeps.
    record.m_folder =
        RunFolder::create(QDir(record.m_runsDir).filePath(QStringLiteral("sweeps")), record.m_spec.name).path();
    int index = 0;
    for (const QJsonObject& settings : sweepTrialSettings(spec)) {
        SweepTrial trial;
        trial.index = ++index;
        trial.settings = settings;
        record.m_trials.push_back(trial);
    }
    record.save();
    return record;
}

SweepRecord SweepRecord::load(const QString& folder)
{
    const QString path = QDir(folder).filePath(kFile);
    if (!QFileInfo::exists(path))
        throw Error(QStringLiteral("%1: no %2 (not a sweep folder)").arg(folder, kFile));
    return fromJson(readJsonObjectFile(path), QFileInfo(folder).absoluteFilePath(), path);
}

SweepRecord SweepRecord::fromJson(const QJsonObject& json, const QString& folder, const QString& origin)
{
    static const QStringList statuses{
        QStringLiteral("pending"),  QStringLiteral("running"),  QStringLiteral("evaluating"),
        QStringLiteral("finished"), QStringLiteral("pruned"),   QStringLiteral("stopped"),
        QStringLiteral("failed"),   QStringLiteral("diverged"), QStringLiteral("interrupted")};
    SweepRecord record;
    record.m_folder = folder;
    record.m_spec = SweepSpec::fromJson(json.value(QStringLiteral("spec")).toObject(), origin);
    record.m_base = TrainConfig::fromJson(json.value(QStringLiteral("base")).toObject(), origin);
    record.m_runsDir = json.value(QStringLiteral("runs_dir")).toString();
    const QJsonObject data = json.value(QStringLiteral("data")).toObject();
    record.m_data.datasetId = data.value(QStringLiteral("dataset_id")).toInteger();
    record.m_data.datasetName = data.value(QStringLiteral("dataset_name")).toString();
    record.m_data.trainSplit = data.value(QStringLiteral("train_split")).toString(QStringLiteral("train"));
    record.m_data.valSplit = data.value(QStringLiteral("val_split")).toString(QStringLiteral("val"));
    record.m_data.workspace = data.value(QStringLiteral("workspace")).toString();
    for (const QJsonValue& value : json.value(QStringLiteral("trials")).toArray()) {
        SweepTrial trial = trialFromJson(value.toObject());
        const int expected = static_cast<int>(record.m_trials.size()) + 1;
        if (trial.index != expected)
            throw Error(QStringLiteral("%1: trial %2 has index %3; trials are numbered 1, 2, ... in order")
                            .arg(origin)
                            .arg(expected)
                            .arg(trial.index));
        if (!statuses.contains(trial.status))
            throw Error(QStringLiteral("%1: trial %2 has status \"%3\" (expected one of %4)")
                            .arg(origin)
                            .arg(expected)
                            .arg(trial.status, statuses.join(QStringLiteral(", "))));
        record.m_trials.push_back(std::move(trial));
    }
    if (record.m_trials.empty())
        throw Error(QStringLiteral("%1: the sweep has no trials").arg(origin));
    return record;
}

QJsonObject SweepRecord::toJson() const
{
    QJsonArray trials;
    for (const SweepTrial& t : m_trials)
        trials.append(trialJson(t));
    QJsonObject json{{QStringLiteral("spec"), m_spec.toJson()},
                     {QStringLiteral("base"), m_base.toJson()},
                     {QStringLiteral("runs_dir"), m_runsDir},
                     {QStringLiteral("data"), QJsonObject{{QStringLiteral("dataset_id"), m_data.datasetId},
                                                          {QStringLiteral("dataset_name"), m_data.datasetName},
                                                          {QStringLiteral("train_split"), m_data.trainSplit},
                                                          {QStringLiteral("val_split"), m_data.valSplit},
                                                          {QStringLiteral("workspace"), m_data.workspace}}},
                     {QStringLiteral("trials"), trials}};
    if (const std::optional<int> best = bestTrial())
        json[QStringLiteral("best_trial")] = m_trials[static_cast<size_t>(*best)].index;
    return json;
}

QString SweepRecord::path() const { return QDir(m_folder).filePath(kFile); }

void SweepRecord::save() const { writeFileAtomically(path(), QJsonDocument(toJson()).toJson()); }

std::optional<int> SweepRecord::bestTrial() const
{
    // Of the trials that trained as asked (finished, or stopped by the rule): not a failed or diverged one.
    std::optional<int> best;
    std::optional<double> bestValue;
    for (size_t i = 0; i < m_trials.size(); ++i) {
        const SweepTrial& t = m_trials[i];
        const bool counts = t.status == QLatin1String("finished") || t.status == QLatin1String("pruned");
        const std::optional<double> value = objectiveValue(t);
        if (counts && value && (!bestValue || m_spec.better(*value, *bestValue))) {
            best = static_cast<int>(i);
            bestValue = value;
        }
    }
    return best;
}

std::optional<double> SweepRecord::objectiveValue(const SweepTrial& trial) const
{
    return m_spec.objectiveIsEvaluation() ? trial.metric : trial.objective;
}

std::vector<double> SweepRecord::finishedLossesAt(qint64 step, int except) const
{
    std::vector<double> losses;
    for (const SweepTrial& t : m_trials) {
        if (t.index == except || t.status != QLatin1String("finished"))
            continue;
        if (const auto found = t.valLosses.find(step); found != t.valLosses.end())
            losses.push_back(found->second);
    }
    return losses;
}

QString SweepRecord::trialName(const SweepTrial& trial) const
{
    return QStringLiteral("%1 #%2").arg(m_spec.name).arg(trial.index);
}

} // namespace ft
