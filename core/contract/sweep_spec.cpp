#include "contract/sweep_spec.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "common/error.h"
#include "contract/train_settings_check.h"

namespace ft {

namespace {

const std::map<QString, QString>& shortNames()
{
    static const std::map<QString, QString> names{
        {QStringLiteral("lr"), QStringLiteral("learning_rate")},
        {QStringLiteral("r"), QStringLiteral("lora_rank")},
        {QStringLiteral("lora_r"), QStringLiteral("lora_rank")},
        {QStringLiteral("alpha"), QStringLiteral("lora_alpha")},
        {QStringLiteral("dropout"), QStringLiteral("lora_dropout")},
        {QStringLiteral("warmup"), QStringLiteral("warmup_steps")},
        {QStringLiteral("batch"), QStringLiteral("batch_size")},
        {QStringLiteral("wd"), QStringLiteral("weight_decay")},
    };
    return names;
}

QJsonValue parseValue(const QString& text)
{
    const QString t = text.trimmed();
    if (t == QLatin1String("true") || t == QLatin1String("false"))
        return t == QLatin1String("true");
    bool ok = false;
    const double number = t.toDouble(&ok);
    if (ok && std::isfinite(number))
        return number;
    return t;
}

// The settings a trial can never take from a sweep: what it trains on, and what identifies it.
bool sweepable(const QString& key)
{
    static const std::set<QString> fixed{QStringLiteral("model"),    QStringLiteral("train_file"),
                                         QStringLiteral("val_file"), QStringLiteral("mode"),
                                         QStringLiteral("threads"),  QStringLiteral("processes")};
    return !fixed.count(key);
}

} // namespace

QJsonObject SweepSpec::toJson() const
{
    QJsonArray params;
    for (const SweepParameter& p : parameters)
        params.append(QJsonObject{{QStringLiteral("key"), p.key}, {QStringLiteral("values"), p.values}});
    return {{QStringLiteral("name"), name},
            {QStringLiteral("parameters"), params},
            {QStringLiteral("method"), method},
            {QStringLiteral("max_trials"), maxTrials},
            {QStringLiteral("seed"), QString::number(seed)},
            {QStringLiteral("steps_per_trial"), stepsPerTrial},
            {QStringLiteral("objective"), objective},
            {QStringLiteral("objective_examples"), objectiveExamples},
            {QStringLiteral("parallel"), parallel},
            {QStringLiteral("pruning"), pruning}};
}

SweepSpec SweepSpec::fromJson(const QJsonObject& json, const QString& origin)
{
    SweepSpec spec;
    spec.name = json.value(QStringLiteral("name")).toString();
    for (const QJsonValue& value : json.value(QStringLiteral("parameters")).toArray()) {
        const QJsonObject p = value.toObject();
        if (!p.value(QStringLiteral("key")).isString() || !p.value(QStringLiteral("values")).isArray())
            throw Error(
                QStringLiteral("%1: each of \"parameters\" needs \"key\" (text) and \"values\" (a list)").arg(origin));
        spec.parameters.push_back(
            {p.value(QStringLiteral("key")).toString(), p.value(QStringLiteral("values")).toArray()});
    }
    spec.method = json.value(QStringLiteral("method")).toString(spec.method);
    spec.maxTrials = json.value(QStringLiteral("max_trials")).toInt(0);
    spec.seed = json.value(QStringLiteral("seed")).toString(QStringLiteral("42")).toULongLong();
    spec.stepsPerTrial = json.value(QStringLiteral("steps_per_trial")).toInteger(0);
    spec.pruning = json.value(QStringLiteral("pruning")).toString(spec.pruning);
    spec.objective = json.value(QStringLiteral("objective")).toString(spec.objective);
    spec.objectiveExamples = json.value(QStringLiteral("objective_examples")).toInt(spec.objectiveExamples);
    spec.parallel = json.value(QStringLiteral("parallel")).toInt(spec.parallel);
    return spec;
}

QStringList SweepSpec::objectives()
{
    return {QStringLiteral("val_loss"), QStringLiteral("bleu"), QStringLiteral("rouge-l"),
            QStringLiteral("exact-match"), QStringLiteral("f1")};
}

bool SweepSpec::better(double a, double b) const { return objectiveIsEvaluation() ? a > b : a < b; }

void SweepSpec::validate(const TrainConfig& base) const
{
    if (parameters.empty())
        throw Error(QStringLiteral("sweep: give at least one setting to vary (e.g. lr=1e-4,3e-4)"));
    std::set<QString> keys;
    for (const SweepParameter& p : parameters) {
        if (!keys.insert(p.key).second)
            throw Error(QStringLiteral("sweep: \"%1\" is given twice").arg(p.key));
        if (!sweepable(p.key))
            throw Error(QStringLiteral("sweep: \"%1\" is what every trial shares and cannot be swept").arg(p.key));
        if (p.values.isEmpty())
            throw Error(QStringLiteral("sweep: \"%1\" has no values").arg(p.key));
    }
    if (method != QLatin1String("grid") && method != QLatin1String("random"))
        throw Error(QStringLiteral("sweep: method must be \"grid\" or \"random\" (got \"%1\")").arg(method));
    if (pruning != QLatin1String("median") && pruning != QLatin1String("none"))
        throw Error(QStringLiteral("sweep: pruning must be \"median\" or \"none\" (got \"%1\")").arg(pruning));
    if (!objectives().contains(objective))
        throw Error(QStringLiteral("sweep: the objective must be one of %1 (got \"%2\")")
                        .arg(objectives().join(QStringLiteral(", ")), objective));
    if (parallel < 1 || parallel > 16)
        throw Error(QStringLiteral("sweep: trials at once must be between 1 and 16 (got %1)").arg(parallel));
    if (objectiveExamples < 0)
        throw Error(QStringLiteral("sweep: the examples evaluated for the objective must not be negative"));
    if (maxTrials < 0 || stepsPerTrial < 0)
        throw Error(QStringLiteral("sweep: the number of trials and the steps per trial must not be negative"));
    // Every trial must be a valid configuration: checked now, not when its trial comes up.
    for (const QJsonObject& settings : sweepTrialSettings(*this)) {
        try {
            validateTrainSettings(sweepTrialConfig(base, settings, *this));
        } catch (const Error& error) {
            throw Error(QStringLiteral("sweep: the trial %1 is not a valid configuration: %2")
                            .arg(sweepSettingsText(settings), error.message()));
        }
    }
}

SweepParameter parseSweepParameter(const QString& text)
{
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    if (equals <= 0 || equals == text.size() - 1)
        throw Error(QStringLiteral("sweep: \"%1\" should be SETTING=VALUE,VALUE,... (e.g. lr=1e-4,3e-4)").arg(text));
    QString key = text.left(equals).trimmed();
    if (const auto found = shortNames().find(key); found != shortNames().end())
        key = found->second;
    SweepParameter parameter{key, {}};
    std::set<QString> seen;
    for (const QString& value : text.mid(equals + 1).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!seen.insert(value.trimmed()).second)
            throw Error(QStringLiteral("sweep: \"%1\" lists %2 twice").arg(key, value.trimmed()));
        parameter.values.append(parseValue(value));
    }
    if (parameter.values.isEmpty())
        throw Error(QStringLiteral("sweep: \"%1\" has no values").arg(text));
    return parameter;
}

