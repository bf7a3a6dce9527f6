#pragma once
// The studio's main window: a navigation sidebar (Datasets, Train, Monitor, Runs, Playground), the
// pages, a status bar (workspace, running jobs with progress), menus with the usual shortcuts, recent
// workspaces, settings, help and about. Files dropped on the window are offered for import. Window
// geometry, dock/toolbar state and splitter positions persist.
//
// Closing while runs are active asks: stop them (each finishes its step and writes a checkpoint;
// the window closes once they have ended), keep them running (the workers are separate processes and
// go on alone: they write log.txt, checkpoints and export/ in their run folders; this version of the
// studio does not reattach to them, the workspace store will list them), or cancel.

#include <functional>

#include <QMainWindow>

class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QSplitter;
class QStackedWidget;

namespace ft {
class CliTask;
class RunQueue;
class StoreRunHistory;
} // namespace ft

namespace ft::ui {

class AppSettings;
class DatasetsPage;
class MonitorPage;
class PlaygroundPage;
class RunsPage;
class TrainPage;

struct MainWindowOptions {
    bool offerStarterModel = true; // first start: offer to create the starter model when no model is known
    bool measureThroughput = true; // measure the machine's GFLOP/s once when it is not known yet
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Page { Datasets, Train, Monitor, Runs, Playground, PageCount };
    enum class CloseDecision { StopRuns, KeepRunning, Cancel };

    explicit MainWindow(AppSettings* settings, const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;

    RunQueue* queue() const { return m_queue; }
    StoreRunHistory* history() const { return m_history; }
    DatasetsPage* datasetsPage() const { return m_datasets; }
    TrainPage* trainPage() const { return m_train; }
    MonitorPage* monitorPage() const { return m_monitor; }
    RunsPage* runsPage() const { return m_runs; }
    PlaygroundPage* playgroundPage() const { return m_playground; }
    QProgressBar* jobProgress() const { return m_jobProgress; }
    QLabel* jobLabel() const { return m_jobLabel; }

    // Replaces the question asked on close with active runs (tests).
    void setCloseDecider(std::function<CloseDecision()> decider) { m_closeDecider = std::move(decider); }

public slots:
    void openWorkspace(const QString& path);
    void handleFiles(const QStringList& files); // dropped or chosen for import
    void createStarterModel();
    void showSettings();
    void showHelp();
    void showAbout();

signals:
    void filesDropped(const QStringList& files);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override; // a new theme: icons that read on it

private:
    void buildMenus();
    void updateSidebarIcons();
    void updateRecentMenu();
    void updateJobStatus();
    void saveLayout();
    void restoreLayout();
    void offerStarterModelIfNeeded();
    CloseDecision askAboutActiveRuns();

    AppSettings* m_settings;
    MainWindowOptions m_options;
    RunQueue* m_queue;
    StoreRunHistory* m_history;
    QSplitter* m_splitter;
    QListWidget* m_sidebar;
    QStackedWidget* m_stack;
    DatasetsPage* m_datasets;
    TrainPage* m_train;
    MonitorPage* m_monitor;
    RunsPage* m_runs;
    PlaygroundPage* m_playground;
    QLabel* m_workspaceLabel;
    QLabel* m_jobLabel;
    QProgressBar* m_jobProgress;
    QMenu* m_recentMenu = nullptr;
    CliTask* m_starterTask = nullptr;
    std::function<CloseDecision()> m_closeDecider;
    bool m_closingWhenIdle = false;
};

} // namespace ft::ui
