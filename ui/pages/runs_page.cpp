#include "pages/runs_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"
#include "dialogs/blind_rating_dialog.h"
#include "dialogs/compare_dialog.h"
#include "dialogs/examples_dialog.h"
#include "dialogs/gguf_export_dialog.h"
#include "models/run_filter_proxy.h"
#include "models/run_history_model.h"
#include "runs/cli_locator.h"
#include "runs/eval_process.h"
#include "runs/run_queue.h"
#include "runs/store_run_history.h"

namespace ft::ui {

namespace {

QPushButton* button(const QString& text, const QString& name, const QString& tip, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

bool isActive(const RunSummary& run)
{
    return run.status == QLatin1String("queued") || run.status == QLatin1String("running") ||
           run.status == QLatin1String("paused");
}

} // namespace

RunsPage::RunsPage(StoreRunHistory* history, QWidget* parent)
    : QWidget(parent)
    , m_history(history)
    , m_model(new RunHistoryModel(history, this))
    , m_proxy(new RunFilterProxy(this))
    , m_eval(new EvalProcess(this))
{
    qRegisterMetaType<EvalEnd>();
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("runsFilter"));
    m_filter->setPlaceholderText(tr("Filter runs (name, status, mode, model, data, tags)…"));
    m_filter->setClearButtonEnabled(true);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("runsSummary"));
    m_statusFilter = new QComboBox(this);
    m_statusFilter->setObjectName(QStringLiteral("runsStatusFilter"));
    m_statusFilter->addItem(tr("Any status"), QString());
    for (const char* status :
         {"queued", "running", "paused", "finished", "stopped", "interrupted", "diverged", "failed", "cancelled"})
        m_statusFilter->addItem(QLatin1String(status), QLatin1String(status));
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunHistoryModel::Created, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->setAlternatingRowColors(true);

