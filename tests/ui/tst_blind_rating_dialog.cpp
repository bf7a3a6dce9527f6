// BlindRatingDialog: a run's answers against its base's, in an order drawn per example; the keys 1, 2
// and 3 record the verdict for the model actually shown there (whatever the order), every rating
// reaches the workspace at once, opening again goes on with the unrated examples, and the results name
// the models with the win rate and its interval only when asked or when everything is rated. A prompt
// typed in the dialog is answered by the evaluated models themselves (a real run of a tiny model and
// its base, through ftstudio-cli generate) and rated like the others, and comes back when reopened.

#include <QDir>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QUndoStack>

#include "../runs/recorded_runs.h"
#include "dialogs/blind_rating_dialog.h"
#include "models/dataset_session.h"
#include "runs/generation_process.h"
#include "runs/paired_generation.h"
#include "runs/store_thread.h"
#include "store/dataset_store.h"
#include "store/evaluation_store.h"
#include "store/rating_store.h"
#include "store/run_store.h"
#include "support/test_support.h"

using namespace ft;
using namespace ft::ui;

namespace {

EvaluationOutput output(qint64 index, const QString& text)
{
    EvaluationOutput o;
    o.example = index;
    o.key = QStringLiteral("key%1").arg(index);
    o.prompt = QStringLiteral("prompt %1").arg(index);
    o.reference = QStringLiteral("reference %1").arg(index);
    o.output = text;
    return o;
}

struct RatedWorkspace {
    QTemporaryDir dir;
    qint64 run = 0;
    qint64 other = 0;
};

// A run evaluated on four examples ("tuned 0".."tuned 3") beside its base ("base 0".."base 3"), and a
// second run evaluated on the first two only.
void fill(RatedWorkspace& w)
{
    const Workspace workspace = Workspace::open(w.dir.path(), {false});
    test::RecordedRunSpec spec;
    spec.name = QStringLiteral("tuned");
    w.run = test::addRecordedRun(workspace, spec);
    spec.name = QStringLiteral("other");
    w.other = test::addRecordedRun(workspace, spec);
    EvaluationStore evaluations(workspace.database());
    StoredEvaluation base;
    base.kind = EvaluationKind::Base;
    base.modelId = QStringLiteral("model-1");
    base.split = QStringLiteral("val");
    base.recordsSha256 = QStringLiteral("records");
    base.settingsKey = QStringLiteral("settings");
    base.examples = 4;
    std::vector<EvaluationOutput> baseOutputs, tunedOutputs, otherOutputs;
    for (int i = 0; i < 4; ++i) {
        baseOutputs.push_back(output(i, QStringLiteral("base %1").arg(i)));
        tunedOutputs.push_back(output(i, QStringLiteral("tuned %1").arg(i)));
        if (i < 2)
            otherOutputs.push_back(output(i, QStringLiteral("other %1").arg(i)));
    }
    evaluations.saveBaseEvaluation(base, baseOutputs);
    StoredEvaluation tuned = base;
    tuned.kind = EvaluationKind::Run;
    tuned.runId = w.run;
    tuned.checkpoint = QStringLiteral("final");
    evaluations.saveRunEvaluation(tuned, tunedOutputs);
    tuned.runId = w.other;
    tuned.examples = 2;
    evaluations.saveRunEvaluation(tuned, otherOutputs);
}

// What `request` answers `prompt`, from a generation of its own (not the dialog's).
QString answerOf(GenerationRequest request, const QString& prompt)
{
    request.prompt = prompt;
    GenerationProcess process;
    QSignalSpy finished(&process, &GenerationProcess::finished);
    QSignalSpy failed(&process, &GenerationProcess::failed);
    process.start(request);
    if (!finished.wait(120000) && finished.isEmpty())
        return QStringLiteral("(failed: %1)").arg(failed.isEmpty() ? QString() : failed.first().first().toString());
    return finished.first().first().value<GenerationResult>().text;
}

} // namespace

