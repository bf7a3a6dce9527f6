#include "report/report_render.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <QDateTime>
#include <QDir>

#include "common/app_paths.h"
#include "common/atomic_write.h"
#include "common/error.h"

namespace ft {

namespace {

QString number(double value) { return settingNumber(value); }

QString when(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm")); }

QString duration(const RunInfo& run)
{
    if (!run.started || !run.finished)
        return QStringLiteral("-");
    const qint64 seconds = std::max<qint64>(0, (*run.finished - *run.started) / 1000);
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(seconds / 60 % 60);
}

// A table: a header row and body rows, rendered by each format.
struct Table {
    QStringList header;
    std::vector<QStringList> rows;
};

Table overviewTable(const ReportData& data)
{
    Table table;
    table.header << QString();
    for (const ReportRun& run : data.runs)
        table.header << runLabel(run.info);
    auto add = [&](const QString& name, const std::function<QString(const RunInfo&)>& value) {
        QStringList row{name};
        for (const ReportRun& run : data.runs)
            row << value(run.info);
        table.rows.push_back(row);
    };
    add(QStringLiteral("status"), [](const RunInfo& r) {
        return runStatusName(r.status) + (r.message.isEmpty() ? QString() : QStringLiteral(": ") + r.message);
    });
    add(QStringLiteral("mode"), [](const RunInfo& r) { return r.mode.isEmpty() ? QStringLiteral("-") : r.mode; });
    add(QStringLiteral("base model"),
        [](const RunInfo& r) { return r.baseModelPath.isEmpty() ? QStringLiteral("-") : r.baseModelPath; });
    add(QStringLiteral("dataset"), [](const RunInfo& r) { return runDatasetLabel(r); });
    add(QStringLiteral("created"), [](const RunInfo& r) { return when(r.created); });
    add(QStringLiteral("training time"), [](const RunInfo& r) { return duration(r); });
    add(QStringLiteral("tokens seen"), [](const RunInfo& r) { return QString::number(r.tokensSeen); });
    add(QStringLiteral("best validation loss"),
        [](const RunInfo& r) { return r.bestValLoss ? number(*r.bestValLoss) : QStringLiteral("-"); });
    return table;
}

Table differencesTable(const ReportData& data)
{
    Table table;
    table.header << QStringLiteral("setting");
    for (const ReportRun& run : data.runs)
        table.header << runLabel(run.info);
    for (const SettingRow& row : data.differences)
        table.rows.push_back(QStringList{row.key} + row.values);
    return table;
}

Table finalMetricsTable(const ReportData& data)
{
    Table table;
    table.header << QStringLiteral("metric (last value @ step)");
    std::set<QString> names;
    for (const ReportRun& run : data.runs) {
        table.header << runLabel(run.info);
        for (const auto& [name, point] : run.last)
            names.insert(name);
    }
    for (const QString& name : names) {
        QStringList row{name};
        for (const ReportRun& run : data.runs) {
            const auto it = run.last.find(name);
            row << (it == run.last.end()
                        ? QStringLiteral("-")
                        : QStringLiteral("%1 @ %2").arg(number(it->second.value)).arg(it->second.step));
        }
        table.rows.push_back(row);
    }
    return table;
}

// Each rated pair: the first model's win rate against the second, as people rated them blind.
Table ratingsTable(const ReportData& data)
{
    Table table;
    table.header << QStringLiteral("model") << QStringLiteral("against") << QStringLiteral("win rate")
                 << QStringLiteral("95 % interval") << QStringLiteral("wins") << QStringLiteral("losses")
                 << QStringLiteral("ties");
    for (const PairTally& t : data.ratings) {
        const WinRate& w = t.aWins;
        table.rows.push_back({t.a.label, t.b.label, QStringLiteral("%1 %").arg(std::round(100 * w.rate())),
                              QStringLiteral("%1–%2 %").arg(std::round(100 * w.low())).arg(std::round(100 * w.high())),
                              QString::number(w.wins), QString::number(w.losses), QString::number(w.ties)});
    }
    return table;
}

const QString kRatingsNote = QStringLiteral(
    "Rated blind in the studio (Runs ▸ Rate blind…): the two answers to each example were shown in random order "
    "without their models' names. A tie counts half a win; the interval is Wilson's at 95 %.");

Table evaluationTable(const ReportData& data)
{
    Table table;
    table.header << QStringLiteral("checkpoint / split / metric");
    const bool base = data.examples && data.examples->columns.front().evaluation.kind == EvaluationKind::Base;
    std::vector<std::map<QString, double>> values;
    std::vector<QString> keys; // first-seen order
    for (const ReportRun& run : data.runs) {
        table.header << runLabel(run.info);
        values.emplace_back();
        for (const EvaluationRecord& e : run.evaluations) {
            const QString key = QStringLiteral("%1 / %2 / %3").arg(e.checkpoint, e.split, e.metric);
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(key);
            values.back()[key] = e.value;
        }
    }
    if (base) {
        const StoredEvaluation& b = data.examples->columns.front().evaluation;
        table.header << QStringLiteral("base model");
        values.emplace_back();
        for (const auto& [metric, value] : b.metrics) {
            // The base column lines up with the runs' rows of the evaluation the examples come from.
            const QString key =
                QStringLiteral("%1 / %2 / %3").arg(data.examples->columns[1].evaluation.checkpoint, b.split, metric);
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(key);
            values.back()[key] = value;
        }
    }
    for (const QString& key : keys) {
        QStringList row{key};
        for (const auto& column : values) {
            const auto it = column.find(key);
            row << (it == column.end() ? QStringLiteral("-") : number(it->second));
        }
        table.rows.push_back(row);
    }
    return table;
}

QString scoresText(const EvaluationOutput& output)
{
    return QStringLiteral("BLEU %1, ROUGE-L %2, F1 %3, exact match %4")
        .arg(number(output.score(QStringLiteral("bleu"))), number(output.score(QStringLiteral("rouge-l"))),
             number(output.score(QStringLiteral("f1"))),
             output.score(QStringLiteral("exact-match")) > 0 ? QStringLiteral("yes") : QStringLiteral("no"));
}

QString signedNumber(double value) { return (value > 0 ? QStringLiteral("+") : QString()) + number(value); }

// ---- Markdown ----

QString mdCell(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('|'), QStringLiteral("\\|"));
    text.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    return text.trimmed().isEmpty() ? QStringLiteral(" ") : text;
}

QString mdTable(const Table& table)
{
    QString out;
    QStringList header;
    for (const QString& h : table.header)
        header << mdCell(h);
    out += QStringLiteral("| %1 |\n").arg(header.join(QStringLiteral(" | ")));
    out += QStringLiteral("|%1\n").arg(QStringLiteral(" --- |").repeated(table.header.size()));
    for (const QStringList& row : table.rows) {
        QStringList cells;
        for (const QString& c : row)
            cells << mdCell(c);
        out += QStringLiteral("| %1 |\n").arg(cells.join(QStringLiteral(" | ")));
    }
    return out;
}

// A fenced block longer than any run of backticks inside the text.
QString mdBlock(const QString& text)
{
    int longest = 0, current = 0;
    for (QChar c : text) {
        current = c == QLatin1Char('`') ? current + 1 : 0;
        longest = std::max(longest, current);
    }
    const QString fence(std::max(3, longest + 1), QLatin1Char('`'));
    return QStringLiteral("%1text\n%2\n%1\n").arg(fence, text.isEmpty() ? QStringLiteral("(empty)") : text);
}

// ---- HTML ----

QString h(const QString& text) { return text.toHtmlEscaped(); }

QString htmlTable(const Table& table)
{
    QString out = QStringLiteral("<table>\n<thead><tr>");
    for (const QString& c : table.header)
        out += QStringLiteral("<th>%1</th>").arg(h(c));
    out += QStringLiteral("</tr></thead>\n<tbody>\n");
    for (const QStringList& row : table.rows) {
        out += QStringLiteral("<tr>");
        for (int i = 0; i < row.size(); ++i)
            out += i == 0 ? QStringLiteral("<th>%1</th>").arg(h(row[i])) : QStringLiteral("<td>%1</td>").arg(h(row[i]));
        out += QStringLiteral("</tr>\n");
    }
    return out + QStringLiteral("</tbody></table>\n");
}

} // namespace

LineChart lossCurveChart(const ReportData& data)
{
    LineChart chart;
    chart.title = QStringLiteral("Training and validation loss");
    chart.xLabel = QStringLiteral("step");
    chart.yLabel = QStringLiteral("loss");
    int index = 0;
    for (const ReportRun& run : data.runs) {
        const QString color = chartColor(index++);
        auto series = [&](const MetricSeries& m, const QString& what, bool dashed) {
            ChartSeries s;
            s.label = QStringLiteral("%1 %2").arg(runLabel(run.info).left(22), what);
            s.color = color;
            s.dashed = dashed;
            s.markers = dashed;
            for (size_t i = 0; i < m.steps.size(); ++i) {
                s.x.push_back(static_cast<double>(m.steps[i]));
                s.y.push_back(m.values[i]);
            }
            return s;
        };
        chart.series.push_back(series(run.loss, QStringLiteral("train"), false));
        if (!run.valLoss.steps.empty())
            chart.series.push_back(series(run.valLoss, QStringLiteral("val"), true));
    }
    return chart;
}

QString renderReportMarkdown(const ReportData& data, const QString& chartFileName)
{
    QString md;
    md += QStringLiteral("# %1\n\n").arg(data.title);
    md += QStringLiteral("Generated %1 by FineTune Studio %2.\n\n").arg(when(data.generated), appVersion());
    md += QStringLiteral("## Runs\n\n") + mdTable(overviewTable(data)) + QStringLiteral("\n");
    md += QStringLiteral("## Settings that differ\n\n");
    md += data.differences.empty() ? QStringLiteral("The runs have the same settings.\n\n")
                                   : mdTable(differencesTable(data)) + QStringLiteral("\n");
    md += QStringLiteral("## Loss curves\n\n![Training (solid) and validation (dashed) loss per run](%1)\n\n")
              .arg(chartFileName);
    md += QStringLiteral("## Final metrics\n\n") + mdTable(finalMetricsTable(data)) + QStringLiteral("\n");
    const Table evaluations = evaluationTable(data);
    md += QStringLiteral("## Evaluation\n\n");
    md += evaluations.rows.empty()
              ? QStringLiteral("No evaluations recorded.\n\n")
              : mdTable(evaluations) +
                    QStringLiteral("\nBLEU, ROUGE-L, F1 and exact match are fractions in [0, 1]; "
                                   "BLEU is corpus BLEU-4 on whitespace tokens (see docs/evaluation.md).\n\n");
    if (!data.ratings.empty())
        md += QStringLiteral("## People's ratings\n\n") + mdTable(ratingsTable(data)) + QStringLiteral("\n") +
              kRatingsNote + QStringLiteral("\n\n");
    if (data.examples && !data.examples->rows.empty()) {
        md += QStringLiteral("## Examples\n\n%1.\n\n").arg(data.examplesCaption);
        int n = 0;
        for (const ComparisonRow& row : data.examples->rows) {
            md += QStringLiteral("### Example %1 (#%2, %3 difference %4)\n\n")
                      .arg(++n)
                      .arg(row.index)
                      .arg(data.examples->metric, signedNumber(row.difference));
            md += QStringLiteral("**Prompt**\n\n") + mdBlock(row.prompt) + QStringLiteral("\n**Reference**\n\n") +
                  mdBlock(row.reference);
            for (size_t c = 0; c < row.outputs.size(); ++c) {
                const auto& output = row.outputs[c];
                md += QStringLiteral("\n**%1**%2\n\n")
                          .arg(data.examples->columns[c].label, output ? QStringLiteral(" — ") + scoresText(*output)
                                                                       : QStringLiteral(" — not evaluated"));
                if (output)
                    md += mdBlock(output->output);
            }
            md += QStringLiteral("\n");
        }
    }
    return md;
}

QString renderReportHtml(const ReportData& data, const QString& chartSvg)
{
    QString html;
    html += QStringLiteral("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%1</title>\n")
                .arg(h(data.title));
    html += QStringLiteral(
        "<style>\n"
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;padding:0 "
        "1em;color:#222}\n"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px "
        "8px;text-align:left;vertical-align:top}\n"
        "thead th{background:#f0f0f0}tbody th{font-weight:normal;color:#444;background:#fafafa}\n"
        "pre{white-space:pre-wrap;background:#f6f6f6;border:1px solid #ddd;padding:6px 8px;margin:0.2em 0 0.8em}\n"
        ".example{border-top:1px solid #ddd;padding-top:0.5em}.scores{color:#555;font-size:90%}\n"
        "</style>\n</head>\n<body>\n");
    html += QStringLiteral("<h1>%1</h1>\n<p>Generated %2 by FineTune Studio %3.</p>\n")
                .arg(h(data.title), h(when(data.generated)), h(appVersion()));
    html += QStringLiteral("<h2>Runs</h2>\n") + htmlTable(overviewTable(data));
    html += QStringLiteral("<h2>Settings that differ</h2>\n");
    html += data.differences.empty() ? QStringLiteral("<p>The runs have the same settings.</p>\n")
                                     : htmlTable(differencesTable(data));
    html += QStringLiteral("<h2>Loss curves</h2>\n<figure>\n") + chartSvg +
            QStringLiteral(
                "\n<figcaption>Training (solid) and validation (dashed) loss per run.</figcaption>\n</figure>\n");
    html += QStringLiteral("<h2>Final metrics</h2>\n") + htmlTable(finalMetricsTable(data));
    const Table evaluations = evaluationTable(data);
    html += QStringLiteral("<h2>Evaluation</h2>\n");
    html += evaluations.rows.empty()
                ? QStringLiteral("<p>No evaluations recorded.</p>\n")
                : htmlTable(evaluations) +
                      QStringLiteral("<p>BLEU, ROUGE-L, F1 and exact match are fractions in [0, 1]; BLEU "
                                     "is corpus BLEU-4 on whitespace tokens.</p>\n");
    if (!data.ratings.empty())
        html += QStringLiteral("<h2>People's ratings</h2>\n") + htmlTable(ratingsTable(data)) +
                QStringLiteral("<p>%1</p>\n").arg(h(kRatingsNote));
    if (data.examples && !data.examples->rows.empty()) {
        html += QStringLiteral("<h2>Examples</h2>\n<p>%1.</p>\n").arg(h(data.examplesCaption));
        int n = 0;
        for (const ComparisonRow& row : data.examples->rows) {
            html += QStringLiteral("<div class=\"example\">\n<h3>Example %1 (#%2, %3 difference %4)</h3>\n")
                        .arg(++n)
                        .arg(row.index)
                        .arg(h(data.examples->metric), h(signedNumber(row.difference)));
            html += QStringLiteral("<p><b>Prompt</b></p><pre>%1</pre>\n<p><b>Reference</b></p><pre>%2</pre>\n")
                        .arg(h(row.prompt), h(row.reference));
            for (size_t c = 0; c < row.outputs.size(); ++c) {
                const auto& output = row.outputs[c];
                html += QStringLiteral("<p><b>%1</b> <span class=\"scores\">%2</span></p>\n")
                            .arg(h(data.examples->columns[c].label),
                                 h(output ? scoresText(*output) : QStringLiteral("not evaluated")));
                if (output)
                    html += QStringLiteral("<pre>%1</pre>\n").arg(h(output->output));
            }
            html += QStringLiteral("</div>\n");
        }
    }
    return html + QStringLiteral("</body>\n</html>\n");
}

ReportFiles writeReport(const ReportData& data, const QString& dir)
{
    ReportFiles files;
    const QDir out(dir);
    files.markdown = out.absoluteFilePath(QStringLiteral("report.md"));
    files.html = out.absoluteFilePath(QStringLiteral("report.html"));
    files.chart = out.absoluteFilePath(QStringLiteral("loss-curves.svg"));
    const LineChart chart = lossCurveChart(data);
    const QByteArray svg = renderSvgLineChart(chart).toUtf8();
    const QByteArray markdown = renderReportMarkdown(data, QStringLiteral("loss-curves.svg")).toUtf8();
    const QByteArray html = renderReportHtml(data, renderSvgLineChart(chart, /*embedded=*/true)).toUtf8();
    if (!QDir().mkpath(out.absolutePath()))
        throw Error(QStringLiteral("%1: cannot create the report folder").arg(dir));
    writeFileAtomically(files.chart, svg);
    writeFileAtomically(files.markdown, markdown);
    writeFileAtomically(files.html, html);
    return files;
}

} // namespace ft
