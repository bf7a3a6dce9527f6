// A report on two runs, from a workspace filled as the worker and `eval` fill it: the files are
// written (and nothing else left in the folder), the Markdown and HTML hold the numbers, the settings
// that differ and the examples, and the loss-curve SVG is well-formed with one curve per series.

#include <cmath>

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "report/report_data.h"
#include "report/report_render.h"
#include "store/evaluation_store.h"
#include "store/metric_store.h"
#include "store/rating_store.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "svg_test_util.h"

using namespace ft;

namespace {

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::vector<EvaluationOutput> outputs(const QString& who, const std::vector<double>& rouge)
{
    std::vector<EvaluationOutput> result;
    for (size_t i = 0; i < rouge.size(); ++i)
        result.push_back({static_cast<qint64>(i), QStringLiteral("key%1").arg(i),
                          QStringLiteral("Tell a story about %1.").arg(i),
                          QStringLiteral("Once upon a time %1.").arg(i),
                          QStringLiteral("%1 says <story> %2 | & more").arg(who).arg(i), 12, 8, QStringLiteral("eos"),
                          QJsonObject{{QStringLiteral("bleu"), rouge[i] / 2},
                                      {QStringLiteral("rouge-l"), rouge[i]},
                                      {QStringLiteral("exact-match"), 0},
                                      {QStringLiteral("f1"), rouge[i]}}});
    return result;
}

} // namespace

class TestReport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::vector<qint64> m_runs;
    QString m_workspace;

