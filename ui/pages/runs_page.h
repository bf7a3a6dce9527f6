#pragma once
// The Runs page. The full history (every run, also those started from the command line; rename,
// notes, tags, delete, compare) needs the workspace store, which comes next: the page says so. Until
// then it lists the runs launched in this session (RunHistoryModel over the RunQueue), with what can
// be done without the store: show in the monitor, open the folder, stop, cancel a queued run, resume
// a stopped or interrupted run, and clone a run's settings into the Train page.

#include <QWidget>

#include "runs/train_config.h"

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace ft {
class RunQueue;
}

namespace ft::ui {

class RunHistoryModel;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(RunQueue* queue, QWidget* parent = nullptr);
    QTableView* table() const { return m_table; }
    RunHistoryModel* model() const { return m_model; }

signals:
    void showInMonitor(int jobId);
    void cloneSettings(const ft::TrainConfig& config);
    void statusMessage(const QString& text);

private:
    int selectedJob() const;
    void updateButtons();

    RunQueue* m_queue;
    RunHistoryModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QLineEdit* m_filter;
    QPushButton* m_show;
    QPushButton* m_open;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QPushButton* m_clone;
};

} // namespace ft::ui

Q_DECLARE_METATYPE(ft::TrainConfig)
