// The Train page driven like a user: choosing a mode fills the settings; an invalid custom template
// shows its error and disables Launch; edits in the advanced section reach the run folder's
// config.json; the estimate appears; Launch queues the run (a fake worker stands in for training);
// a workspace dataset and its splits become the worker's --dataset-id arguments, an empty split is
// refused before launch, and several processes cannot use a dataset.

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QToolButton>

#include "../runs/fake_workers.h"
#include "app_settings.h"
#include "common/json_file.h"
#include "pages/train_page.h"
#include "runs/run_queue.h"
#include "store/dataset_store.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "store_test_support.h"
#include "support/scoped_environment.h"
#include "support/test_support.h"
#include "ui_test_support.h"
#include "widgets/advanced_settings.h"
#include "widgets/data_source_picker.h"
#include "widgets/model_picker.h"

using namespace ft;
using namespace ft::ui;

class TestTrainPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_train;

    template <typename T> T* child(QWidget& page, const char* name)
    {
        T* widget = page.findChild<T*>(QLatin1String(name));
        if (!widget)
            qFatal("no widget %s", name);
        return widget;
    }

    // A page with the tiny model and training data chosen, ready to launch.
    struct Fixture {
        explicit Fixture(const QString& ini)
            : settings(ini)
        {
        }
        AppSettings settings;
        RunQueue queue;
        std::unique_ptr<TrainPage> page;
    };
    std::unique_ptr<Fixture> makePage(const QString& name)
    {
        auto f = std::make_unique<Fixture>(m_dir.filePath(name + QStringLiteral(".ini")));
        f->settings.setWorkspace(m_dir.filePath(name + QStringLiteral("-ws")));
        f->queue.setCliPath(test::writeScript(m_dir.filePath(name + QStringLiteral(".sh")), test::kShortWorker));
        f->page = std::make_unique<TrainPage>(&f->settings, &f->queue);
        f->page->resize(1100, 900);
        f->page->show();
        f->page->modelPicker()->setModelPath(m_model);
        f->page->setTrainFile(m_train);
        return f;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<RunEndInfo>();
        QString error;
        m_model = test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!m_model.isEmpty(), qPrintable(error));
        m_train = test::writeSampleJsonl(m_dir.filePath(QStringLiteral("train.jsonl")), 40);
    }

    void modeSelectionFillsTheSettings()
    {
        auto f = makePage(QStringLiteral("modes"));
        TrainPage& page = *f->page;
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTest::mouseClick(child<QToolButton>(page, "advancedToggle"), Qt::LeftButton);
        QVERIFY(page.advancedSettings()->isVisible());
        auto* trainable = child<QComboBox>(page, "trainable");
        auto* quantization = child<QComboBox>(page, "base_quantization");
        auto* lossOn = child<QComboBox>(page, "loss_on");
        auto* lr = child<QLineEdit>(page, "learning_rate");

        clickIndicator(child<QRadioButton>(page, "mode_qlora"));
        QCOMPARE(trainable->currentText(), QStringLiteral("lora"));
        QCOMPARE(quantization->currentText(), QStringLiteral("nf4"));
        QCOMPARE(lossOn->currentText(), QStringLiteral("response"));
        QCOMPARE(lr->text(), QStringLiteral("0.0002"));
        QVERIFY(child<QCheckBox>(page, "double_quant")->isChecked());
        QCOMPARE(page.currentConfig().mode, QStringLiteral("qlora"));

        clickIndicator(child<QRadioButton>(page, "mode_instruction"));
        QCOMPARE(trainable->currentText(), QStringLiteral("lora"));
        QCOMPARE(quantization->currentText(), QStringLiteral("none"));

        clickIndicator(child<QRadioButton>(page, "mode_prompt"));
        QCOMPARE(trainable->currentText(), QStringLiteral("prompt"));
        QCOMPARE(lossOn->currentText(), QStringLiteral("response"));
        QCOMPARE(lr->text(), QStringLiteral("0.03"));
        QVERIFY(child<QSpinBox>(page, "num_virtual_tokens")->isEnabled());
        QCOMPARE(page.currentConfig().mode, QStringLiteral("prompt"));

        clickIndicator(child<QRadioButton>(page, "mode_full"));
        QCOMPARE(trainable->currentText(), QStringLiteral("all"));
        QCOMPARE(lossOn->currentText(), QStringLiteral("all"));
        QCOMPARE(quantization->currentText(), QStringLiteral("none"));
        QCOMPARE(lr->text(), QStringLiteral("2e-05"));
        QVERIFY(!child<QSpinBox>(page, "lora_rank")->isEnabled());
        // The model and data chosen above survive a change of mode.
        QCOMPARE(page.currentConfig().model, m_model);
        QCOMPARE(page.currentConfig().trainFile, m_train);
    }

    void invalidTemplateDisablesLaunch()
    {
        auto f = makePage(QStringLiteral("template"));
        TrainPage& page = *f->page;
        auto* launch = child<QPushButton>(page, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);

        auto* combo = child<QComboBox>(page, "templateCombo");
        combo->setCurrentIndex(combo->count() - 1); // Custom…
        auto* custom = child<QPlainTextEdit>(page, "customTemplate");
        QVERIFY(custom->isVisible());
        custom->setFocus();
        QTest::keyClicks(custom, QStringLiteral("Q: {question} A: {response}"));
        auto* status = child<QLabel>(page, "templateStatus");
        QVERIFY2(status->text().contains(QStringLiteral("{question}")), qPrintable(status->text()));
        QTRY_VERIFY(!launch->isEnabled());
        QVERIFY(!page.canLaunch());
        QVERIFY(child<QLabel>(page, "launchProblem")->text().contains(QStringLiteral("template")));

        custom->clear();
        QTest::keyClicks(custom, QStringLiteral("Q: {instruction} A: {response}"));
        QVERIFY(status->text().contains(QStringLiteral("valid")));
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QCOMPARE(page.currentConfig().promptTemplate, QStringLiteral("Q: {instruction} A: {response}"));
    }

    // A model folder with its own chat template: "model" is offered and chosen, the preview renders the
    // template with the reply highlighted, and a model without one withdraws it (back to alpaca).
    void aModelsOwnChatTemplateIsOfferedAndPreviewed()
    {
        const QString withTemplate = m_dir.filePath(QStringLiteral("tiny-chat"));
        QVERIFY(QDir().mkpath(withTemplate));
        for (const QString& name : QDir(m_model).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(m_model).filePath(name), QDir(withTemplate).filePath(name)));
        QFile config(QDir(withTemplate).filePath(QStringLiteral("tokenizer_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(
            R"({"chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"})");
        config.close();

        auto f = makePage(QStringLiteral("own-template"));
        TrainPage& page = *f->page;
        auto* combo = child<QComboBox>(page, "templateCombo");
        QCOMPARE(combo->findData(QStringLiteral("model")), -1); // the tiny model has no template
        page.modelPicker()->setModelPath(withTemplate);
        QTRY_COMPARE_WITH_TIMEOUT(combo->currentData().toString(), QStringLiteral("model"), 10000);
        QCOMPARE(page.currentConfig().promptTemplate, QStringLiteral("model"));
        auto* preview = page.findChild<QTextBrowser*>(QStringLiteral("templatePreview"));
        QVERIFY(preview);
        QVERIFY2(
            preview->toPlainText().contains(QStringLiteral("<|im_start|>assistant\nRed, yellow and blue.<|im_end|>")),
            qPrintable(preview->toPlainText()));
        QVERIFY2(preview->toHtml().contains(QStringLiteral("background")), qPrintable(preview->toHtml()));
        auto* launch = child<QPushButton>(page, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);

        page.modelPicker()->setModelPath(m_model);
        QTRY_COMPARE_WITH_TIMEOUT(combo->findData(QStringLiteral("model")), -1, 10000);
        QCOMPARE(combo->currentData().toString(), QStringLiteral("alpaca"));
    }

    // The template preview shows the chosen data's first example, scrolled to where its answer begins
    // (a long prompt no longer hides it below the fold).
    void previewShowsTheDatasFirstExample()
    {
        auto f = makePage(QStringLiteral("preview"));
        TrainPage& page = *f->page;
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QString data = m_dir.filePath(QStringLiteral("long-prompt.jsonl"));
        QFile file(data);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QStringList lines;
        for (int i = 1; i <= 30; ++i)
            lines << QStringLiteral("Line %1 of a long question.").arg(i);
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("instruction"), lines.join(QLatin1Char('\n'))},
                                             {QStringLiteral("response"), QStringLiteral("The sky is blue.")}})
                       .toJson(QJsonDocument::Compact) +
                   '\n');
        file.close();
        page.setTrainFile(data);
        auto* preview = child<QTextBrowser>(page, "templatePreview");
        QTRY_VERIFY_WITH_TIMEOUT(preview->toPlainText().contains(QStringLiteral("Line 30 of a long question.")), 20000);
        QVERIFY(preview->toPlainText().contains(QStringLiteral("The sky is blue.")));
        QVERIFY(preview->verticalScrollBar()->value() > 0);
        const QRect answer = preview->cursorRect(preview->textCursor());
        QVERIFY2(preview->viewport()->rect().contains(answer.center()), "the answer is scrolled out of view");
        QCOMPARE(preview->textCursor().block().text().contains(QStringLiteral("The sky is blue.")), true);
    }

    void advancedEditsReachTheRunFolder()
    {
        auto f = makePage(QStringLiteral("launch"));
        TrainPage& page = *f->page;
        QTest::mouseClick(child<QToolButton>(page, "advancedToggle"), Qt::LeftButton);
        auto* combo = child<QComboBox>(page, "templateCombo");
        combo->setCurrentIndex(combo->findData(QStringLiteral("plain")));
        auto type = [&](const char* name, const QString& text) {
            auto* spin = child<QSpinBox>(page, name);
            spin->setFocus();
            spin->selectAll();
            QTest::keyClicks(spin, text);
            QTest::keyClick(spin, Qt::Key_Tab);
        };
        type("max_steps", QStringLiteral("42"));
        type("max_length", QStringLiteral("96"));
        type("eval_every", QStringLiteral("7"));
        auto* lr = child<QLineEdit>(page, "learning_rate");
        lr->setFocus();
        lr->selectAll();
        QTest::keyClicks(lr, QStringLiteral("5e-4"));
        clickIndicator(child<QCheckBox>(page, "packing")); // on -> off
        QTest::keyClicks(child<QLineEdit>(page, "runName"), QStringLiteral("My first run"));

        auto* launch = child<QPushButton>(page, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QSignalSpy launched(&page, &TrainPage::launched);
        QTest::mouseClick(launch, Qt::LeftButton);
        QVERIFY2(launched.size() == 1, qPrintable(page.problem()));
        const RunJob* job = f->queue.job(launched.first().at(0).toInt());
        QVERIFY(job);
        QCOMPARE(job->request.name, QStringLiteral("My first run"));
        // The history keeps the name as typed (the folder carries the date).
        const QStringList arguments = job->request.trainArguments();
        QCOMPARE(arguments.value(arguments.indexOf(QStringLiteral("--name")) + 1), QStringLiteral("My first run"));
        QVERIFY(job->request.runDir.startsWith(f->settings.runsFolder()));
        QVERIFY(job->request.runDir.endsWith(QStringLiteral("-my-first-run")));
        const QJsonObject json = readJsonObjectFile(QDir(job->request.runDir).filePath(QStringLiteral("config.json")));
        QCOMPARE(json.value(QStringLiteral("max_steps")).toInt(), 42);
        QCOMPARE(json.value(QStringLiteral("max_length")).toInt(), 96);
        QCOMPARE(json.value(QStringLiteral("eval_every")).toInt(), 7);
        QCOMPARE(json.value(QStringLiteral("learning_rate")).toDouble(), 5e-4);
        QCOMPARE(json.value(QStringLiteral("packing")).toBool(), false);
        QCOMPARE(json.value(QStringLiteral("template")).toString(), QStringLiteral("plain"));
        QCOMPARE(json.value(QStringLiteral("model")).toString(), m_model);
        QCOMPARE(json.value(QStringLiteral("train_file")).toString(), m_train);
        QCOMPARE(json.value(QStringLiteral("mode")).toString(), QStringLiteral("full"));
        // Every setting is written out, and reads back as the same configuration.
        QCOMPARE(TrainConfig::fromJson(json, QStringLiteral("config.json")).toJson(), json);
        {
            // The next Train page (the next start of the studio) begins where this launch left off.
            TrainPage next(&f->settings, &f->queue);
            QCOMPARE(child<QSpinBox>(next, "max_steps")->value(), 42);
            QCOMPARE(child<QSpinBox>(next, "eval_every")->value(), 7);
            QCOMPARE(child<QSpinBox>(next, "max_length")->value(), 96);
            QCOMPARE(child<QLineEdit>(next, "learning_rate")->text(), QStringLiteral("0.0005"));
            QVERIFY(!child<QCheckBox>(next, "packing")->isChecked());
            QCOMPARE(next.currentConfig().mode, QStringLiteral("full"));
            QCOMPARE(next.currentConfig().threads, f->settings.threads());
        }
        // A second launch while the first runs is queued; without a name it says mode, model and data.
        QTRY_COMPARE(launch->text(), QStringLiteral("Add to queue"));
        QTest::mouseClick(launch, Qt::LeftButton);
        QCOMPARE(launched.size(), 2);
        QCOMPARE(
            f->queue.job(launched.at(1).at(0).toInt())->request.name,
            QStringLiteral("full · %1 · %2").arg(QFileInfo(m_model).fileName(), QFileInfo(m_train).completeBaseName()));
        QCOMPARE(f->queue.queuedCount(), 1);
        QSignalSpy ended(&f->queue, &RunQueue::jobEnded);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 30000);
        QTRY_COMPARE(launch->text(), QStringLiteral("Launch"));
    }

    // The mode of the last launch is where the next Train page starts, with its LoRA settings.
    void remembersTheModeOfTheLastLaunch()
    {
        auto f = makePage(QStringLiteral("mode-memory"));
        TrainPage& page = *f->page;
        page.chooseMode(QStringLiteral("instruction"));
        auto* launch = child<QPushButton>(page, "launchButton");
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QVERIFY2(page.launch() > 0, qPrintable(page.problem()));
        TrainPage next(&f->settings, &f->queue);
        QCOMPARE(next.currentConfig().mode, QStringLiteral("instruction"));
        QCOMPARE(next.currentConfig().trainable, QStringLiteral("lora"));
        QCOMPARE(next.currentConfig().lossOn, QStringLiteral("response"));
        QSignalSpy ended(&f->queue, &RunQueue::jobEnded);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);
    }

    // New runs start in this machine's precision ($FT_COMPUTE_DTYPE stands in for the CPU here); a
    // launch in that precision leaves it to the machine, while one chosen against it is remembered.
    void precisionFollowsTheMachineUnlessChosen()
    {
        const test::ScopedEnvironment machine("FT_COMPUTE_DTYPE", "bfloat16");
        auto f = makePage(QStringLiteral("precision"));
        TrainPage& page = *f->page;
        QCOMPARE(page.currentConfig().computeDtype, QStringLiteral("bfloat16"));
        QCOMPARE(child<QComboBox>(page, "compute_dtype")->currentText(), QStringLiteral("bfloat16"));
        auto* launch = child<QPushButton>(page, "launchButton");
        QSignalSpy ended(&f->queue, &RunQueue::jobEnded);
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QVERIFY2(page.launch() > 0, qPrintable(page.problem()));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);

        machine.set("float32"); // another machine, the same settings file
        TrainPage elsewhere(&f->settings, &f->queue);
        QCOMPARE(elsewhere.currentConfig().computeDtype, QStringLiteral("float32"));

        machine.set("bfloat16");
        child<QComboBox>(page, "compute_dtype")->setCurrentText(QStringLiteral("float32"));
        QCOMPARE(page.currentConfig().computeDtype, QStringLiteral("float32"));
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QVERIFY2(page.launch() > 0, qPrintable(page.problem()));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 30000);
        TrainPage chosen(&f->settings, &f->queue);
        QCOMPARE(chosen.currentConfig().computeDtype, QStringLiteral("float32"));
    }

    // A workspace with a dataset "six and three": 6 train examples, 3 test, none in validation.
    qint64 makeWorkspaceDataset(const QString& dir, QString* databasePath)
    {
        Workspace workspace = Workspace::open(dir);
        *databasePath = workspace.databasePath();
        return test::addSplitDataset(workspace.database(), QStringLiteral("six and three"), 6, 3);
    }

    static void choose(QComboBox* box, const QString& data)
    {
        QTRY_VERIFY2(box->findData(data) >= 0, qPrintable(data)); // the datasets are read on a thread
        const int index = box->findData(data);
        box->setCurrentIndex(index);
        emit box->activated(index); // what a user's choice in the popup emits
    }

    void trainsOnAWorkspaceDataset()
    {
        auto f = makePage(QStringLiteral("dataset"));
        TrainPage& page = *f->page;
        QString database;
        const qint64 id = makeWorkspaceDataset(f->settings.workspace(), &database);
        page.setWorkspaceDatabase(database);
        auto* launch = child<QPushButton>(page, "launchButton");
        auto* problem = child<QLabel>(page, "launchProblem");
        auto* datasets = child<QComboBox>(page, "datasetCombo");
        auto* trainSplit = child<QComboBox>(page, "trainSplit");
        auto* valSplit = child<QComboBox>(page, "valSplit");
        QVERIFY(!page.dataSource()->usesDataset()); // a training file was chosen
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);

        choose(datasets, QString::number(id)); // choosing a dataset makes it the data
        QVERIFY(page.dataSource()->usesDataset());
        QVERIFY(child<QRadioButton>(page, "sourceDataset")->isChecked());
        QVERIFY(datasets->currentText().contains(QStringLiteral("9 examples")));
        QCOMPARE(trainSplit->currentData().toString(), QStringLiteral("train"));
        QCOMPARE(trainSplit->currentText(), QStringLiteral("train (6)"));
        // No validation examples: a share of the training split validates.
        QCOMPARE(valSplit->currentData().toString(), QStringLiteral("none"));
        QVERIFY(
            child<QLabel>(page, "datasetSummary")->text().contains(QStringLiteral("6 train, 0 validation, 3 test")));
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        // The estimate measures the chosen training split, read from the workspace on a thread.
        auto* estimate = child<QLabel>(page, "estimateText");
        QTRY_VERIFY_WITH_TIMEOUT(estimate->text().contains(QStringLiteral("Training data: 6 examples")), 20000);

        // An empty split is refused before launch, with a reason that names it.
        choose(valSplit, QStringLiteral("val"));
        QTRY_VERIFY(!launch->isEnabled());
        QVERIFY2(problem->text().contains(QStringLiteral("no examples in the validation split")),
                 qPrintable(problem->text()));
        QCOMPARE(page.launch(), 0);
        choose(trainSplit, QStringLiteral("val"));
        choose(valSplit, QStringLiteral("test"));
        QTRY_VERIFY2(problem->text().contains(
                         QStringLiteral("no examples in the validation split: choose another split to train on")),
                     qPrintable(problem->text()));
        QVERIFY(!launch->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(estimate->text().contains(QStringLiteral("six and three")) &&
                                     estimate->text().contains(QStringLiteral("no examples in the val split")),
                                 20000);
        choose(trainSplit, QStringLiteral("test"));
        QTRY_VERIFY2(problem->text().contains(QStringLiteral("both")), qPrintable(problem->text()));
        QVERIFY(!launch->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(estimate->text().contains(QStringLiteral("Training data: 3 examples")), 20000);

        // Train on train, validate on test: the worker is told so, and the run records the dataset.
        choose(trainSplit, QStringLiteral("train"));
        QTRY_VERIFY_WITH_TIMEOUT(launch->isEnabled(), 10000);
        QSignalSpy launched(&page, &TrainPage::launched);
        QTest::mouseClick(launch, Qt::LeftButton);
        QVERIFY2(launched.size() == 1, qPrintable(page.problem()));
        const RunJob* job = f->queue.job(launched.first().at(0).toInt());
        QVERIFY(job);
        QCOMPARE(job->request.dataset, QStringLiteral("six and three"));
        QCOMPARE(job->request.datasetId, id);
        const QStringList arguments = job->request.trainArguments();
        const auto after = [&](const char* option) {
            return arguments.value(arguments.indexOf(QLatin1String(option)) + 1);
        };
        QCOMPARE(after("--dataset-id"), QString::number(id));
        QCOMPARE(after("--train-split"), QStringLiteral("train"));
        QCOMPARE(after("--val-split"), QStringLiteral("test"));
        QCOMPARE(after("--workspace"), f->settings.workspace());
        const QJsonObject json = readJsonObjectFile(QDir(job->request.runDir).filePath(QStringLiteral("config.json")));
        QCOMPARE(json.value(QStringLiteral("train_file")).toString(),
                 QDir(job->request.runDir).filePath(QStringLiteral("data/train.jsonl")));
        QCOMPARE(json.value(QStringLiteral("val_file")).toString(),
                 QDir(job->request.runDir).filePath(QStringLiteral("data/val.jsonl")));
        QSignalSpy ended(&f->queue, &RunQueue::jobEnded);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);

        // A file chosen again takes over.
        page.setTrainFile(m_train);
        QVERIFY(!page.dataSource()->usesDataset());
        QCOMPARE(page.currentConfig().trainFile, m_train);
    }

    void theRealWorkerRecordsTheDataset()
    {
        // The worker itself (ftstudio-cli): the run's row records the dataset, its version and the
        // snapshot of the chosen splits.
        auto f = makePage(QStringLiteral("real"));
        TrainPage& page = *f->page;
        f->queue.setCliPath(test::cliPath());
        QString database;
        const qint64 id = makeWorkspaceDataset(f->settings.workspace(), &database);
        page.setWorkspaceDatabase(database);
        QTest::mouseClick(child<QToolButton>(page, "advancedToggle"), Qt::LeftButton);
        typeNumber(&page, "max_steps", 2);
        typeNumber(&page, "max_length", 128);
        choose(child<QComboBox>(page, "datasetCombo"), QString::number(id));
        choose(child<QComboBox>(page, "valSplit"), QStringLiteral("test"));
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
        QSignalSpy ended(&f->queue, &RunQueue::jobEnded);
        const int job = page.launch();
        QVERIFY2(job > 0, qPrintable(page.problem()));
        QVERIFY(ended.wait(120000));
        QVERIFY2(f->queue.job(job)->status == QLatin1String("finished"),
                 qPrintable(f->queue.job(job)->trace.end.message));
        const QString runDir = f->queue.job(job)->request.runDir;
        Workspace workspace = Workspace::open(f->settings.workspace());
        const auto runs = RunStore(workspace.database(), workspace.path()).runs();
        QCOMPARE(runs.size(), size_t(1));
        QCOMPARE(runs.front().datasetId.value_or(0), id);
        QCOMPARE(runs.front().datasetName, QStringLiteral("six and three"));
        QCOMPARE(runs.front().datasetVersion.value_or(0), DatasetStore(workspace.database()).find(id)->version);
        QVERIFY(!runs.front().valSha256.isEmpty());
        QCOMPARE(QDir::cleanPath(runs.front().runDir), QDir::cleanPath(runDir));
        QFile val(QDir(runDir).filePath(QStringLiteral("data/val.jsonl")));
        QVERIFY(val.open(QIODevice::ReadOnly));
        QCOMPARE(val.readAll().count('\n'), 3); // the test split
    }

    void datasetChosenFromTheDatasetsPage()
    {
        auto f = makePage(QStringLiteral("use"));
        TrainPage& page = *f->page;
        QString database;
        const qint64 id = makeWorkspaceDataset(f->settings.workspace(), &database);
        page.useDataset(id); // before the list was read: chosen once it is
        page.setWorkspaceDatabase(database);
        QVERIFY(page.dataSource()->usesDataset());
        QTRY_COMPARE_WITH_TIMEOUT(page.dataSource()->dataset().value_or(DatasetInfo()).id, id, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
    }

    void aDeletedDatasetIsNotReplacedSilently()
    {
        auto f = makePage(QStringLiteral("deleted"));
        TrainPage& page = *f->page;
        QString database;
        const qint64 id = makeWorkspaceDataset(f->settings.workspace(), &database); // beside the Sample dataset
        page.setWorkspaceDatabase(database);
        auto* datasets = child<QComboBox>(page, "datasetCombo");
        choose(datasets, QString::number(id));
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
        {
            Workspace workspace = Workspace::open(f->settings.workspace());
            DatasetStore(workspace.database()).remove(id); // deleted on the Datasets page
        }
        page.refreshDatasets();
        QTRY_COMPARE_WITH_TIMEOUT(datasets->count(), 1, 5000);
        QCOMPARE(datasets->currentIndex(), -1); // not the other dataset
        QTRY_VERIFY(!page.canLaunch());
        QVERIFY2(page.problem().contains(QStringLiteral("no longer in the workspace")), qPrintable(page.problem()));
        page.refreshDatasets(); // and it stays so
        QTest::qWait(500);
        QCOMPARE(datasets->currentIndex(), -1);
        choose(datasets, datasets->itemData(0).toString());
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
    }

    void severalProcessesTrainOnFiles()
    {
        auto f = makePage(QStringLiteral("processes"));
        TrainPage& page = *f->page;
        QString database;
        const qint64 id = makeWorkspaceDataset(f->settings.workspace(), &database);
        page.setWorkspaceDatabase(database);
        QTest::mouseClick(child<QToolButton>(page, "advancedToggle"), Qt::LeftButton);
        auto* source = child<QRadioButton>(page, "sourceDataset");
        typeNumber(&page, "processes", 2);
        // Files are chosen: the dataset cannot be, and says why.
        QTRY_VERIFY(!source->isEnabled());
        QVERIFY2(source->toolTip().contains(QStringLiteral("2 processes")), qPrintable(source->toolTip()));
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
        choose(child<QComboBox>(page, "datasetCombo"),
               QString::number(id)); // touching the dataset side does not select it
        QVERIFY(!page.dataSource()->usesDataset());
        QVERIFY(child<QLabel>(page, "datasetSummary")->text().contains(QStringLiteral("data files only")));
        // A dataset chosen before stays chosen, and Launch says why it cannot start.
        typeNumber(&page, "processes", 1);
        QTRY_VERIFY(source->isEnabled());
        choose(child<QComboBox>(page, "datasetCombo"), QString::number(id));
        QVERIFY(page.dataSource()->usesDataset());
        QTRY_VERIFY_WITH_TIMEOUT(page.canLaunch(), 10000);
        typeNumber(&page, "processes", 2);
        QTRY_VERIFY(!page.canLaunch());
        QVERIFY2(page.problem().contains(QStringLiteral("data files only")), qPrintable(page.problem()));
    }

    void showsTheEstimate()
    {
        auto f = makePage(QStringLiteral("estimate"));
        TrainPage& page = *f->page;
        QTest::mouseClick(child<QToolButton>(page, "advancedToggle"), Qt::LeftButton);
        auto* steps = child<QSpinBox>(page, "max_steps");
        steps->setValue(100);
        auto* text = child<QLabel>(page, "estimateText");
        QTRY_VERIFY_WITH_TIMEOUT(text->text().contains(QStringLiteral("Memory: about")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(text->text().contains(QStringLiteral("Time: about")), 10000);
        // The training data is measured on a thread and named in the estimate.
        QTRY_VERIFY_WITH_TIMEOUT(text->text().contains(QStringLiteral("40 examples")), 20000);
        QCOMPARE(page.estimate().totalSteps, 100);
        QCOMPARE(page.estimate().totalParameters, page.modelPicker()->folder()->config.parameterCount());
        QVERIFY(page.estimate().fits);
        QVERIFY(child<QLabel>(page, "estimateWarning")->isHidden());
        // QLoRA needs less memory for the weights than full fine-tuning.
        const double fullWeights = page.estimate().weightBytes + page.estimate().optimizerBytes;
        page.chooseMode(QStringLiteral("qlora"));
        QTRY_VERIFY(page.estimate().weightBytes + page.estimate().optimizerBytes < fullWeights);
    }
};

QTEST_MAIN(TestTrainPage)
#include "tst_train_page.moc"