private slots:
    void initTestCase()
    {
        m_workspace = m_dir.filePath(QStringLiteral("ws"));
        WorkspaceOptions options;
        options.seedSampleDataset = false;
        const Workspace workspace = Workspace::open(m_workspace, options);
        RunStore runs(workspace.database(), workspace.path());
        MetricStore metrics(workspace.database());
        EvaluationStore evaluations(workspace.database());
        for (int r = 0; r < 2; ++r) {
            NewRun run;
            run.name = r == 0 ? QStringLiteral("lr small") : QStringLiteral("lr large");
            run.mode = QStringLiteral("instruction");
            run.baseModelPath = QStringLiteral("/models/stories260K");
            run.config = {{QStringLiteral("learning_rate"), r == 0 ? 0.0002 : 0.002},
                          {QStringLiteral("max_steps"), 20},
                          {QStringLiteral("template"), QStringLiteral("alpaca")}};
            const qint64 id = runs.createRun(run);
            runs.setStatus(id, RunStatus::Running);
            std::vector<MetricPoint> points;
            for (int step = 1; step <= 20; ++step)
                points.push_back({step, QStringLiteral("loss"), 4.0 - step * (r == 0 ? 0.05 : 0.1), 0});
            points.push_back({10, QStringLiteral("val_loss"), r == 0 ? 3.61 : 3.17, 0});
            points.push_back({20, QStringLiteral("val_loss"), r == 0 ? 3.25 : 2.4321, 0});
            metrics.append(id, points);
            runs.finishRun(id, RunStatus::Finished, 5120 * (r + 1), r == 0 ? 3.25 : 2.4321);

            StoredEvaluation e;
            e.runId = id;
            e.checkpoint = QStringLiteral("final");
            e.split = QStringLiteral("val");
            e.recordsSha256 = QStringLiteral("records");
            e.examples = 4;
            e.settingsKey = QStringLiteral("settings");
            e.modelId = QStringLiteral("stories");
            e.modelPath = run.baseModelPath;
            e.metrics = {{QStringLiteral("loss"), r == 0 ? 3.2468 : 2.4357},
                         {QStringLiteral("bleu"), r == 0 ? 0.0123 : 0.0456},
                         {QStringLiteral("rouge-l"), r == 0 ? 0.1876 : 0.2987}};
            evaluations.saveRunEvaluation(e, outputs(run.name, r == 0 ? std::vector<double>{0.1, 0.2, 0.3, 0.4}
                                                                      : std::vector<double>{0.1, 0.9, 0.3, 0.0}));
            m_runs.push_back(id);
        }
        StoredEvaluation base;
        base.kind = EvaluationKind::Base;
        base.modelId = QStringLiteral("stories");
        base.modelPath = QStringLiteral("/models/stories260K");
        base.split = QStringLiteral("val");
        base.recordsSha256 = QStringLiteral("records");
        base.settingsKey = QStringLiteral("settings");
        base.examples = 4;
        base.metrics = {{QStringLiteral("loss"), 5.8765}, {QStringLiteral("rouge-l"), 0.0567}};
        evaluations.saveBaseEvaluation(base, outputs(QStringLiteral("base"), {0.1, 0.1, 0.1, 0.1}));

        // People rated "lr large" against the base blind: 3 wins and a loss.
        RatingStore ratings(workspace.database());
        for (int i = 0; i < 4; ++i) {
            Rating rating;
            rating.a = {QStringLiteral("run:%1:final").arg(m_runs[1]), QStringLiteral("#2 lr large (final)"),
                        m_runs[1]};
            rating.b = {QStringLiteral("base:stories"), QStringLiteral("base"), 0};
            rating.exampleKey = QStringLiteral("key%1").arg(i);
            rating.verdict = i < 3 ? Verdict::A : Verdict::B;
            ratings.save(rating);
        }
    }

    void reportOfTwoRuns()
    {
        const Workspace workspace = Workspace::open(m_workspace);
        ReportOptions options;
        options.examples = 2;
        const ReportData data = collectReportData(workspace.database(), workspace.path(), m_runs, options);
        QCOMPARE(data.runs.size(), size_t(2));
        QVERIFY(data.examples);
        QCOMPARE(data.examples->columns.size(), size_t(3)); // base and both runs
        QCOMPARE(data.examples->rows.size(), size_t(2));
        QCOMPARE(data.examples->rows[0].index, 1); // lr large: 0.9 against the base's 0.1
        QCOMPARE(data.ratings.size(), size_t(1));

        const QString out = m_dir.filePath(QStringLiteral("out/report"));
        const ReportFiles files = writeReport(data, out);
        QCOMPARE(QDir(out).entryList(QDir::Files | QDir::Hidden, QDir::Name),
                 (QStringList{QStringLiteral("loss-curves.svg"), QStringLiteral("report.html"),
                              QStringLiteral("report.md")}));

        const QString md = QString::fromUtf8(readAll(files.markdown));
        for (const char* expected : {"config.learning_rate", "0.0002", "0.002", // the setting that differs
                                     "2.4321", "3.25",                          // best validation losses
                                     "2.4357", "0.0456", "0.2987", "5.8765",    // evaluations, base included
                                     "![", "loss-curves.svg",                   // the chart
                                     "Tell a story about 1."})                  // an example's prompt
            QVERIFY2(md.contains(QLatin1String(expected)), expected);
        QVERIFY(md.contains(QLatin1String("lr large says <story> 1 | & more"))); // fenced blocks keep text as is
        QVERIFY(!md.contains(QLatin1String("config.max_steps")));                // equal settings are not listed
        QVERIFY(md.contains(QLatin1String("## Settings that differ")));
        // The ratings: 3 of 4, Wilson's 95 % interval 30–95 %.
        QVERIFY(md.contains(QLatin1String("## People's ratings")));
        QVERIFY2(md.contains(QStringLiteral("| #2 lr large (final) | base | 75 % | 30–95 % | 3 | 1 | 0 |")),
                 qPrintable(md.mid(md.indexOf(QLatin1String("## People")), 400)));

        const QString html = QString::fromUtf8(readAll(files.html));
        QVERIFY(html.startsWith(QLatin1String("<!DOCTYPE html>")));
        QVERIFY(html.contains(QLatin1String("<svg"))); // the chart inlined: one self-contained page
        QVERIFY(!html.contains(QLatin1String("loss-curves.svg")));
        QVERIFY(html.contains(QLatin1String("lr large says &lt;story&gt; 1 | &amp; more")));
        QVERIFY(html.contains(QLatin1String("2.4321")) && html.contains(QLatin1String("config.learning_rate")));

        const QByteArray svg = readAll(files.chart);
        QVERIFY(svg.size() > 1000);
        const test::SvgCheck check = test::checkSvg(svg);
        QVERIFY2(check.wellFormed, qPrintable(check.error));
        QCOMPARE(check.root, QStringLiteral("svg"));
        QCOMPARE(check.elements.at(QStringLiteral("polyline")), 4); // train and val of each run
        QVERIFY(check.texts.contains(QStringLiteral("#%1 lr large val").arg(m_runs[1])));
    }

    void writingAgainReplacesOnlyTheReportFiles()
    {
        const Workspace workspace = Workspace::open(m_workspace);
        const QString out = m_dir.filePath(QStringLiteral("shared-folder"));
        QDir().mkpath(out);
        QFile other(QDir(out).filePath(QStringLiteral("notes.txt")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("mine");
        other.close();
        ReportOptions options;
        options.examples = 0;
        options.title = QStringLiteral("Only one run");
        writeReport(collectReportData(workspace.database(), workspace.path(), {m_runs[0]}, options), out);
        writeReport(collectReportData(workspace.database(), workspace.path(), {m_runs[0]}, options), out);
        QCOMPARE(QDir(out).entryList(QDir::Files | QDir::Hidden).size(), 4);
        QCOMPARE(readAll(QDir(out).filePath(QStringLiteral("notes.txt"))), QByteArray("mine"));
        const QString md = QString::fromUtf8(readAll(QDir(out).filePath(QStringLiteral("report.md"))));
        QVERIFY(md.startsWith(QLatin1String("# Only one run")));
        QVERIFY(md.contains(QLatin1String("The runs have the same settings.")));
        QVERIFY(!md.contains(QLatin1String("## Examples")));
    }

    void unknownRunIsAnError()
    {
        const Workspace workspace = Workspace::open(m_workspace);
        bool threw = false;
        try {
            collectReportData(workspace.database(), workspace.path(), {m_runs[1] + 100});
        } catch (const std::exception&) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
