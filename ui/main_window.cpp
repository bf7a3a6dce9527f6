#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include "app_settings.h"
#include "common/app_paths.h"
#include "contract/run_folder.h"
#include "dialogs/gguf_export_dialog.h"
#include "dialogs/sweep_dialog.h"
#include "models/dataset_session.h"
#include "pages/datasets_page.h"
#include "pages/monitor_page.h"
#include "pages/playground_page.h"
#include "pages/runs_page.h"
#include "pages/train_page.h"
#include "runs/cli_locator.h"
#include "runs/cli_task.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"
#include "settings_dialog.h"
#include "shortcuts.h"
#include "user_guide.h"
#include "widgets/model_picker.h"
#include "widgets/readable_icon.h"
#include "widgets/training_plot.h"

namespace ft::ui {

namespace {

constexpr int kIconRole = Qt::UserRole + 1; // the sidebar item's QStyle::StandardPixmap

} // namespace

MainWindow::MainWindow(AppSettings* settings, const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_options(options)
    , m_queue(new RunQueue(this))
    , m_history(new StoreRunHistory(m_queue, this))
{
    setWindowTitle(tr("FineTune Studio"));
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    m_queue->setMaxConcurrent(settings->maxConcurrentRuns());

    m_datasets = new DatasetsPage(this);
    m_train = new TrainPage(settings, m_queue, this);
    m_monitor = new MonitorPage(settings, m_queue, this);
    m_runs = new RunsPage(m_history, this);
    m_playground = new PlaygroundPage(settings, this);

    m_sidebar = new QListWidget(this);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setIconSize(QSize(24, 24));
    m_sidebar->setSpacing(2);
    m_sidebar->setMinimumWidth(130);
    m_sidebar->setMaximumWidth(220);
    const std::pair<QString, QStyle::StandardPixmap> entries[] = {{tr("Datasets"), QStyle::SP_FileDialogDetailedView},
                                                                  {tr("Train"), QStyle::SP_MediaPlay},
                                                                  {tr("Monitor"), QStyle::SP_ComputerIcon},
                                                                  {tr("Runs"), QStyle::SP_FileDialogListView},
                                                                  {tr("Playground"), QStyle::SP_MessageBoxQuestion}};
    m_stack = new QStackedWidget(this);
    m_stack->setObjectName(QStringLiteral("pages"));
    int index = 0;
    for (QWidget* page :
         {static_cast<QWidget*>(m_datasets), static_cast<QWidget*>(m_train), static_cast<QWidget*>(m_monitor),
          static_cast<QWidget*>(m_runs), static_cast<QWidget*>(m_playground)}) {
        auto* item = new QListWidgetItem(entries[index].first, m_sidebar);
        item->setData(kIconRole, static_cast<int>(entries[index].second));
        item->setToolTip(tr("%1 (Ctrl+%2)").arg(entries[index].first).arg(index + 1));
        m_stack->addWidget(page);
        ++index;
    }
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_sidebar);
    m_splitter->addWidget(m_stack);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setCollapsible(1, false);
    setCentralWidget(m_splitter);
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    updateSidebarIcons();

    m_workspaceLabel = new QLabel(this);
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    m_jobLabel = new QLabel(this);
    m_jobLabel->setObjectName(QStringLiteral("jobLabel"));
    m_jobProgress = new QProgressBar(this);
    m_jobProgress->setObjectName(QStringLiteral("jobProgress"));
    m_jobProgress->setMaximumWidth(180);
    m_jobProgress->setMaximumHeight(16);
    m_jobProgress->setVisible(false);
    // Permanent widgets: messages (left) never cover them.
    statusBar()->addPermanentWidget(m_workspaceLabel);
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_jobProgress);

    buildMenus();

