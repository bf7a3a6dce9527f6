// SweepDialog with real workers on stories260K: two learning rates from the Train page's settings, each
// trial a run in the queue, the table and chart filled as they end, the best trial named and one click
// from the Playground; a line that is not SETTING=VALUES is refused with what is expected; a sweep left
// with a trial "running" goes on from its folder and keeps the finished one.

#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include "dialogs/sweep_dialog.h"
#include "runs/run_queue.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

class TestSweepDialog : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    TrainConfig m_base;

private slots:
    void initTestCase()
    {
        FT_REQUIRE_SHARED();
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)");
        const QString train = m_dir.filePath(QStringLiteral("train.jsonl"));
        QFile file(train);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 30; ++i)
            file.write(QJsonDocument(
                           QJsonObject{{QStringLiteral("instruction"), QStringLiteral("Tell a story about %1.").arg(i)},
                                       {QStringLiteral("response"),
                                        QStringLiteral("Once upon a time there was a dog named %1.").arg(i)}})
                           .toJson(QJsonDocument::Compact) +
                       '\n');
        m_base.applyModePreset(QStringLiteral("instruction"));
        m_base.model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        m_base.trainFile = train;
        m_base.valFraction = 0.2;
        m_base.maxLength = 128;
        m_base.evalEvery = 2;
        m_base.samplePrompts = 0;
        m_base.threads = 1;
    }

    void twoRatesBestOneClickAway()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepDialog dialog(&queue);
        dialog.setBase(m_base, {}, m_dir.filePath(QStringLiteral("runs")));
        QVERIFY2(dialog.parametersEdit()->toPlainText().contains(QLatin1String("learning_rate=")),
                 qPrintable(dialog.parametersEdit()->toPlainText())); // a suggestion around the form's rate
        dialog.parametersEdit()->setPlainText(QStringLiteral("lr=3e-3, 1e-7\nlora_rank=4"));
        dialog.stepsBox()->setValue(4);
        dialog.show();
        QSignalSpy finished(&dialog, &SweepDialog::finished);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("sweepStart")), Qt::LeftButton);
        QVERIFY(dialog.isRunning());
        QVERIFY(finished.wait(240000));

        QTableWidget* table = dialog.trialsTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("finished"));
        QVERIFY(table->item(0, 1)->text().contains(QLatin1String("learning_rate=0.003")));
        QVERIFY(table->item(1, 3)->text() != QStringLiteral("–")); // its best validation loss
        // A rate of 1e-7 learns nothing in four steps: the first trial is the best, in bold and named.
        QVERIFY(table->item(0, 0)->font().bold());
        QVERIFY2(dialog.bestLabel()->text().startsWith(QStringLiteral("Best: trial 1")),
                 qPrintable(dialog.bestLabel()->text()));
        QCOMPARE(dialog.chart()->graph(0)->dataCount(), 2);
        QCOMPARE(dialog.chart()->graph(1)->dataCount(), 1);
        QCOMPARE(dialog.chart()->xAxis->scaleType(), QCPAxis::stLogarithmic);
        // The chart shows the objective against any swept setting, chosen above it.
        QCOMPARE(dialog.chartSetting()->count(), 2);
        QCOMPARE(dialog.chartSetting()->currentText(), QStringLiteral("learning_rate"));
        dialog.chartSetting()->setCurrentIndex(1);
        emit dialog.chartSetting()->activated(1);
        QCOMPARE(dialog.chart()->xAxis->label(), QStringLiteral("lora_rank"));
        QCOMPARE(dialog.chart()->xAxis->scaleType(), QCPAxis::stLinear);
        QCOMPARE(dialog.chart()->graph(0)->dataCount(), 2);
        QCOMPARE(dialog.chart()->graph(0)->data()->at(0)->key, 4.0);

        QSignalSpy chat(&dialog, &SweepDialog::chatRequested);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("sweepChatBest")), Qt::LeftButton);
        QCOMPARE(chat.size(), 1);
        QCOMPARE(chat.first().at(0).toString(), dialog.runner()->record().trials()[0].runDir);
        QCOMPARE(chat.first().at(1).toString(), QStringLiteral("final"));
    }

    void refusesWhatIsNotAValueList()
    {
        RunQueue queue;
        SweepDialog dialog(&queue);
        dialog.setBase(m_base, {}, m_dir.filePath(QStringLiteral("runs")));
        dialog.parametersEdit()->setPlainText(QStringLiteral("learning_rate"));
        QVERIFY(!dialog.start());
        QVERIFY2(dialog.statusLabel()->text().contains(QLatin1String("SETTING=VALUE")),
                 qPrintable(dialog.statusLabel()->text()));
        dialog.parametersEdit()->setPlainText(QStringLiteral("batch_size=4, 0"));
        QVERIFY(!dialog.start());
        // The status is HTML: the quotes around the name are escaped.
        QVERIFY2(dialog.statusLabel()->text().contains(QLatin1String("batch_size&quot; must be between 1 and 4096")),
                 qPrintable(dialog.statusLabel()->text()));
        QVERIFY(!dialog.isRunning());
        // Trials are compared by validation loss: settings without validation data are refused.
        TrainConfig unvalidated = m_base;
        unvalidated.valFraction = 0;
        dialog.setBase(unvalidated, {}, m_dir.filePath(QStringLiteral("runs")));
        dialog.parametersEdit()->setPlainText(QStringLiteral("lr=1e-3, 1e-4"));
        QVERIFY(!dialog.start());
        QVERIFY2(dialog.statusLabel()->text().contains(QLatin1String("no validation data")),
                 qPrintable(dialog.statusLabel()->text()));
        // A metric is measured by evaluations kept in a workspace: without one the sweep is refused.
        dialog.setBase(m_base, {}, m_dir.filePath(QStringLiteral("runs")));
        dialog.objectiveBox()->setCurrentIndex(dialog.objectiveBox()->findData(QStringLiteral("rouge-l")));
        QVERIFY(!dialog.start());
        QVERIFY2(dialog.statusLabel()->text().contains(QLatin1String("workspace")),
                 qPrintable(dialog.statusLabel()->text()));
    }

    // With ROUGE-L chosen, each finished trial is evaluated: the metric column, the chart and the best
    // trial follow it.
    void metricObjective()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        SweepDialog dialog(&queue);
        RunData data;
        data.workspace = m_dir.filePath(QStringLiteral("workspace"));
        dialog.setBase(m_base, data, m_dir.filePath(QStringLiteral("runs")));
        dialog.parametersEdit()->setPlainText(QStringLiteral("lr=3e-3, 1e-3"));
        dialog.stepsBox()->setValue(2);
        auto* examples = dialog.findChild<QSpinBox*>(QStringLiteral("sweepObjectiveExamples"));
        QVERIFY(!examples->isEnabled()); // for a metric only
        dialog.objectiveBox()->setCurrentIndex(dialog.objectiveBox()->findData(QStringLiteral("rouge-l")));
        QVERIFY(examples->isEnabled());
        examples->setValue(3);
        dialog.parallelBox()->setValue(2); // the queue runs one at a time here: the second waits its turn
        QSignalSpy finished(&dialog, &SweepDialog::finished);
        QVERIFY(dialog.start());
        QVERIFY(finished.wait(240000));
        const SweepRecord& record = dialog.runner()->record();
        QCOMPARE(record.spec().objective, QStringLiteral("rouge-l"));
        QCOMPARE(record.spec().objectiveExamples, 3);
        QCOMPARE(record.spec().parallel, 2);
        QTableWidget* table = dialog.trialsTable();
        const int metricColumn = 5;
        QVERIFY(!table->isColumnHidden(metricColumn));
        QCOMPARE(table->horizontalHeaderItem(metricColumn)->text(), QStringLiteral("rouge-l"));
        for (int row = 0; row < 2; ++row)
            QCOMPARE(table->item(row, metricColumn)->text(),
                     QString::number(*record.trials()[static_cast<size_t>(row)].metric, 'f', 4));
        QCOMPARE(dialog.chart()->yAxis->label(), QStringLiteral("rouge-l"));
        QVERIFY2(dialog.bestLabel()->text().contains(QLatin1String("rouge-l")), qPrintable(dialog.bestLabel()->text()));
        const std::optional<int> best = record.bestTrial();
        QVERIFY(best.has_value());
        QVERIFY(table->item(*best, 0)->font().bold());
        for (const SweepTrial& t : record.trials())
            QVERIFY(*record.trials()[static_cast<size_t>(*best)].metric >= *t.metric);
    }

    void goesOnFromItsFolder()
    {
        RunQueue queue;
        queue.setCliPath(test::cliPath());
        QString folder;
        QString firstRun;
        {
            SweepDialog dialog(&queue);
            dialog.setBase(m_base, {}, m_dir.filePath(QStringLiteral("runs")));
            dialog.parametersEdit()->setPlainText(QStringLiteral("lr=3e-3, 1e-3"));
            dialog.stepsBox()->setValue(2);
            QSignalSpy finished(&dialog, &SweepDialog::finished);
            QVERIFY(dialog.start());
            QVERIFY(finished.wait(240000));
            folder = dialog.runner()->record().folder();
            firstRun = dialog.runner()->record().trials()[0].runDir;
        }
        // As if the studio died during the second trial.
        SweepRecord record = SweepRecord::load(folder);
        record.trials()[1].status = QStringLiteral("running");
        record.save();

        SweepDialog again(&queue);
        QSignalSpy finished(&again, &SweepDialog::finished);
        QVERIFY(again.resume(folder));
        // The form shows what the resumed sweep tries, not what was typed last.
        QCOMPARE(again.parametersEdit()->toPlainText(), QStringLiteral("learning_rate=0.003, 0.001"));
        QCOMPARE(again.stepsBox()->value(), 2);
        QVERIFY(finished.wait(240000));
        QCOMPARE(again.runner()->record().trials()[0].runDir, firstRun);
        QCOMPARE(again.trialsTable()->item(1, 2)->text(), QStringLiteral("finished"));
        QVERIFY(again.runner()->record().trials()[1].runDir != record.trials()[1].runDir);
    }
};

QTEST_MAIN(TestSweepDialog)
#include "tst_sweep_dialog.moc"