    m_show = button(tr("Show in monitor"), QStringLiteral("runsShow"), tr("The run's curves, log and samples"), this);
    m_open = button(tr("Open folder"), QStringLiteral("runsOpen"), tr("The run folder in the file manager"), this);
    m_stop = button(tr("Stop / cancel"), QStringLiteral("runsStop"),
                    tr("Stop a training run (it checkpoints first) or cancel a queued one"), this);
    m_resume = button(tr("Resume"), QStringLiteral("runsResume"),
                      tr("Continue a stopped or interrupted run from its last checkpoint"), this);
    m_clone = button(tr("Clone settings"), QStringLiteral("runsClone"),
                     tr("Fill the Train page with this run's settings"), this);
    m_rename = button(tr("Rename…"), QStringLiteral("runsRename"), tr("A new name for the run"), this);
    m_notes = button(tr("Notes…"), QStringLiteral("runsNotes"), tr("What you want to remember about the run"), this);
    m_tags = button(tr("Tags…"), QStringLiteral("runsTags"), tr("Comma-separated tags (the filter finds them)"), this);
    m_delete = button(tr("Delete…"), QStringLiteral("runsDelete"),
                      tr("Delete the run from the history, and its folder if you want"), this);
    m_compare = button(tr("Compare"), QStringLiteral("runsCompare"),
                       tr("Two or more runs: curves, the settings that differ, final metrics"), this);
    m_evaluate =
        button(tr("Evaluate"), QStringLiteral("runsEvaluate"),
               tr("ftstudio-cli eval: the run's final model and its base on the run's validation split"), this);
    m_exportGguf = button(tr("Export GGUF…"), QStringLiteral("runsExportGguf"),
                          tr("The run's final model as one GGUF file for llama.cpp, Ollama and LM Studio"), this);
    m_exportGguf->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_examples = button(tr("Examples…"), QStringLiteral("runsExamples"),
                        tr("The evaluation example by example, beside the base model's"), this);
    m_rate = button(tr("Rate blind…"), QStringLiteral("runsRate"),
                    tr("Rate two models' answers without knowing whose they are: a run against its base, or two "
                       "runs; win rates with a 95 % interval"),
                    this);
    m_evalLimit = new QSpinBox(this);
    m_evalLimit->setObjectName(QStringLiteral("runsEvalLimit"));
    m_evalLimit->setRange(0, 1000000);
    m_evalLimit->setSpecialValueText(tr("all examples"));
    m_evalLimit->setSuffix(tr(" examples"));
    m_evalLimit->setToolTip(
        tr("How many validation examples Evaluate generates for (the first N; \"all examples\": the whole split)"));
    m_cancelEval = button(tr("Cancel evaluation"), QStringLiteral("runsCancelEval"),
                          tr("Stop the evaluation (nothing is stored)"), this);
    m_evalProgress = new QProgressBar(this);
    m_evalProgress->setObjectName(QStringLiteral("runsEvalProgress"));
    m_evalProgress->setTextVisible(true);
    m_evalProgress->setVisible(false);
    m_cancelEval->setVisible(false);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_statusFilter);
    top->addWidget(m_summary);
    auto* row1 = new QHBoxLayout;
    for (QPushButton* b : {m_show, m_open, m_stop, m_resume, m_clone, m_compare, m_exportGguf})
        row1->addWidget(b);
    row1->addStretch(1);
    auto* row2 = new QHBoxLayout;
    for (QPushButton* b : {m_rename, m_notes, m_tags, m_delete, m_evaluate})
        row2->addWidget(b);
    row2->addWidget(m_evalLimit);
    row2->addWidget(m_examples);
    row2->addWidget(m_rate);
    row2->addWidget(m_evalProgress, 1);
    row2->addWidget(m_cancelEval);
    row2->addStretch(0);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &RunFilterProxy::setText);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatus(m_statusFilter->currentData().toString()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RunsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RunsPage::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RunsPage::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &RunsPage::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &RunsPage::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &RunsPage::updateButtons);
    // Runs coming or going (not the filter: widths a user set stay while typing in it).
    connect(m_model, &QAbstractItemModel::modelReset, this, &RunsPage::fitColumns);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RunsPage::fitColumns);

    auto show = [this] {
        const QVector<RunSummary> runs = selectedRuns();
        if (runs.size() != 1)
            return;
        if (runs[0].jobId > 0)
            emit showInMonitor(runs[0].jobId);
        else if (!runs[0].runDir.isEmpty() || runs[0].runId > 0)
            emit showPastRun(runs[0].runId, runs[0].runDir, runs[0].name);
    };
    connect(m_table, &QTableView::doubleClicked, this, show);
    connect(m_show, &QPushButton::clicked, this, show);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const QVector<RunSummary> runs = selectedRuns();
        if (runs.size() == 1)
            QDesktopServices::openUrl(QUrl::fromLocalFile(runs[0].runDir));
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        for (const RunSummary& run : selectedRuns()) {
            if (run.jobId > 0) {
                m_history->queue()->cancel(run.jobId);
            } else if (run.runId > 0 && m_history->isDetachedRunning(run.runId)) {
                // A worker an earlier studio left running: it checkpoints and stops.
                const QString error = m_history->stopDetached(run.runId);
                emit statusMessage(error.isEmpty() ? tr("Stopping %1 after its current step…").arg(run.name) : error);
            }
        }
    });
    connect(m_resume, &QPushButton::clicked, this, [this] {
        const QVector<RunSummary> runs = selectedRuns();
        if (runs.size() != 1)
            return;
        int job = 0;
        if (runs[0].runId > 0) {
            job = m_history->resume(runs[0].runId);
        } else if (const RunJob* old = m_history->queue()->job(runs[0].jobId)) {
            RunRequest request = old->request;
            request.resume = true;
            job = m_history->queue()->enqueue(request);
        }
        if (job > 0)
            emit showInMonitor(job);
        else
            emit statusMessage(tr("The run could not be resumed: open a workspace first"));
    });
    connect(m_clone, &QPushButton::clicked, this, [this] {
        const QVector<RunSummary> runs = selectedRuns();
        if (runs.size() != 1)
            return;
        try {
            const QString path = RunFolder(runs[0].runDir).configPath();
            emit cloneSettings(TrainConfig::fromJson(readJsonObjectFile(path), path));
        } catch (const Error& error) {
            emit statusMessage(error.message());
        }
    });
    connect(m_rename, &QPushButton::clicked, this, &RunsPage::renameSelected);
    connect(m_notes, &QPushButton::clicked, this, &RunsPage::editNotesOfSelected);
    connect(m_tags, &QPushButton::clicked, this, &RunsPage::editTagsOfSelected);
    connect(m_delete, &QPushButton::clicked, this, &RunsPage::deleteSelected);
    connect(m_compare, &QPushButton::clicked, this, &RunsPage::compareSelected);
    connect(m_evaluate, &QPushButton::clicked, this, &RunsPage::evaluateSelected);
    connect(m_exportGguf, &QPushButton::clicked, this, &RunsPage::exportSelectedToGguf);
    connect(m_examples, &QPushButton::clicked, this, &RunsPage::showExamplesOfSelected);
    connect(m_rate, &QPushButton::clicked, this, &RunsPage::rateSelected);
    connect(m_cancelEval, &QPushButton::clicked, m_eval, &EvalProcess::cancel);
    connect(m_eval, &EvalProcess::progress, this,
            [this](const QString& target, const QString& phase, qint64 done, qint64 total) {
                m_evalProgress->setMaximum(static_cast<int>(std::max<qint64>(1, total)));
                m_evalProgress->setValue(static_cast<int>(std::min(done, total)));
                m_evalProgress->setFormat(tr("%1 %2: %v / %m").arg(target, phase));
            });
    connect(m_eval, &EvalProcess::ended, this, &RunsPage::onEvaluationEnded);
    updateButtons();
}