    auto status = [this](const QString& text) { statusBar()->showMessage(text, 8000); };
    connect(m_train, &TrainPage::statusMessage, this, status);
    connect(m_monitor, &MonitorPage::statusMessage, this, status);
    connect(m_monitor, &MonitorPage::stopRecordedRun, this, [this](qint64 runId) {
        const QString error = m_history->stopDetached(runId);
        statusBar()->showMessage(error.isEmpty() ? tr("Stopping the run after its current step…") : error, 8000);
    });
    connect(m_monitor, &MonitorPage::controlRecordedRun, this, [this](qint64 runId, const QString& command) {
        const QString error = m_history->controlDetached(runId, command);
        const QString done = command == QLatin1String("checkpoint")
                                 ? tr("A checkpoint will be written at the next step boundary.")
                             : command == QLatin1String("pause") ? tr("Pausing the run after its current step…")
                                                                 : tr("Resuming the run…");
        statusBar()->showMessage(error.isEmpty() ? done : error, 8000);
    });
    connect(m_runs, &RunsPage::statusMessage, this, status);
    connect(m_playground, &PlaygroundPage::statusMessage, this, status);
    connect(m_train, &TrainPage::launched, this, [this](int id) {
        m_monitor->showJob(id);
        showPage(Monitor);
    });
    connect(m_runs, &RunsPage::showInMonitor, this, [this](int id) {
        m_monitor->showJob(id);
        showPage(Monitor);
    });
    connect(m_runs, &RunsPage::showPastRun, this, [this](qint64 runId, const QString& runDir, const QString& name) {
        if (runId > 0 && m_history->isDetachedRunning(runId)) // its events.jsonl stopped with the old studio
            m_monitor->followStoredRun(m_history->storeThread(), m_history->workspacePath(), runId, name, runDir);
        else if (runId > 0 && !QFileInfo::exists(RunFolder(runDir).eventsPath()))
            m_monitor->showStoredRun(m_history->storeThread(), m_history->workspacePath(), runId, name);
        else if (!m_monitor->openRunFolder(runDir))
            return;
        showPage(Monitor);
    });
    connect(m_history, &StoreRunHistory::storeError, this,
            [this](const QString& error) { statusBar()->showMessage(error, 8000); });
    connect(m_runs, &RunsPage::cloneSettings, this, [this](const TrainConfig& config) {
        m_train->setConfig(config);
        showPage(Train);
        statusBar()->showMessage(tr("The run's settings are on the Train page."), 5000);
    });
    // A sweep's best trial, one click from the Monitor, the Playground and the GGUF export.
    SweepDialog* sweep = m_train->sweepDialog();
    connect(sweep, &SweepDialog::openRunRequested, this, [this](const QString& runDir) {
        if (m_monitor->openRunFolder(runDir))
            showPage(Monitor);
    });
    connect(sweep, &SweepDialog::chatRequested, this, [this](const QString& runDir, const QString& checkpoint) {
        m_playground->addColumn()->setModel(runDir, checkpoint);
        showPage(Playground);
    });
    connect(sweep, &SweepDialog::exportRequested, this, [this](const QString& runDir) {
        auto* dialog = new GgufExportDialog(runDir, QDir(runDir).filePath(QStringLiteral("export")),
                                            QFileInfo(runDir).fileName(), findCli(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    connect(sweep, &SweepDialog::finished, m_playground, &PlaygroundPage::refreshModels);
    connect(m_datasets, &DatasetsPage::useForTrainingRequested, this, [this](qint64 datasetId) {
        m_train->useDataset(datasetId);
        showPage(Train);
    });
    // The Train page lists the workspace's datasets with their counts per split.
    DatasetSession* session = m_datasets->session();
    m_playground->setDatasetSession(session); // conversations saved as examples (undone there)
    m_runs->setDatasetSession(session);       // preferred answers of a blind rating, likewise
    connect(session, &DatasetSession::opened, m_train,
            [this, session] { m_train->setWorkspaceDatabase(session->databasePath()); });
    connect(session, &DatasetSession::closed, m_train, [this] { m_train->setWorkspaceDatabase(QString()); });
    connect(session, &DatasetSession::datasetsChanged, m_train, &TrainPage::refreshDatasets);
    connect(session, &DatasetSession::examplesChanged, m_train, &TrainPage::refreshDatasets);
    connect(m_queue, &RunQueue::activityChanged, this, &MainWindow::updateJobStatus);
    connect(m_queue, &RunQueue::jobProgress, this, &MainWindow::updateJobStatus);
    connect(m_queue, &RunQueue::jobEnded, this, [this](int id, const RunEndInfo& end) {
        const RunJob* job = m_queue->job(id);
        statusBar()->showMessage(tr("Run %1 %2").arg(job ? job->request.name : QString(), end.status), 10000);
        m_playground->refreshModels(); // its export or last checkpoints can now be tried
        if (m_closingWhenIdle && m_queue->activeCount() == 0)
            QTimer::singleShot(0, this, &QWidget::close);
    });

    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(m_settings->workspace())));
    // The Datasets page first: a new workspace is created (with its sample dataset) on this thread
    // before the run history's thread opens it too; otherwise that thread could be seeding the sample
    // while the page reads an empty list of datasets.
    m_datasets->openWorkspace(m_settings->workspace());
    m_history->setWorkspace(m_settings->workspace());
    m_datasets->setModels(m_settings->knownModels());
    // One list of models for every page: a model read anywhere (the Train page, "Tokens for", the starter
    // model, a dropped folder) is offered everywhere at once.
    connect(m_settings, &AppSettings::knownModelsChanged, this, [this] {
        m_datasets->setModels(m_settings->knownModels());
        m_playground->refreshModels();
    });
    connect(m_datasets, &DatasetsPage::modelUsed, this, [this](const QString& folder) {
        if (!folder.isEmpty())
            m_settings->addKnownModel(folder);
    });
    m_datasets->setModelsFolder(m_settings->modelsFolder());
    updateJobStatus();
    restoreLayout();
    if (m_sidebar->currentRow() < 0)
        showPage(Train);
    if (m_options.offerStarterModel)
        QTimer::singleShot(0, this, &MainWindow::offerStarterModelIfNeeded);
    // Measured once per thread count; again where an older version measured fp32 only.
    if (m_options.measureThroughput && (std::isnan(m_settings->sgemmGflops(m_settings->threads())) ||
                                        std::isnan(m_settings->bf16Gflops(m_settings->threads()))))
        QTimer::singleShot(1500, m_train, &TrainPage::measureThroughput);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open workspace…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Workspace folder"), m_settings->workspace());
        if (!dir.isEmpty())
            openWorkspace(dir);
    });
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Recent &workspaces"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    updateRecentMenu();
    file->addSeparator();
    QAction* import = file->addAction(tr("&Import files…"), this, [this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, tr("Import files"), m_settings->dataFilesFolder());
        if (!files.isEmpty())
            handleFiles(files);
    });
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    QAction* openRun = file->addAction(tr("Open &run folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run folder"), m_settings->runsFolder());
        if (!dir.isEmpty() && m_monitor->openRunFolder(dir))
            showPage(Monitor);
    });
    openRun->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addAction(tr("Create the &starter model"), this, &MainWindow::createStarterModel);
    file->addSeparator();
    QAction* settings = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcuts(shortcutsWith(QKeySequence::Preferences, {QKeySequence(Qt::CTRL | Qt::Key_Comma)}));
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcuts(shortcutsWith(QKeySequence::Quit, {QKeySequence(Qt::CTRL | Qt::Key_Q)}));
    quit->setMenuRole(QAction::QuitRole);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("&Datasets"), tr("&Train"), tr("&Monitor"), tr("&Runs"), tr("&Playground")};
    for (int i = 0; i < PageCount; ++i) {
        QAction* action = view->addAction(names[i], this, [this, i] { showPage(static_cast<Page>(i)); });
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    view->addSeparator();
    QAction* sidebar = view->addAction(tr("Show &sidebar"));
    sidebar->setCheckable(true);
    sidebar->setChecked(true);
    connect(sidebar, &QAction::toggled, m_sidebar, &QWidget::setVisible);
    QAction* fullScreen =
        view->addAction(tr("&Full screen"), this, [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    fullScreen->setShortcut(QKeySequence::FullScreen);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* launch = run->addAction(tr("&Launch"), m_train, &TrainPage::launch);
    launch->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    run->addSeparator();
    QAction* pause = run->addAction(tr("&Pause / resume"), m_monitor, &MonitorPage::togglePause);
    pause->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    QAction* checkpoint = run->addAction(tr("&Checkpoint now"), m_monitor, &MonitorPage::checkpointNow);
    checkpoint->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    QAction* stop = run->addAction(tr("&Stop"), m_monitor, &MonitorPage::stopRun);
    stop->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    run->addSeparator();
    run->addAction(tr("Fit the &plot"), m_monitor->plot(), &TrainingPlot::fitView)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("&User guide"), this, &MainWindow::showHelp);
    guide->setShortcut(QKeySequence::HelpContents);
    QAction* about = help->addAction(tr("&About FineTune Studio"), this, &MainWindow::showAbout);
    about->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F1));
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings->recentWorkspaces();
    for (const QString& path : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [this, path] { openWorkspace(path); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear the list"), this, [this] { m_settings->clearRecentWorkspaces(); });
}

void MainWindow::showPage(Page page)
{
    m_sidebar->setCurrentRow(page);
    m_stack->setCurrentIndex(page);
}

MainWindow::Page MainWindow::currentPage() const { return static_cast<Page>(m_stack->currentIndex()); }

void MainWindow::openWorkspace(const QString& path)
{
    if (!QDir().mkpath(path)) {
        QMessageBox::warning(this, tr("Workspace"), tr("Cannot create or open %1.").arg(path));
        return;
    }
    m_settings->setWorkspace(QDir(path).absolutePath());
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QDir::toNativeSeparators(m_settings->workspace())));
    m_datasets->openWorkspace(m_settings->workspace()); // before the history's thread opens it (see the constructor)
    m_history->setWorkspace(m_settings->workspace());
    m_playground->refreshModels();
    statusBar()->showMessage(tr("New runs go to %1").arg(m_settings->runsFolder()), 5000);
}

