// ftstudio-cli report RUN RUN... --out DIR: a report on a set of runs in Markdown and HTML with the
// loss curves as an SVG image, the settings that differ, final and evaluation metrics, and a few
// examples side by side.

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "report/report_data.h"
#include "report/report_render.h"

namespace ft::cli {

int runReport(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("One or more runs (ids or names)."),
                                 QStringLiteral("RUN RUN..."));
    parser.addOptions({
        {QStringLiteral("out"),
         QStringLiteral("The folder to write report.md, report.html and loss-curves.svg into (created if missing)."),
         QStringLiteral("DIR")},
        {QStringLiteral("title"), QStringLiteral("The report's title (default: the run ids)."), QStringLiteral("TEXT")},
        {QStringLiteral("examples"), QStringLiteral("Example comparisons shown (default 5; 0: none)."),
         QStringLiteral("N"), QStringLiteral("5")},
        {QStringLiteral("checkpoint"),
         QStringLiteral("The evaluation whose examples are shown (default: the first run's newest)."),
         QStringLiteral("C")},
        {QStringLiteral("split"), QStringLiteral("With --checkpoint: the evaluated split."), QStringLiteral("SPLIT")},
        {QStringLiteral("metric"), QStringLiteral("Per-example score the examples are chosen by (default rouge-l)."),
         QStringLiteral("M"), QStringLiteral("rouge-l")},
    });
    addWorkspaceOptions(parser);
    if (!parseArguments(
            parser, args,
            QStringLiteral("Write a report on runs for a ticket or a colleague: Markdown and a self-contained "
                           "HTML page with the loss curves (SVG), the settings that differ, the final and "
                           "evaluation metrics, and the examples whose outputs differ most. Each file is "
                           "written atomically; other files in the folder are left alone.")))
        return 0;
    const QStringList names = parser.positionalArguments();
    if (names.isEmpty())
        throw UsageError{QStringLiteral("expected one or more runs")};
    if (!parser.isSet(QStringLiteral("out")))
        throw UsageError{QStringLiteral("--out DIR is required")};
    ReportOptions options;
    options.title = parser.value(QStringLiteral("title"));
    options.examples = static_cast<int>(integerOption(parser, QStringLiteral("examples"), 0));
    options.checkpoint = parser.value(QStringLiteral("checkpoint"));
    options.split = parser.value(QStringLiteral("split"));
    options.metric = parser.value(QStringLiteral("metric")).trimmed().toLower();

    const Workspace workspace = openWorkspace(parser);
    RunStore runs(workspace.database(), workspace.path());
    std::vector<qint64> ids;
    for (const QString& name : names)
        ids.push_back(runs.resolve(name).id);
    const ReportData data = collectReportData(workspace.database(), workspace.path(), ids, options);
    const ReportFiles files = writeReport(data, parser.value(QStringLiteral("out")));
    if (jsonRequested(parser)) {
        printJson({{QStringLiteral("markdown"), files.markdown},
                   {QStringLiteral("html"), files.html},
                   {QStringLiteral("chart"), files.chart},
                   {QStringLiteral("runs"), static_cast<qint64>(ids.size())},
                   {QStringLiteral("examples"), data.examples ? static_cast<qint64>(data.examples->rows.size()) : 0}});
        return 0;
    }
    out() << "wrote " << files.markdown << "\n      " << files.html << "\n      " << files.chart << "\n";
    out().flush();
    return 0;
}

} // namespace ft::cli
