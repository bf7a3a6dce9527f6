#include "dialogs/examples_dialog.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "common/error.h"
#include "models/run_examples_model.h"
#include "runs/store_thread.h"
#include "store/database.h"
#include "store/run_store.h"
#include "store/workspace.h"

namespace ft::ui {

std::vector<ComparisonColumn> loadExampleColumns(const QString& workspacePath, const QList<qint64>& runIds)
{
    const Workspace workspace = Workspace::open(workspacePath);
    QSqlDatabase db = workspace.database();
    ReadSnapshot snapshot(db);
    EvaluationStore evaluations(db);
    RunStore runs(db, workspace.path());
    std::vector<ComparisonColumn> columns;
    for (qint64 id : runIds) {
        const std::optional<RunInfo> run = runs.run(id);
        if (!run)
            throw Error(QStringLiteral("run %1 does not exist").arg(id));
        const std::vector<StoredEvaluation> stored = evaluations.runEvaluations(id);
        if (stored.empty())
            throw Error(
                QStringLiteral("run \"%1\" has no evaluation with outputs yet: evaluate it first").arg(run->name));
        ComparisonColumn column;
        column.evaluation = stored.front();
        column.label = QStringLiteral("#%1 %2 (%3)").arg(id).arg(run->name, column.evaluation.checkpoint);
        column.outputs = evaluations.outputs(column.evaluation);
        if (columns.empty()) {
            if (const std::optional<StoredEvaluation> base = evaluations.baseEvaluationFor(column.evaluation)) {
                ComparisonColumn baseColumn;
                baseColumn.evaluation = *base;
                baseColumn.label = QStringLiteral("base");
                baseColumn.outputs = evaluations.outputs(*base);
                columns.push_back(std::move(baseColumn));
            }
        }
        columns.push_back(std::move(column));
    }
    return columns;
}

ExamplesDialog::ExamplesDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                               QWidget* parent)
    : QDialog(parent)
    , m_model(new RunExamplesModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("examplesDialog"));
    setWindowTitle(tr("Evaluation, example by example"));
    m_status = new QLabel(tr("Loading…"), this);
    m_status->setObjectName(QStringLiteral("examplesStatus"));
    m_status->setWordWrap(true);
    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("examplesMetric"));
    m_metric->addItems(
        {QStringLiteral("rouge-l"), QStringLiteral("bleu"), QStringLiteral("f1"), QStringLiteral("exact-match")});
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunExamplesModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("examplesTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setWordWrap(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setDefaultSectionSize(220);
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Score:"), this));
    bar->addWidget(m_metric);
    bar->addWidget(m_status, 1);
    m_detail = new QTextBrowser(this);
    m_detail->setObjectName(QStringLiteral("examplesDetail"));
    m_detail->setPlaceholderText(tr("Choose an example to read its whole texts here."));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    resize(1000, 650);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ExamplesDialog::showDetail);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ExamplesDialog::showDetail);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &ExamplesDialog::showDetail);
    connect(m_metric, &QComboBox::currentTextChanged, this, &ExamplesDialog::setMetric);
    store->post(
        this, [workspacePath, runIds] { return loadExampleColumns(workspacePath, runIds); },
        [this](std::vector<ComparisonColumn> columns, const QString& error) { apply(std::move(columns), error); });
}

void ExamplesDialog::apply(std::vector<ComparisonColumn> columns, const QString& error)
{
    if (!error.isEmpty()) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.toHtmlEscaped()));
        emit loaded(error);
        return;
    }
    m_columns = std::move(columns);
    m_loaded = true;
    setMetric(m_metric->currentText());
    emit loaded(QString());
}

void ExamplesDialog::setMetric(const QString& metric)
{
    if (m_metric->currentText() != metric)
        m_metric->setCurrentText(metric);
    if (!m_loaded)
        return;
    // Bounded by the evaluation's size (its examples were generated one by one): cheap enough here.
    Comparison comparison = compareEvaluations(m_columns, metric, ComparisonSort::Difference);
    const qint64 unmatched = comparison.unmatched;
    m_model->setComparison(std::move(comparison));
    m_proxy->sort(-1); // the comparison's order: largest |difference| first
    fitNarrowColumns();
    if (m_proxy->rowCount() > 0)
        m_table->setCurrentIndex(m_proxy->index(0, RunExamplesModel::Prompt));
    m_status->setText(tr("%n example(s)", nullptr, m_model->rowCount()) +
                      (unmatched > 0
                           ? tr("; %1 of the later columns' examples have no match in the first").arg(unmatched)
                           : QString()));
}

// The number and the scores take what their contents need; the texts share the rest.
void ExamplesDialog::fitNarrowColumns()
{
    m_table->resizeColumnToContents(RunExamplesModel::Index);
    for (int section = RunExamplesModel::FixedCount + 1; section < m_model->columnCount(); section += 2)
        m_table->resizeColumnToContents(section);
    m_table->resizeColumnToContents(m_model->differenceColumn());
}

void ExamplesDialog::showDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    QString html;
    for (int section = 0; section < m_proxy->columnCount(); ++section) {
        const QString title = m_proxy->headerData(section, Qt::Horizontal).toString();
        const QString text = m_proxy->index(current.row(), section).data().toString();
        html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                    .arg(title.toHtmlEscaped(), text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }
    m_detail->setHtml(html);
}

} // namespace ft::ui