void MainWindow::handleFiles(const QStringList& files)
{
    if (files.isEmpty())
        return;
    m_datasets->offerImport(files);
    showPage(Datasets);
    statusBar()->showMessage(tr("%n file(s) ready to import", nullptr, static_cast<int>(files.size())), 5000);
    emit filesDropped(files);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& url : event->mimeData()->urls())
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList files;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    if (!files.isEmpty()) {
        event->acceptProposedAction();
        handleFiles(files);
    }
}

void MainWindow::updateJobStatus()
{
    const int active = m_queue->activeCount();
    const int queued = m_queue->queuedCount();
    const RunJob* job = m_queue->job(m_queue->currentJobId());
    if (!job) {
        m_jobLabel->setText(queued > 0 ? tr("%n run(s) queued", nullptr, queued) : tr("No run active"));
        m_jobProgress->setVisible(false);
        return;
    }
    QString text = tr("Training %1").arg(job->request.name);
    if (active > 1)
        text += tr(" (+%1 more)").arg(active - 1);
    if (queued > 0)
        text += tr(", %n queued", nullptr, queued);
    m_jobLabel->setText(text);
    const qint64 total = job->trace.totalSteps();
    const StepPoint* last = job->trace.lastStep();
    m_jobProgress->setRange(0, total > 0 ? static_cast<int>(std::min<qint64>(total, INT_MAX)) : 0);
    m_jobProgress->setValue(last ? static_cast<int>(std::min<qint64>(last->step, INT_MAX)) : 0);
    m_jobProgress->setVisible(true);
}