QVector<RunSummary> RunsPage::selectedRuns() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QVector<RunSummary> runs;
    for (const QModelIndex& index : rows)
        runs.append(m_model->run(m_proxy->mapToSource(index).row()));
    return runs;
}

void RunsPage::selectRuns(const QList<qint64>& runIds)
{
    QItemSelection selection;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (runIds.contains(index.data(RunHistoryModel::RunIdRole).toLongLong()))
            selection.select(index, m_proxy->index(row, RunHistoryModel::ColumnCount - 1));
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

bool RunsPage::isEvaluating() const { return m_eval->isRunning(); }

void RunsPage::setEvaluationCliPath(const QString& path)
{
    m_eval->setCliPath(path);
    m_cliPath = path;
}

void RunsPage::fitColumns()
{
    // Coalesced: a history read inserts its runs in several batches.
    if (m_fitPending)
        return;
    m_fitPending = true;
    QTimer::singleShot(0, this, [this] {
        m_fitPending = false;
        m_table->resizeColumnsToContents();
        QHeaderView* header = m_table->horizontalHeader();
        for (int column = 0; column < header->count(); ++column)
            header->resizeSection(column, std::clamp(header->sectionSize(column), 48, column == 0 ? 280 : 200));
    });
}

void RunsPage::updateButtons()
{
    const QVector<RunSummary> runs = selectedRuns();
    const bool one = runs.size() == 1;
    const RunSummary run = one ? runs[0] : RunSummary{};
    const bool recorded = one && run.runId > 0;
    const bool resumable = one &&
                           (run.status == QLatin1String("stopped") || run.status == QLatin1String("interrupted")) &&
                           (run.runId > 0 ? run.checkpoints > 0 : run.jobId > 0);
    bool anyActive = false;
    for (const RunSummary& r : runs)
        anyActive = anyActive || (r.jobId > 0 && isActive(r)) || (r.runId > 0 && m_history->isDetachedRunning(r.runId));
    bool allRecorded = !runs.isEmpty();
    for (const RunSummary& r : runs)
        allRecorded = allRecorded && r.runId > 0;
    m_show->setEnabled(one && (run.jobId > 0 || run.runId > 0 || !run.runDir.isEmpty()));
    m_open->setEnabled(one && !run.runDir.isEmpty());
    m_stop->setEnabled(anyActive);
    m_resume->setEnabled(resumable && !isActive(run));
    m_clone->setEnabled(one && !run.runDir.isEmpty());
    m_rename->setEnabled(recorded);
    m_notes->setEnabled(recorded);
    m_tags->setEnabled(recorded);
    m_delete->setEnabled(recorded && !isActive(run));
    m_compare->setEnabled(runs.size() >= 2 && allRecorded);
    m_evaluate->setEnabled(recorded && run.status == QLatin1String("finished") && !m_eval->isRunning());
    const bool exported = one && !run.runDir.isEmpty() &&
                          QFileInfo::exists(QDir(run.runDir).filePath(QStringLiteral("export/model/config.json")));
    m_exportGguf->setEnabled(exported);
    m_exportGguf->setToolTip(exported || !one
                                 ? tr("The run's final model as one GGUF file for llama.cpp, Ollama and LM Studio "
                                      "(Ctrl+Shift+E)")
                             : QFileInfo::exists(RunFolder(run.runDir).exportAdapterPath())
                                 ? tr("A prompt-tuned run exports a soft prompt (export/adapter, PEFT's layout) for "
                                      "its base model; GGUF has no place for one")
                                 : tr("The run has no final model yet (export/model): only a finished run can be "
                                      "exported here; ftstudio-cli export --checkpoint takes any checkpoint"));
    // Examples… needs per-example outputs (an Evaluate of the run), not just numbers.
    bool allEvaluated = !runs.isEmpty();
    for (const RunSummary& r : runs)
        allEvaluated = allEvaluated && r.runId > 0 && r.evaluationOutputs;
    m_examples->setEnabled(allEvaluated);
    m_rate->setEnabled(allEvaluated && runs.size() <= 2);
    m_rate->setToolTip(allEvaluated && runs.size() <= 2
                           ? tr("Rate answers blind: one run against its base model, or two runs against each other; "
                                "win rates with a 95 % interval")
                           : tr("Select one evaluated run (rated against its base) or two evaluated runs"));
    m_examples->setToolTip(allEvaluated || runs.isEmpty()
                               ? tr("The evaluation example by example, beside the base model's")
                               : tr("Evaluate the selected run(s) first: Examples… shows the outputs "
                                    "of an evaluation, example by example"));
    m_summary->setText(tr("%n run(s)", nullptr, m_proxy->rowCount()) +
                       (runs.size() > 1 ? tr(", %1 selected").arg(runs.size()) : QString()));
}

void RunsPage::report(const QString& error, const QString& success)
{
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Runs"), error);
    else
        emit statusMessage(success);
}

void RunsPage::renameSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || runs[0].runId <= 0)
        return;
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Rename run"), tr("Name:"), QLineEdit::Normal, runs[0].name, &ok).trimmed();
    if (!ok || name.isEmpty() || name == runs[0].name)
        return;
    QPointer<RunsPage> self(this);
    m_history->rename(runs[0].runId, name, [self, name](const QString& error) {
        if (self)
            self->report(error, tr("Renamed to %1").arg(name));
    });
}