qint64 sweepGridSize(const SweepSpec& spec)
{
    qint64 size = 1;
    for (const SweepParameter& p : spec.parameters)
        size = std::min<qint64>(size * std::max<qint64>(1, p.values.size()), kMaxSweepGrid + 1);
    return size;
}

QString sweepValueText(const QJsonValue& value)
{
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::number(value.toDouble(), 'g', 6);
}

QString sweepSettingsText(const QJsonObject& settings)
{
    QStringList parts;
    for (auto it = settings.begin(); it != settings.end(); ++it)
        parts << QStringLiteral("%1=%2").arg(it.key(), sweepValueText(it.value()));
    return parts.join(QLatin1Char(' '));
}

std::vector<QJsonObject> sweepTrialSettings(const SweepSpec& spec)
{
    if (sweepGridSize(spec) > kMaxSweepGrid)
        throw Error(QStringLiteral("sweep: the values make more than %1 combinations; try fewer values per setting")
                        .arg(kMaxSweepGrid));
    // Every combination, the first parameter varying slowest.
    std::vector<QJsonObject> grid{QJsonObject()};
    for (const SweepParameter& p : spec.parameters) {
        std::vector<QJsonObject> next;
        for (const QJsonObject& partial : grid)
            for (const QJsonValue& value : p.values) {
                QJsonObject combined = partial;
                combined[p.key] = value;
                next.push_back(combined);
            }
        grid = std::move(next);
    }
    if (spec.method == QLatin1String("random")) {
        const size_t count =
            std::min<size_t>(grid.size(), static_cast<size_t>(spec.maxTrials > 0 ? spec.maxTrials : 8));
        std::mt19937_64 random(spec.seed);
        std::shuffle(grid.begin(), grid.end(), random);
        grid.resize(count);
        return grid;
    }
    if (spec.maxTrials > 0 && grid.size() > static_cast<size_t>(spec.maxTrials))
        grid.resize(static_cast<size_t>(spec.maxTrials));
    return grid;
}

TrainConfig sweepTrialConfig(const TrainConfig& base, const QJsonObject& settings, const SweepSpec& spec)
{
    QJsonObject json = base.toJson();
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        if (!json.contains(it.key()))
            throw Error(QStringLiteral("sweep: \"%1\" is not a training setting").arg(it.key()));
        json[it.key()] = it.value();
    }
    if (spec.stepsPerTrial > 0)
        json[QStringLiteral("max_steps")] = static_cast<qint64>(spec.stepsPerTrial);
    json.remove(QStringLiteral("mode")); // keep the base's settings as they are: no preset on top
    // fromJson refuses, by name, a value of the wrong kind (text for a number, 8.5 for an integer).
    TrainConfig config = TrainConfig::fromJson(json, QStringLiteral("sweep"));
    config.mode = base.mode;
    return config;
}

bool medianRuleStops(double valLoss, std::vector<double> othersAtStep, int minimumOthers)
{
    if (!std::isfinite(valLoss))
        return true;
    if (static_cast<int>(othersAtStep.size()) < std::max(1, minimumOthers))
        return false;
    std::sort(othersAtStep.begin(), othersAtStep.end());
    const size_t n = othersAtStep.size();
    const double median = n % 2 ? othersAtStep[n / 2] : 0.5 * (othersAtStep[n / 2 - 1] + othersAtStep[n / 2]);
    return valLoss > median;
}

} // namespace ft