void MainWindow::offerStarterModelIfNeeded()
{
    if (!m_settings->knownModels().isEmpty())
        return;
    const QString starter = m_settings->starterModelPath();
    if (QFileInfo::exists(QDir(starter).filePath(QStringLiteral("config.json")))) {
        m_settings->addKnownModel(starter);
        m_train->modelPicker()->setModelPath(starter);
        m_playground->refreshModels();
        return;
    }
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("No model yet"),
        tr("FineTune Studio knows no model yet. Create the starter model — a tiny randomly initialised "
           "Llama-style model with a tokenizer trained on the sample data, in %1? It trains in seconds, "
           "so you can try every page at once. You can also choose a Hugging Face model folder on the "
           "Train page.")
            .arg(QDir::toNativeSeparators(starter)),
        QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->button(QMessageBox::Yes)->setText(tr("Create the starter model"));
    box->button(QMessageBox::No)->setText(tr("Not now"));
    connect(box, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Yes)
            createStarterModel();
    });
    box->open();
}

void MainWindow::createStarterModel()
{
    if (m_starterTask && m_starterTask->isRunning())
        return;
    const QString path = m_settings->starterModelPath();
    if (QFileInfo::exists(path)) {
        m_settings->addKnownModel(path);
        m_train->modelPicker()->setModelPath(path);
        m_playground->refreshModels();
        statusBar()->showMessage(tr("The starter model is already in %1").arg(path), 5000);
        return;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!m_starterTask)
        m_starterTask = new CliTask(this);
    auto* progress = new QProgressDialog(tr("Creating the starter model (a tiny random model and its tokenizer)…"),
                                         tr("Cancel"), 0, 0, this);
    progress->setObjectName(QStringLiteral("starterProgress"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(0);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, m_starterTask, &CliTask::cancel);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection =
        connect(m_starterTask, &CliTask::done, this, [this, progress, path, connection](const CliTaskResult& result) {
            disconnect(*connection);
            progress->close();
            if (result.ok) {
                m_settings->addKnownModel(path);
                m_train->modelPicker()->refreshKnownModels();
                m_train->modelPicker()->setModelPath(path);
                m_playground->refreshModels();
                statusBar()->showMessage(tr("Created the starter model in %1").arg(path), 8000);
            } else {
                auto* box = new QMessageBox(QMessageBox::Warning, tr("Starter model"),
                                            tr("Could not create the starter model: %1").arg(result.message),
                                            QMessageBox::Ok, this);
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
        });
    progress->show();
    m_starterTask->start(CliTask::starterModelArguments(path));
}

void MainWindow::showSettings()
{
    const int threads = m_settings->threads();
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted) {
        m_queue->setMaxConcurrent(m_settings->maxConcurrentRuns());
        m_train->setDefaultThreads(threads, m_settings->threads());
        statusBar()->showMessage(tr("Settings saved. Thread and folder settings apply to new runs."), 5000);
    }
}

void MainWindow::showHelp()
{
    QFile guide(QStringLiteral(":/docs/gui.md"));
    QString text = guide.open(QIODevice::ReadOnly) ? QString::fromUtf8(guide.readAll())
                                                   : tr("The user guide is docs/gui.md in the source.");
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("FineTune Studio — user guide"));
    auto* browser = new QTextBrowser(dialog);
    browser->setMarkdown(userGuideMarkdown(text));
    browser->setOpenExternalLinks(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(browser);
    layout->addWidget(buttons);
    dialog->resize(760, 640);
    dialog->show();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About FineTune Studio"),
        tr("<h3>FineTune Studio %1</h3><p>A native desktop studio for fine-tuning language models: curate "
           "instruction data, pick a training mode (full fine-tuning, instruction tuning with LoRA, QLoRA), "
           "watch the loss live and compare runs. Training runs in a separate worker process "
           "(<code>ftstudio-cli</code>).</p><p>Qt %2, QCustomPlot 2.1, LibTorch in the worker.</p>")
            .arg(appVersion(), QString::fromLatin1(qVersion())));
}