void RunsPage::editNotesOfSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || runs[0].runId <= 0)
        return;
    QDialog dialog(this);
    dialog.setObjectName(QStringLiteral("runNotesDialog"));
    dialog.setWindowTitle(tr("Notes on %1").arg(runs[0].name));
    auto* edit = new QPlainTextEdit(runs[0].notes, &dialog);
    edit->setObjectName(QStringLiteral("runNotes"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(edit);
    layout->addWidget(buttons);
    dialog.resize(480, 300);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QPointer<RunsPage> self(this);
    m_history->setNotes(runs[0].runId, edit->toPlainText(), [self](const QString& error) {
        if (self)
            self->report(error, tr("Notes saved"));
    });
}

void RunsPage::editTagsOfSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || runs[0].runId <= 0)
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Tags"), tr("Tags, separated by commas:"), QLineEdit::Normal,
                                               runs[0].tags.join(QStringLiteral(", ")), &ok);
    if (!ok)
        return;
    QStringList tags;
    for (const QString& tag : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (const QString t = tag.trimmed(); !t.isEmpty() && !tags.contains(t))
            tags << t;
    QPointer<RunsPage> self(this);
    m_history->setTags(runs[0].runId, tags, [self](const QString& error) {
        if (self)
            self->report(error, tr("Tags saved"));
    });
}

