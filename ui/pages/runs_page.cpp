#include "pages/runs_page.h"

#include <QDesktopServices>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include "common/error.h"
#include "common/json_file.h"
#include "models/run_history_model.h"
#include "runs/run_queue.h"

namespace ft::ui {

RunsPage::RunsPage(RunQueue* queue, QWidget* parent)
    : QWidget(parent)
    , m_queue(queue)
    , m_model(new RunHistoryModel(queue, this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    auto* note = new QLabel(tr("<b>Run history comes with the workspace store.</b> It will list every run of the workspace — also "
                               "those started from the command line — sortable and filterable, with rename, notes, tags, delete, "
                               "and a comparison of runs (overlaid curves, the settings that differ, final metrics). Until then, "
                               "this page lists the runs launched in this session."),
                            this);
    note->setObjectName(QStringLiteral("runsPlaceholder"));
    note->setWordWrap(true);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("runsFilter"));
    m_filter->setPlaceholderText(tr("Filter runs…"));
    m_filter->setClearButtonEnabled(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortRole(RunHistoryModel::SortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunHistoryModel::Created, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->setAlternatingRowColors(true);

    m_show = new QPushButton(tr("Show in monitor"), this);
    m_open = new QPushButton(tr("Open folder"), this);
    m_stop = new QPushButton(tr("Stop / cancel"), this);
    m_stop->setObjectName(QStringLiteral("runsStop"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("runsResume"));
    m_resume->setToolTip(tr("Continue a stopped or interrupted run from its last checkpoint"));
    m_clone = new QPushButton(tr("Clone settings"), this);
    m_clone->setObjectName(QStringLiteral("runsClone"));
    m_clone->setToolTip(tr("Fill the Train page with this run's settings"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_filter, 1);
    for (QPushButton* b : {m_show, m_open, m_stop, m_resume, m_clone})
        buttons->addWidget(b);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RunsPage::updateButtons);
    connect(m_table, &QTableView::doubleClicked, this, [this] {
        if (const int id = selectedJob())
            emit showInMonitor(id);
    });
    connect(m_show, &QPushButton::clicked, this, [this] {
        if (const int id = selectedJob())
            emit showInMonitor(id);
    });
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (const RunJob* job = m_queue->job(selectedJob()))
            QDesktopServices::openUrl(QUrl::fromLocalFile(job->request.runDir));
    });
    connect(m_stop, &QPushButton::clicked, this, [this] { m_queue->cancel(selectedJob()); });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        const RunJob* job = m_queue->job(selectedJob());
        if (!job)
            return;
        RunRequest request = job->request;
        request.resume = true;
        request.name = tr("%1 (resumed)").arg(job->request.name);
        emit showInMonitor(m_queue->enqueue(request));
    });
    connect(m_clone, &QPushButton::clicked, this, [this] {
        const RunJob* job = m_queue->job(selectedJob());
        if (!job)
            return;
        try {
            const QString path = QDir(job->request.runDir).filePath(QStringLiteral("config.json"));
            emit cloneSettings(TrainConfig::fromJson(readJsonObjectFile(path), path));
        } catch (const Error& error) {
            emit statusMessage(error.message());
        }
    });
    updateButtons();
}

int RunsPage::selectedJob() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return 0;
    return m_proxy->data(rows.first(), RunHistoryModel::KeyRole).toString().toInt();
}

void RunsPage::updateButtons()
{
    const RunJob* job = m_queue->job(selectedJob());
    const QString status = job ? job->status : QString();
    m_show->setEnabled(job);
    m_open->setEnabled(job);
    m_clone->setEnabled(job);
    m_stop->setEnabled(job && (status == QLatin1String("queued") || job->worker->isActive()));
    m_resume->setEnabled(job && (status == QLatin1String("stopped") || status == QLatin1String("interrupted")));
}

} // namespace ft::ui