MainWindow::CloseDecision MainWindow::askAboutActiveRuns()
{
    QMessageBox box(
        QMessageBox::Question, tr("Runs are active"),
        tr("%n run(s) are training.", nullptr, m_queue->activeCount()) + QLatin1Char(' ') +
            tr("Stop them (each finishes its step and writes a checkpoint, so it can be resumed), or leave them "
               "running on their own? Runs left running keep writing their log, checkpoints and exported model to "
               "their run folders."),
        QMessageBox::NoButton, this);
    QPushButton* stop = box.addButton(tr("Stop runs and quit"), QMessageBox::DestructiveRole);
    QPushButton* keep = box.addButton(tr("Keep running and quit"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == stop)
        return CloseDecision::StopRuns;
    if (box.clickedButton() == keep)
        return CloseDecision::KeepRunning;
    return CloseDecision::Cancel;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_queue->activeCount() > 0 && !m_closingWhenIdle) {
        const CloseDecision decision = m_closeDecider ? m_closeDecider() : askAboutActiveRuns();
        if (decision == CloseDecision::Cancel) {
            event->ignore();
            return;
        }
        for (int id : m_queue->jobIds())
            if (m_queue->job(id)->status == QLatin1String("queued"))
                m_queue->cancel(id); // a queued run would never start
        if (decision == CloseDecision::StopRuns) {
            m_closingWhenIdle = true;
            for (int id : m_queue->jobIds())
                if (m_queue->job(id)->worker->isActive())
                    m_queue->job(id)->worker->stop();
            statusBar()->showMessage(
                tr("Stopping the runs; the window closes when they have written their checkpoints…"));
            event->ignore();
            return;
        }
        for (int id : m_queue->jobIds())
            m_queue->job(id)->worker->detach();
    } else if (m_closingWhenIdle && m_queue->activeCount() > 0) {
        // Closed again while the runs are still stopping: offer to leave them to finish alone.
        const auto answer =
            QMessageBox::question(this, tr("Runs are stopping"),
                                  tr("The runs are still writing their checkpoints. Quit now and let them "
                                     "finish stopping on their own?"));
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        for (int id : m_queue->jobIds())
            m_queue->job(id)->worker->detach();
    }
    saveLayout();
    event->accept();
}

