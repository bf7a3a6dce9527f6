#include "dialogs/compare_data.h"

#include <cmath>

#include "common/error.h"
#include "store/database.h"
#include "store/evaluation_store.h"
#include "store/rating_store.h"
#include "store/workspace.h"
#include "ui_format.h"

namespace ft::ui {

namespace {

std::map<qint64, double> byStep(const MetricSeries& series)
{
    std::map<qint64, double> map;
    for (size_t i = 0; i < series.steps.size(); ++i)
        map[series.steps[i]] = series.values[i];
    return map;
}

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    return QLatin1Char('"') + QString(text).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
}

QString number(double value, int decimals)
{
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("–");
}

} // namespace

CompareData loadCompareData(const QString& workspacePath, const QList<qint64>& runIds)
{
    const Workspace workspace = Workspace::open(workspacePath);
    QSqlDatabase db = workspace.database();
    ReadSnapshot snapshot(db);
    RunStore runs(db, workspace.path());
    MetricStore metrics(db);
    EvaluationStore evaluations(db);
    CompareData data;
    std::vector<RunInfo> infos;
    for (qint64 id : runIds) {
        std::optional<RunInfo> info = runs.run(id);
        if (!info)
            throw Error(QStringLiteral("run %1 does not exist (deleted meanwhile?)").arg(id));
        ComparedRun run;
        run.info = *info;
        run.loss = metrics.series(id, QStringLiteral("loss"));
        run.valLoss = metrics.series(id, QStringLiteral("val_loss"));
        run.tokensAt = byStep(metrics.series(id, QStringLiteral("tokens")));
        run.secondsAt = byStep(metrics.series(id, QStringLiteral("elapsed")));
        if (std::optional<LatestEvaluation> latest = evaluations.latestEvaluation(id)) {
            run.evaluation = latest->label;
            run.evalMetrics = std::move(latest->metrics);
        }
        infos.push_back(run.info);
        data.runs.push_back(std::move(run));
    }
    data.differences = settingDifferences(infos);

    auto addRow = [&data](const QString& name, const QStringList& values) {
        data.metricNames << name;
        data.metricValues.push_back(values);
    };
    QStringList status, lastLoss, bestVal, tokens, time, evaluation;
    std::map<QString, QStringList> evalRows;
    QStringList evalNames;
    for (const ComparedRun& run : data.runs)
        for (const auto& [name, value] : run.evalMetrics)
            if (!evalNames.contains(name))
                evalNames << name;
    for (const ComparedRun& run : data.runs) {
        status << runStatusName(run.info.status);
        lastLoss << (run.loss.values.empty() ? QStringLiteral("–") : number(run.loss.values.back(), 4));
        bestVal << (run.info.bestValLoss ? number(*run.info.bestValLoss, 4) : QStringLiteral("–"));
        tokens << QString::number(run.info.tokensSeen);
        time << (run.secondsAt.empty() ? QStringLiteral("–") : formatClock(run.secondsAt.rbegin()->second));
        evaluation << (run.evaluation.isEmpty() ? QStringLiteral("–") : run.evaluation);
        for (const QString& name : evalNames) {
            const auto it = run.evalMetrics.find(name);
            evalRows[name] << (it == run.evalMetrics.end() ? QStringLiteral("–") : number(it->second, 4));
        }
    }
    addRow(QStringLiteral("status"), status);
    addRow(QStringLiteral("final loss"), lastLoss);
    addRow(QStringLiteral("best val loss"), bestVal);
    addRow(QStringLiteral("tokens"), tokens);
    addRow(QStringLiteral("time"), time);
    if (!evalNames.isEmpty()) {
        addRow(QStringLiteral("evaluation"), evaluation);
        for (const QString& name : evalNames)
            addRow(QStringLiteral("eval ") + name, evalRows[name]);
    }
    // People's blind ratings: each run's win rate against every model it was rated against.
    QStringList rated;
    bool anyRated = false;
    const RatingStore ratings(db);
    for (const ComparedRun& run : data.runs) {
        QStringList parts;
        for (const PairTally& stored : ratings.talliesForRun(run.info.id)) {
            const PairTally tally = stored.seenFrom(run.info.id);
            const WinRate& w = tally.aWins;
            parts << QStringLiteral("vs %1: %2 % (%3–%4 %, n %5)")
                         .arg(tally.b.label)
                         .arg(std::round(100 * w.rate()))
                         .arg(std::round(100 * w.low()))
                         .arg(std::round(100 * w.high()))
                         .arg(w.count());
        }
        anyRated = anyRated || !parts.isEmpty();
        rated << (parts.isEmpty() ? QStringLiteral("–") : parts.join(QStringLiteral("; ")));
    }
    if (anyRated)
        addRow(QStringLiteral("rated win rate"), rated);
    return data;
}

std::vector<double> alignedX(const ComparedRun& run, const MetricSeries& series, CompareAxis axis,
                             std::vector<bool>& keep)
{
    std::vector<double> x;
    keep.assign(series.steps.size(), true);
    for (size_t i = 0; i < series.steps.size(); ++i) {
        const qint64 step = series.steps[i];
        if (axis == CompareAxis::Step) {
            x.push_back(static_cast<double>(step));
            continue;
        }
        const std::map<qint64, double>& map = axis == CompareAxis::Tokens ? run.tokensAt : run.secondsAt;
        // A validation point at a step without its own record takes the nearest step before it.
        auto it = map.upper_bound(step);
        if (it == map.begin()) {
            keep[i] = false;
            continue;
        }
        x.push_back(std::prev(it)->second);
    }
    return x;
}

QByteArray compareCsv(const CompareData& data)
{
    QStringList header{QStringLiteral("section"), QStringLiteral("key")};
    for (const ComparedRun& run : data.runs)
        header << QStringLiteral("#%1 %2").arg(run.info.id).arg(run.info.name);
    QStringList lines;
    auto line = [](const QStringList& fields) {
        QStringList quoted;
        for (const QString& f : fields)
            quoted << csvField(f);
        return quoted.join(QLatin1Char(','));
    };
    lines << line(header);
    for (const SettingRow& row : data.differences)
        lines << line(QStringList{QStringLiteral("setting"), row.key} + row.values);
    for (int i = 0; i < data.metricNames.size(); ++i)
        lines << line(QStringList{QStringLiteral("metric"), data.metricNames[i]} +
                      data.metricValues[static_cast<size_t>(i)]);
    return (lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n")).toUtf8();
}

} // namespace ft::ui