void RunsPage::deleteSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || runs[0].runId <= 0 || isActive(runs[0]))
        return;
    const RunSummary run = runs[0];
    QMessageBox box(
        QMessageBox::Warning, tr("Delete run"),
        tr("Delete the run \"%1\" from the history, with its metrics, checkpoints' records and evaluations?")
            .arg(run.name),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("deleteRunBox"));
    box.setDefaultButton(QMessageBox::Cancel);
    auto* withFolder = new QCheckBox(
        tr("Also delete its folder %1 (checkpoints, exported model)").arg(QDir::toNativeSeparators(run.runDir)), &box);
    withFolder->setObjectName(QStringLiteral("deleteRunFolder"));
    withFolder->setChecked(true);
    box.setCheckBox(withFolder);
    if (box.exec() != QMessageBox::Yes)
        return;
    QPointer<RunsPage> self(this);
    const QString name = run.name;
    m_history->remove(run.runId, withFolder->isChecked(), [self, name](const QString& error) {
        if (self)
            self->report(error, tr("Deleted %1").arg(name));
    });
}

void RunsPage::compareSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() < 2)
        return;
    QList<qint64> ids;
    for (const RunSummary& run : runs)
        if (run.runId > 0)
            ids << run.runId;
    auto* dialog = new CompareDialog(m_history->storeThread(), m_history->workspacePath(), ids, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void RunsPage::showExamplesOfSelected()
{
    QList<qint64> ids;
    for (const RunSummary& run : selectedRuns())
        if (run.runId > 0 && !run.evaluation.isEmpty())
            ids << run.runId;
    if (ids.isEmpty())
        return;
    auto* dialog = new ExamplesDialog(m_history->storeThread(), m_history->workspacePath(), ids, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void RunsPage::rateSelected()
{
    QList<qint64> ids;
    for (const RunSummary& run : selectedRuns())
        if (run.runId > 0 && !run.evaluation.isEmpty())
            ids << run.runId;
    if (ids.isEmpty() || ids.size() > 2)
        return;
    auto* dialog = new BlindRatingDialog(m_history->storeThread(), m_history->workspacePath(), ids, this);
    dialog->setDatasetSession(m_datasetSession);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void RunsPage::exportSelectedToGguf()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || !m_exportGguf->isEnabled())
        return;
    const RunSummary& run = runs[0];
    const QString cli = m_cliPath.isEmpty() ? findCli() : m_cliPath;
    auto* dialog = new GgufExportDialog(run.runDir, QDir(run.runDir).filePath(QStringLiteral("export")),
                                        QFileInfo(run.runDir).fileName(), cli, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &GgufExportDialog::exportEnded, this, [this](const GgufExportEnd& end) {
        if (end.status == QLatin1String("finished"))
            emit statusMessage(tr("Exported %1").arg(end.path));
    });
    dialog->show();
}

void RunsPage::evaluateSelected()
{
    const QVector<RunSummary> runs = selectedRuns();
    if (runs.size() != 1 || runs[0].runId <= 0 || m_eval->isRunning())
        return;
    EvalRequest request;
    request.workspace = m_history->workspacePath();
    request.runId = runs[0].runId;
    request.base = true;
    request.limit = m_evalLimit->value();
    m_evalProgress->setRange(0, 0);
    m_evalProgress->setFormat(tr("Evaluating %1…").arg(runs[0].name));
    m_evalProgress->setVisible(true);
    m_cancelEval->setVisible(true);
    m_eval->start(request);
    emit statusMessage(tr("Evaluating %1…").arg(runs[0].name));
    updateButtons();
}

void RunsPage::onEvaluationEnded(const EvalEnd& end)
{
    m_evalProgress->setVisible(false);
    m_cancelEval->setVisible(false);
    m_history->refresh();
    updateButtons();
    if (end.status == QLatin1String("finished"))
        emit statusMessage(tr("Evaluated: %1").arg(end.message));
    else if (end.status == QLatin1String("cancelled"))
        emit statusMessage(tr("Evaluation cancelled: %1").arg(end.message));
    else
        QMessageBox::warning(this, tr("Evaluation failed"), end.message);
    emit evaluationEnded(end);
}

} // namespace ft::ui