void MainWindow::saveLayout()
{
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/page"), QByteArray::number(currentPage()));
    m_settings->setValue(QStringLiteral("splitters/main"), m_splitter->saveState());
    m_settings->setValue(QStringLiteral("splitters/monitor"), m_monitor->splitter()->saveState());
    m_settings->setValue(QStringLiteral("splitters/playground"), m_playground->splitter()->saveState());
    m_settings->sync();
}

void MainWindow::restoreLayout()
{
    if (!restoreGeometry(m_settings->value(QStringLiteral("window/geometry"))))
        resize(1280, 860);
    m_splitter->setSizes({150, std::max(600, width() - 150)}); // the sidebar as wide as "Playground" needs
    restoreState(m_settings->value(QStringLiteral("window/state")));
    m_splitter->restoreState(m_settings->value(QStringLiteral("splitters/main")));
    m_monitor->splitter()->restoreState(m_settings->value(QStringLiteral("splitters/monitor")));
    m_playground->splitter()->restoreState(m_settings->value(QStringLiteral("splitters/playground")));
    bool ok = false;
    const int page = m_settings->value(QStringLiteral("window/page")).toInt(&ok);
    showPage(ok && page >= 0 && page < PageCount ? static_cast<Page>(page) : Train);
}

void MainWindow::updateSidebarIcons()
{
    const QPalette& colors = palette(); // the window's: its children may not have the new one yet
    for (int row = 0; row < m_sidebar->count(); ++row) {
        QListWidgetItem* item = m_sidebar->item(row);
        const auto pixmap = static_cast<QStyle::StandardPixmap>(item->data(kIconRole).toInt());
        item->setIcon(
            readableIcon(style()->standardIcon(pixmap), colors.color(QPalette::Base), colors.color(QPalette::Text)));
    }
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateSidebarIcons();
    QMainWindow::changeEvent(event);
}

} // namespace ft::ui
