// CompareDialog with two recorded runs: a loss curve per run (and the validation curves) in distinct
// colours with a legend, aligned by step, tokens and time; the settings that differ listed and
// highlighted; final metrics with the evaluation's numbers; the chart saved as PNG and PDF and the
// tables as CSV; and a clear error for a run that does not exist.

#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include "../runs/recorded_runs.h"
#include "dialogs/compare_dialog.h"
#include "runs/store_thread.h"
#include "store/rating_store.h"

using namespace ft;
using namespace ft::ui;

class TestCompareDialog : public QObject {
    Q_OBJECT
private slots:
    void twoRuns()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("slow lr");
        spec.evaluation = {{QStringLiteral("bleu"), 0.125}};
        const qint64 a = test::addRecordedRun(workspace, spec);
        spec.name = QStringLiteral("fast lr");
        spec.learningRate = 1e-3;
        spec.steps = 30;
        spec.startLoss = 2.0;
        spec.evaluation = {{QStringLiteral("bleu"), 0.25}};
        const qint64 b = test::addRecordedRun(workspace, spec);
        // People rated the fast run against the slow one blind: it won once and tied once.
        RatingStore ratings(workspace.database());
        for (int i = 0; i < 2; ++i) {
            Rating rating;
            rating.a = {QStringLiteral("run:%1:final").arg(b), QStringLiteral("fast"), b};
            rating.b = {QStringLiteral("run:%1:final").arg(a), QStringLiteral("slow"), a};
            rating.exampleKey = QStringLiteral("k%1").arg(i);
            rating.verdict = i == 0 ? Verdict::A : Verdict::Tie;
            ratings.save(rating);
        }

        StoreThread store;
        CompareDialog dialog(&store, dir.path(), {a, b});
        QSignalSpy loaded(&dialog, &CompareDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(5000));
        QCOMPARE(loaded.first().first().toString(), QString());

        // Curves: loss and validation loss of each run, distinct colours, named in the legend.
        QCustomPlot* plot = dialog.plot();
        QCOMPARE(plot->graphCount(), 4);
        QCOMPARE(plot->graph(0)->dataCount(), 20);
        QCOMPARE(plot->graph(2)->dataCount(), 30);
        QVERIFY(plot->graph(0)->pen().color() != plot->graph(2)->pen().color());
        QVERIFY(plot->legend->visible());
        QVERIFY(plot->graph(0)->name().contains(QStringLiteral("slow lr")));
        QCOMPARE(plot->graph(0)->data()->at(19)->key, 20.0);
        dialog.setAxis(CompareAxis::Tokens);
        QCOMPARE(plot->graph(0)->data()->at(19)->key, 64.0 * 20);
        dialog.setAxis(CompareAxis::Time);
        QCOMPARE(plot->graph(2)->data()->at(29)->key, 15.0);
        QCOMPARE(plot->graph(0)->data()->at(0)->value, 3.0);

        // The settings that differ, highlighted; what is equal is not listed.
        QTableWidget* settings = dialog.settingsTable();
        QStringList keys;
        for (int row = 0; row < settings->rowCount(); ++row)
            keys << settings->verticalHeaderItem(row)->text();
        QVERIFY2(keys.contains(QStringLiteral("config.learning_rate")), qPrintable(keys.join(QLatin1Char(' '))));
        QVERIFY(keys.contains(QStringLiteral("config.max_steps")));
        QVERIFY(!keys.contains(QStringLiteral("config.mode")));
        const int lr = static_cast<int>(keys.indexOf(QStringLiteral("config.learning_rate")));
        QCOMPARE(settings->item(lr, 1)->text(), QStringLiteral("0.001"));
        QVERIFY(settings->item(lr, 1)->background().style() != Qt::NoBrush);

        // Final metrics with the evaluation.
        QTableWidget* metrics = dialog.metricsTable();
        QStringList names;
        for (int row = 0; row < metrics->rowCount(); ++row)
            names << metrics->verticalHeaderItem(row)->text();
        const int bleu = static_cast<int>(names.indexOf(QStringLiteral("eval bleu")));
        QVERIFY(bleu >= 0);
        QCOMPARE(metrics->item(bleu, 1)->text(), QStringLiteral("0.2500"));
        QCOMPARE(metrics->item(static_cast<int>(names.indexOf(QStringLiteral("final loss"))), 1)->text(),
                 QStringLiteral("1.0000"));
        // The ratings, each run seen from its own side: 75 % for the fast run, 25 % for the slow one.
        const int rated = static_cast<int>(names.indexOf(QStringLiteral("rated win rate")));
        QVERIFY(rated >= 0);
        QVERIFY2(metrics->item(rated, 0)->text().startsWith(QStringLiteral("vs fast: 25 %")),
                 qPrintable(metrics->item(rated, 0)->text()));
        QVERIFY2(metrics->item(rated, 1)->text().startsWith(QStringLiteral("vs slow: 75 %")),
                 qPrintable(metrics->item(rated, 1)->text()));
        QVERIFY(metrics->item(rated, 1)->text().endsWith(QStringLiteral("n 2)")));

        // Exports.
        const QString png = dir.filePath(QStringLiteral("chart.png"));
        QCOMPARE(dialog.exportChart(png), QString());
        QImage image(png);
        QCOMPARE(image.size(), QSize(1000, 600));
        const QString pdf = dir.filePath(QStringLiteral("chart.pdf"));
        QCOMPARE(dialog.exportChart(pdf), QString());
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5) == "%PDF-");
        const QString csv = dir.filePath(QStringLiteral("tables.csv"));
        QCOMPARE(dialog.exportCsv(csv), QString());
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QStringList lines =
            QString::fromUtf8(csvFile.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("section,key,#%1 slow lr,#%2 fast lr").arg(a).arg(b));
        QVERIFY(lines.contains(QStringLiteral("setting,config.learning_rate,2e-05,0.001")));
        QVERIFY(lines.contains(QStringLiteral("metric,eval bleu,0.1250,0.2500")));
        QCOMPARE(dialog.exportCsv(dir.filePath(QStringLiteral("no/such/folder/x.csv"))).isEmpty(), false);
    }

    void missingRunIsReported()
    {
        QTemporaryDir dir;
        Workspace::open(dir.path(), {false});
        StoreThread store;
        CompareDialog dialog(&store, dir.path(), {41, 42});
        QSignalSpy loaded(&dialog, &CompareDialog::loaded);
        QVERIFY(loaded.wait(5000));
        QVERIFY(loaded.first().first().toString().contains(QStringLiteral("run 41 does not exist")));
        QVERIFY(!dialog.isLoaded());
        QVERIFY(!dialog.exportCsv(dir.filePath(QStringLiteral("x.csv"))).isEmpty());
    }
};

QTEST_MAIN(TestCompareDialog)
#include "tst_compare_dialog.moc"