class TestBlindRatingDialog : public QObject {
    Q_OBJECT
private slots:
    void keysRateTheModelShownNotTheSide()
    {
        RatedWorkspace w;
        fill(w);
        StoreThread store;
        {
            BlindRatingDialog dialog(&store, w.dir.path(), {w.run}, nullptr, /*seed=*/11);
            QSignalSpy loaded(&dialog, &BlindRatingDialog::loaded);
            QSignalSpy saved(&dialog, &BlindRatingDialog::saved);
            dialog.show();
            QVERIFY(loaded.wait(30000));
            QVERIFY(QTest::qWaitForWindowActive(&dialog)); // shortcuts reach an active window only
            QCOMPARE(loaded.first().first().toString(), QString());
            QCOMPARE(dialog.exampleCount(), 4);
            QVERIFY(!dialog.results()->isVisible());

            // Press, for each example, the key of whichever answer is the tuned run's: the base never wins.
            bool sawEachOrder[2] = {false, false};
            for (int i = 0; i < 3; ++i) {
                const bool tunedFirst = dialog.firstAnswer()->toPlainText().startsWith(QLatin1String("tuned"));
                QCOMPARE(tunedFirst, dialog.firstIsA()); // a is the run
                QVERIFY(dialog.secondAnswer()->toPlainText().startsWith(tunedFirst ? QLatin1String("base")
                                                                                   : QLatin1String("tuned")));
                sawEachOrder[tunedFirst ? 0 : 1] = true;
                QTest::keyClick(&dialog, tunedFirst ? Qt::Key_1 : Qt::Key_2);
                QVERIFY(saved.wait(30000) || saved.count() > i);
            }
            QVERIFY2(sawEachOrder[0] && sawEachOrder[1], "the order never changed: the rating would not be blind");
            QCOMPARE(dialog.ratedCount(), 3);
            QVERIFY(!dialog.results()->isVisible()); // still blind
            dialog.close();
        }
        store.waitForStoreThread();
        {
            const Workspace workspace = Workspace::open(w.dir.path(), {false});
            RatingStore ratings(workspace.database());
            const std::vector<Rating> stored =
                ratings.ratings(QStringLiteral("run:%1:final").arg(w.run), QStringLiteral("base:model-1"));
            QCOMPARE(stored.size(), size_t(3));
            for (const Rating& r : stored) {
                QCOMPARE(r.verdict, Verdict::A);
                QVERIFY(r.answerA.startsWith(QLatin1String("tuned")));
                QVERIFY(r.answerB.startsWith(QLatin1String("base")));
            }
        }

        // Opened again, only the fourth example is left; rating it (a tie, with the T key and a comment)
        // ends blindness with the results.
        BlindRatingDialog again(&store, w.dir.path(), {w.run}, nullptr, 12);
        QSignalSpy loaded(&again, &BlindRatingDialog::loaded);
        QSignalSpy saved(&again, &BlindRatingDialog::saved);
        again.show();
        QVERIFY(loaded.wait(30000));
        QVERIFY(QTest::qWaitForWindowActive(&again));
        QCOMPARE(again.ratedCount(), 3);
        const QString prompt = again.promptView()->toPlainText();
        const std::vector<RatingSession::Item>& items = again.session().items;
        QVERIFY(!items[static_cast<size_t>(again.currentIndex())].verdict.has_value());
        again.findChild<QLineEdit*>(QStringLiteral("ratingComment"))->setText(QStringLiteral("both wrong"));
        QTest::keyClick(&again, Qt::Key_T);
        QVERIFY(saved.wait(30000));
        QCOMPARE(again.ratedCount(), 4);
        QVERIFY(again.results()->isVisible());
        const QString results = again.results()->text();
        QVERIFY2(results.contains(QLatin1String("tuned")) && results.contains(QLatin1String("base")),
                 qPrintable(results));
        // 3 wins and a tie of 4: 88 %.
        QVERIFY2(results.contains(QLatin1String("88 %")) && results.contains(QLatin1String("3 wins, 0 losses, 1 ties")),
                 qPrintable(results));
        store.waitForStoreThread();
        const Workspace workspace = Workspace::open(w.dir.path(), {false});
        const std::vector<PairTally> tallies = RatingStore(workspace.database()).talliesForRun(w.run);
        QCOMPARE(tallies.size(), size_t(1));
        QCOMPARE(tallies[0].seenFrom(w.run).aWins.wins, qint64(3));
        QCOMPARE(tallies[0].aWins.ties, qint64(1));
        bool commented = false;
        for (const Rating& r : RatingStore(workspace.database())
                                   .ratings(QStringLiteral("run:%1:final").arg(w.run), QStringLiteral("base:model-1")))
            commented = commented || (r.comment == QLatin1String("both wrong") && r.prompt == prompt);
        QVERIFY(commented);
    }
    void preferredAnswersBecomeExamples()
    {
        RatedWorkspace w;
        fill(w);
        DatasetSession session;
        session.open(w.dir.path());
        const qint64 datasetId = session.datasets().create(QStringLiteral("preferred"));
        StoreThread store;
        BlindRatingDialog dialog(&store, w.dir.path(), {w.run}, nullptr, 3);
        dialog.setDatasetSession(&session);
        QSignalSpy loaded(&dialog, &BlindRatingDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(30000));
        auto* add = dialog.findChild<QPushButton*>(QStringLiteral("ratingAddPreferred"));
        QVERIFY(!add->isEnabled()); // not while rating blind
        // The base wins the first example, the run the second, the third is a tie, the fourth is left.
        for (int i = 0; i < 3; ++i) {
            const bool tunedFirst = dialog.firstAnswer()->toPlainText().startsWith(QLatin1String("tuned"));
            dialog.rate(i == 2 ? 0 : (i == 0) == tunedFirst ? 2 : 1);
        }
        dialog.showResults();
        QVERIFY(add->isEnabled());
        QVERIFY(dialog.addPreferredAnswers(datasetId, Split::Train));
        const std::vector<StoredExample> added = session.examples().examples(datasetId, ExampleFilter());
        QCOMPARE(added.size(), size_t(2)); // the tie is not an example
        QStringList responses;
        QStringList rejected;
        for (const StoredExample& e : added) {
            responses << e.record.response;
            rejected << e.record.rejected; // each is also a preference pair, for DPO
            QVERIFY(e.record.isPreferencePair());
            QVERIFY(e.record.instruction.startsWith(QLatin1String("prompt ")));
            QCOMPARE(e.tags, QStringList{QStringLiteral("rated")});
        }
        responses.sort();
        rejected.sort();
        QCOMPARE(responses, (QStringList{QStringLiteral("base 0"), QStringLiteral("tuned 1")}));
        QCOMPARE(rejected, (QStringList{QStringLiteral("base 1"), QStringLiteral("tuned 0")}));
        session.undoStack()->undo();
        QCOMPARE(session.examples().count(datasetId), qint64(0));
    }
    void twoRunsShareTheExamplesBothAnswered()
    {
        RatedWorkspace w;
        fill(w);
        StoreThread store;
        BlindRatingDialog dialog(&store, w.dir.path(), {w.run, w.other}, nullptr, 5);
        QSignalSpy loaded(&dialog, &BlindRatingDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(30000));
        QVERIFY(QTest::qWaitForWindowActive(&dialog)); // shortcuts reach an active window only
        QCOMPARE(dialog.exampleCount(), 2);
        const QString shown = dialog.firstAnswer()->toPlainText() + dialog.secondAnswer()->toPlainText();
        QVERIFY2(shown.contains(QLatin1String("tuned")) && shown.contains(QLatin1String("other")), qPrintable(shown));
        // S skips to the next example, Backspace comes back and has nowhere to go from the first;
        // Show results reveals who answered.
        QCOMPARE(dialog.currentIndex(), 0);
        // A button's shortcut clicks it after a short animation: waited for.
        QTest::keyClick(&dialog, Qt::Key_S);
        QTRY_COMPARE(dialog.currentIndex(), 1);
        QTest::keyClick(&dialog, Qt::Key_Backspace);
        QTRY_COMPARE(dialog.currentIndex(), 0);
        QTest::keyClick(&dialog, Qt::Key_Backspace);
        QTest::qWait(300);
        QCOMPARE(dialog.currentIndex(), 0);
        dialog.showResults();
        QVERIFY(dialog.results()->text().contains(QLatin1String("0 of 2 examples rated")));
    }
    void typedPromptsAreAnsweredByTheEvaluatedModels()
    {
        qRegisterMetaType<GenerationResult>();
        QTemporaryDir dir;
        QString error;
        const QString model = test::makeTinyModel(dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!model.isEmpty(), qPrintable(error));
        const QString path = dir.filePath(QStringLiteral("workspace"));
        // A real run: a few steps at a high learning rate, so its answers differ from its base's.
        QProcess train;
        train.start(test::cliPath(), {QStringLiteral("train"),
                                      QStringLiteral("--workspace"),
                                      path,
                                      QStringLiteral("--dataset"),
                                      QStringLiteral("Sample"),
                                      QStringLiteral("--model"),
                                      model,
                                      QStringLiteral("--steps"),
                                      QStringLiteral("4"),
                                      QStringLiteral("--lr"),
                                      QStringLiteral("0.01"),
                                      QStringLiteral("--template"),
                                      QStringLiteral("plain"),
                                      QStringLiteral("--max-length"),
                                      QStringLiteral("64"),
                                      QStringLiteral("--set"),
                                      QStringLiteral("sample_prompts=0"),
                                      QStringLiteral("--set"),
                                      QStringLiteral("eval_every=0"),
                                      QStringLiteral("--threads"),
                                      QStringLiteral("1"),
                                      QStringLiteral("--name"),
                                      QStringLiteral("tuned")});
        QVERIFY(train.waitForFinished(300000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        qint64 run = 0;
        {
            const Workspace workspace = Workspace::open(path, {false});
            const std::vector<RunInfo> runs = RunStore(workspace.database(), workspace.path()).runs();
            QCOMPARE(runs.size(), size_t(1));
            run = runs.front().id;
            // Evaluations as `ftstudio-cli eval` stores them: the plain template, greedy, 12 tokens.
            StoredEvaluation base;
            base.kind = EvaluationKind::Base;
            base.modelId = QStringLiteral("tiny");
            base.modelPath = model;
            base.split = QStringLiteral("val");
            base.recordsSha256 = QStringLiteral("records");
            base.settingsKey = QStringLiteral("settings");
            base.settings =
                QJsonObject{{QStringLiteral("template"), QStringLiteral("plain")},
                            {QStringLiteral("generation"),
                             QJsonObject{{QStringLiteral("greedy"), true}, {QStringLiteral("max_new_tokens"), 12}}}};
            base.examples = 1;
            EvaluationStore evaluations(workspace.database());
            evaluations.saveBaseEvaluation(base, {output(0, QStringLiteral("base 0"))});
            StoredEvaluation tuned = base;
            tuned.kind = EvaluationKind::Run;
            tuned.runId = run;
            tuned.checkpoint = QStringLiteral("final");
            evaluations.saveRunEvaluation(tuned, {output(0, QStringLiteral("tuned 0"))});
        }
        const QString prompt = QStringLiteral("Name three colours.");
        GenerationRequest runRequest;
        {
            const Workspace workspace = Workspace::open(path, {false});
            runRequest.model = RunStore(workspace.database(), workspace.path()).run(run)->runDir;
        }
        runRequest.checkpoint = QStringLiteral("final");
        runRequest.promptTemplate = QStringLiteral("plain");
        runRequest.greedy = true;
        runRequest.maxTokens = 12;
        GenerationRequest baseRequest = runRequest;
        baseRequest.model = model;
        baseRequest.checkpoint.clear();
        const QString runAnswer = answerOf(runRequest, prompt);
        const QString baseAnswer = answerOf(baseRequest, prompt);
        QVERIFY2(!runAnswer.startsWith(QLatin1String("(failed")), qPrintable(runAnswer));
        QVERIFY2(runAnswer != baseAnswer, "the run answers as its base: the sides could not be told apart");

        StoreThread store;
        {
            BlindRatingDialog dialog(&store, path, {run}, nullptr, /*seed=*/5);
            QSignalSpy loaded(&dialog, &BlindRatingDialog::loaded);
            QSignalSpy answered(&dialog, &BlindRatingDialog::answered);
            QSignalSpy saved(&dialog, &BlindRatingDialog::saved);
            dialog.show();
            QVERIFY(loaded.wait(30000));
            QCOMPARE(loaded.first().first().toString(), QString());
            QCOMPARE(dialog.exampleCount(), 1);
            QVERIFY(QTest::qWaitForWindowActive(&dialog));
            dialog.askField()->setFocus();
            QTest::keyClicks(dialog.askField(), prompt); // "1" and the like are text here, not ratings
            QCOMPARE(dialog.ratedCount(), 0);
            QTest::keyClick(dialog.askField(), Qt::Key_Return);
            QVERIFY(answered.wait(120000));
            QCOMPARE(answered.first().first().toString(), QString());
            QCOMPARE(dialog.exampleCount(), 2);
            QCOMPARE(dialog.promptView()->toPlainText(), prompt);
            const RatingSession::Item& typed = dialog.session().items.back();
            QCOMPARE(typed.key, typedPromptKey(prompt));
            QCOMPARE(typed.answerA, runAnswer); // a is the run, answering from its final checkpoint
            QCOMPARE(typed.answerB, baseAnswer);
            QCOMPARE(dialog.firstAnswer()->toPlainText(), dialog.firstIsA() ? runAnswer : baseAnswer);
            QTest::keyClick(&dialog, dialog.firstIsA() ? Qt::Key_2 : Qt::Key_1); // the base's answer wins
            QVERIFY(saved.wait(30000));
            QCOMPARE(dialog.ratedCount(), 1);

            // Answers that arrive while a comment is being written do not take the example away.
            const int shown = dialog.currentIndex();
            dialog.askField()->setText(QStringLiteral("Another one?"));
            dialog.askBoth();
            QVERIFY(dialog.askField()->isReadOnly()); // the prompt being answered stays as asked
            auto* comment = dialog.findChild<QLineEdit*>(QStringLiteral("ratingComment"));
            comment->setFocus();
            QTest::keyClicks(comment, QStringLiteral("half 1"));
            QVERIFY(answered.wait(120000));
            QCOMPARE(dialog.exampleCount(), 3);
            QCOMPARE(dialog.currentIndex(), shown);
            QCOMPARE(comment->text(), QStringLiteral("half 1"));
            QCOMPARE(dialog.ratedCount(), 1); // the "1" typed was text, not a rating
            QVERIFY(!dialog.askField()->isReadOnly());
        }
        store.waitForStoreThread();
        {
            const Workspace workspace = Workspace::open(path, {false});
            const std::vector<Rating> stored =
                RatingStore(workspace.database())
                    .ratings(QStringLiteral("run:%1:final").arg(run), QStringLiteral("base:tiny"));
            QCOMPARE(stored.size(), size_t(1));
            QCOMPARE(stored.front().exampleKey, typedPromptKey(prompt));
            QCOMPARE(stored.front().prompt, prompt);
            QCOMPARE(stored.front().verdict, Verdict::B);
        }
        // Opened again, the typed prompt is there with its rating.
        BlindRatingDialog again(&store, path, {run}, nullptr, /*seed=*/5);
        QSignalSpy loaded(&again, &BlindRatingDialog::loaded);
        again.show();
        QVERIFY(loaded.wait(30000));
        QCOMPARE(again.exampleCount(), 2); // the unrated "Another one?" was not kept
        QCOMPARE(again.ratedCount(), 1);
        QCOMPARE(again.session().items.back().answerB, baseAnswer);
    }

    void aRunWithoutItsBaseSaysWhatToDo()
    {
        QTemporaryDir dir;
        const Workspace workspace = Workspace::open(dir.path(), {false});
        test::RecordedRunSpec spec;
        spec.name = QStringLiteral("alone");
        const qint64 run = test::addRecordedRun(workspace, spec);
        StoredEvaluation tuned;
        tuned.runId = run;
        tuned.checkpoint = QStringLiteral("final");
        tuned.split = QStringLiteral("val");
        tuned.recordsSha256 = QStringLiteral("records");
        tuned.settingsKey = QStringLiteral("settings");
        tuned.modelId = QStringLiteral("model-9");
        EvaluationStore(workspace.database()).saveRunEvaluation(tuned, {output(0, QStringLiteral("x"))});
        StoreThread store;
        BlindRatingDialog dialog(&store, dir.path(), {run});
        QSignalSpy loaded(&dialog, &BlindRatingDialog::loaded);
        dialog.show();
        QVERIFY(loaded.wait(30000));
        QVERIFY2(loaded.first().first().toString().contains(QLatin1String("evaluate the run against its base")),
                 qPrintable(loaded.first().first().toString()));
        QVERIFY(!dialog.findChild<QWidget*>(QStringLiteral("ratingFirstBetter"))->isEnabled());
    }
};

QTEST_MAIN(TestBlindRatingDialog)
#include "tst_blind_rating_dialog.moc"
