// ExamplesDialog: a run's stored evaluation beside its base model's, example by example (a tester on
// the model): prompt, reference, both outputs and scores, largest score difference first, sortable by
// the difference column; the metric can be changed; a run without an evaluation says so.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "../runs/recorded_runs.h"
#include <QTextBrowser>

#include "dialogs/examples_dialog.h"
#include "models/run_examples_model.h"
#include "runs/store_thread.h"
#include "store/evaluation_store.h"

using namespace ft;
using namespace ft::ui;

namespace {

EvaluationOutput output(qint64 index, const QString& text, double rouge)
{
    EvaluationOutput o;
    o.example = index;
    o.key = QStringLiteral("key%1").arg(index);
    o.prompt = QStringLiteral("prompt %1").arg(index);
    o.reference = QStringLiteral("reference %1").arg(index);
    o.output = text;
    o.scores = QJsonObject{{QStringLiteral("rouge-l"), rouge}, {QStringLiteral("bleu"), rouge / 2}};
    return o;
}

} // namespace

class TestExamplesDialog : public QObject {
    Q_OBJECT
private slots:
    void runBesideItsBase()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("tuned");
        const qint64 run = test::addRecordedRun(workspace, spec);
        spec.name = QStringLiteral("never evaluated");
        const qint64 other = test::addRecordedRun(workspace, spec);
        EvaluationStore evaluations(workspace.database());
        StoredEvaluation base;
        base.kind = EvaluationKind::Base;
        base.modelId = QStringLiteral("model-1");
        base.modelPath = QStringLiteral("/models/tiny");
        base.split = QStringLiteral("val");
        base.recordsSha256 = QStringLiteral("records");
        base.settingsKey = QStringLiteral("settings");
        base.examples = 3;
        evaluations.saveBaseEvaluation(base,
                                       {output(0, QStringLiteral("b0"), 0.5), output(1, QStringLiteral("b1"), 0.5),
                                        output(2, QStringLiteral("b2"), 0.5)});
        StoredEvaluation tuned = base;
        tuned.kind = EvaluationKind::Run;
        tuned.runId = run;
        tuned.checkpoint = QStringLiteral("final");
        tuned.metrics = {{QStringLiteral("rouge-l"), 0.5}};
        evaluations.saveRunEvaluation(tuned,
                                      {output(0, QStringLiteral("t0"), 0.6), output(1, QStringLiteral("t1"), 0.1),
                                       output(2, QStringLiteral("t2"), 0.85)});

        StoreThread store;
        ExamplesDialog dialog(&store, dir.path(), {run});
        QAbstractItemModelTester tester(dialog.table()->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sourceTester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&dialog, &ExamplesDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(5000));
        QCOMPARE(loaded.first().first().toString(), QString());
        QAbstractItemModel* model = dialog.table()->model();
        QCOMPARE(model->rowCount(), 3);
        // Columns: #, prompt, reference, base output, base score, run output, run score, difference.
        QCOMPARE(model->columnCount(), 8);
        QCOMPARE(model->headerData(3, Qt::Horizontal).toString(), QStringLiteral("base"));
        QVERIFY(model->headerData(5, Qt::Horizontal).toString().contains(QStringLiteral("tuned")));
        // Largest |difference| first: example 1 (-0.4), then 2 (+0.35), then 0 (+0.1).
        QCOMPARE(model->index(0, 0).data().toLongLong(), 1);
        QCOMPARE(model->index(0, 1).data().toString(), QStringLiteral("prompt 1"));
        QCOMPARE(model->index(0, 2).data().toString(), QStringLiteral("reference 1"));
        QCOMPARE(model->index(0, 3).data().toString(), QStringLiteral("b1"));
        QCOMPARE(model->index(0, 5).data().toString(), QStringLiteral("t1"));
        QCOMPARE(model->index(0, 7).data().toString(), QStringLiteral("-0.400"));
        QCOMPARE(model->index(2, 0).data().toLongLong(), 0);

        // Sorted by the difference column, highest first.
        dialog.table()->sortByColumn(7, Qt::DescendingOrder);
        QCOMPARE(model->index(0, 0).data().toLongLong(), 2);
        QCOMPARE(model->index(2, 0).data().toLongLong(), 1);

        // Another metric.
        // The number takes what it needs, not a text column's width; the chosen example reads whole below.
        QVERIFY2(dialog.table()->columnWidth(0) < 80, qPrintable(QString::number(dialog.table()->columnWidth(0))));
        QVERIFY(dialog.table()->columnWidth(1) >= 200);
        dialog.table()->setCurrentIndex(model->index(1, 1));
        const QString detail = dialog.detail()->toPlainText();
        for (int column = 1; column < model->columnCount(); ++column)
            QVERIFY2(detail.contains(model->index(1, column).data().toString()) &&
                         detail.contains(model->headerData(column, Qt::Horizontal).toString()),
                     qPrintable(detail));

        dialog.setMetric(QStringLiteral("bleu"));
        QCOMPARE(dialog.model()->comparison().metric, QStringLiteral("bleu"));
        QVERIFY(model->headerData(7, Qt::Horizontal).toString().contains(QStringLiteral("bleu")));

        ExamplesDialog missing(&store, dir.path(), {other});
        QSignalSpy missingLoaded(&missing, &ExamplesDialog::loaded);
        QVERIFY(missingLoaded.wait(5000));
        QVERIFY(missingLoaded.first().first().toString().contains(QStringLiteral("has no evaluation")));
    }
};

QTEST_MAIN(TestExamplesDialog)
#include "tst_examples_dialog.moc"
