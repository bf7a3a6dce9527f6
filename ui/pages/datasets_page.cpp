#include "pages/datasets_page.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include "common/error.h"
#include "dialogs/dataset_dedup_dialog.h"
#include "dialogs/dataset_export_dialog.h"
#include "dialogs/dataset_split_dialog.h"
#include "dialogs/dataset_validate_dialog.h"
#include "dialogs/pii_mask_dialog.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "models/example_table_model.h"
#include "models/token_counter.h"
#include "shortcuts.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "undo/example_commands.h"
#include "widgets/dataset_import_panel.h"
#include "widgets/dataset_stats_panel.h"
#include "widgets/example_editor.h"
#include "widgets/token_setup_picker.h"

namespace ft::ui {

namespace {

// The curation dialogs hold example ids of the session's workspace: they close with the session
// (another workspace opened), so that nothing they apply reaches a different database, and when
// their dataset is deleted.
void showSessionDialog(QDialog* dialog, DatasetSession* session, qint64 datasetId)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setProperty("datasetId", datasetId); // closed when that dataset is deleted
    QObject::connect(session, &DatasetSession::closed, dialog, &QDialog::reject);
    dialog->show();
}

QPushButton* button(const QString& text, const QString& name, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}

} // namespace

DatasetsPage::DatasetsPage(QWidget* parent)
    : QWidget(parent)
    , m_session(new DatasetSession(this))
    , m_model(new ExampleTableModel(m_session, this))
    , m_counter(new TokenCounter(m_session->pool(), this))
{
    m_model->setTokenCounter(m_counter);
    buildUi();
    connect(m_session, &DatasetSession::opened, this,
            [this] { m_counter->setDatabasePath(m_session->databasePath()); });
    connect(m_session, &DatasetSession::closed, this, [this] { m_counter->setDatabasePath({}); });
    connect(m_tokenPicker, &TokenSetupPicker::modelRead, this, &DatasetsPage::modelUsed);
    connect(m_tokenPicker, &TokenSetupPicker::setupChanged, this, [this](const TokenSetup& setup) {
        m_counter->setSetup(setup);
        m_editor->setTokenSetup(setup);
        m_stats->setTokenSetup(setup);
        m_model->setTokenCounter(m_counter); // the Tokens column is counted again
    });
    connect(m_session, &DatasetSession::datasetsChanged, this, &DatasetsPage::reloadDatasets);
    connect(m_session, &DatasetSession::errorOccurred, this, &DatasetsPage::showError);
    connect(m_session, &DatasetSession::busyChanged, this, &DatasetsPage::updateActions);
    // Counts and version in the dataset's summary follow edits, moves and splits (a moment later, so that a
    // burst of saves reads them once).
    m_summaryTimer = new QTimer(this);
    m_summaryTimer->setSingleShot(true);
    m_summaryTimer->setInterval(250);
    connect(m_summaryTimer, &QTimer::timeout, this, &DatasetsPage::reloadDatasets);
    connect(m_session, &DatasetSession::examplesChanged, this, [this](qint64 datasetId) {
        reloadTags();
        if (datasetId == currentDatasetId())
            m_summaryTimer->start();
    });
    connect(m_model, &ExampleTableModel::loaded, this, &DatasetsPage::onModelLoaded);
    connect(m_model, &ExampleTableModel::loadFailed, this, &DatasetsPage::showError);
    connect(m_session->undoStack(), &QUndoStack::canUndoChanged, this, &DatasetsPage::updateActions);
    connect(m_session->undoStack(), &QUndoStack::canRedoChanged, this, &DatasetsPage::updateActions);
    connect(m_import, &DatasetImportPanel::imported, this,
            [this](qint64 datasetId, qint64) { selectDataset(datasetId); });
    updateActions();
}

DatasetsPage::~DatasetsPage()
{
    m_import->cancel();
    m_session->cancelJobs();          // statistics, validation, dedup: stop at their next check instead of finishing
    m_session->pool()->waitForDone(); // the jobs capture this page's objects' results
}

// Three columns: the datasets | the examples with their filters and actions | the editor, import and
// statistics under the token setup. Then the undo actions and what each control does.
void DatasetsPage::buildUi()
{
    auto* splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("datasetsSplitter"));
    splitter->addWidget(buildDatasetColumn());
    splitter->addWidget(buildExampleColumn());
    splitter->addWidget(buildEditorColumn());
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    buildUndoRedo();
    connectFiltersAndTable();
    connectActions();
    buildDeleteShortcuts();
}

QWidget* DatasetsPage::buildDatasetColumn()
{
    auto* left = new QWidget(this);
    m_datasets = new QListWidget(left);
    m_datasets->setObjectName(QStringLiteral("datasetList"));
    m_datasets->setToolTip(tr("Right-click (or Delete) to delete the chosen dataset"));
    m_datasetInfo = new QLabel(left);
    m_datasetInfo->setObjectName(QStringLiteral("datasetInfo"));
    m_datasetInfo->setWordWrap(true);
    m_importFile = button(tr("Import file…"), QStringLiteral("importFile"), left);
    m_useForTraining = button(tr("Use for training"), QStringLiteral("useForTraining"), left);
    m_useForTraining->setToolTip(tr("Train on this dataset: choose it (and its splits) on the Train page"));
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("<b>Datasets</b>"), left));
    leftLayout->addWidget(m_datasets, 1);
    m_name = new QLineEdit(left);
    m_name->setObjectName(QStringLiteral("datasetName"));
    m_name->setToolTip(tr("The dataset's name: edit and press Enter to rename it (undoable)"));
    leftLayout->addWidget(m_name);
    leftLayout->addWidget(m_datasetInfo);
    leftLayout->addWidget(m_importFile);
    m_validate = button(tr("Validate…"), QStringLiteral("validateDataset"), left);
    m_validate->setToolTip(
        tr("Look for empty fields, duplicates, control characters, personal data and (with a model) examples "
           "longer than its context; shows what it found before saving flags"));
    leftLayout->addWidget(m_validate);
    m_split = button(tr("Split…"), QStringLiteral("splitDataset"), left);
    m_split->setToolTip(
        tr("A seeded train/validation/test split of the whole dataset; shows what moves before applying"));
    leftLayout->addWidget(m_split);
    m_dedup = button(tr("Duplicates…"), QStringLiteral("dedupDataset"), left);
    m_dedup->setToolTip(tr("Find exact and near duplicates; shows the groups before removing anything"));
    leftLayout->addWidget(m_dedup);
    m_export = button(tr("Export…"), QStringLiteral("exportDataset"), left);
    leftLayout->addWidget(m_export);
    leftLayout->addWidget(m_useForTraining);

    left->setMinimumWidth(120); // the splitter's panes may be narrower than their contents would like
    return left;
}

QWidget* DatasetsPage::buildExampleColumn()
{
    auto* centre = new QWidget(this);
    m_error = new QLabel(centre);
    m_error->setObjectName(QStringLiteral("datasetsError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->hide();
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->addLayout(buildFilterRow(centre));
    buildExampleTable(centre);
    centreLayout->addWidget(m_table, 1);
    centreLayout->addLayout(buildActionRows(centre));
    centreLayout->addWidget(m_status);
    centreLayout->addWidget(m_error);

    centre->setMinimumWidth(320);
    return centre;
}

// Search, tag, split and flag filters, and the count of what they let through.
QLayout* DatasetsPage::buildFilterRow(QWidget* parent)
{
    m_search = new QLineEdit(parent);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search…"));
    m_search->setToolTip(tr("Examples containing every word; word* matches a prefix"));
    m_search->setMinimumWidth(120);
    m_search->setClearButtonEnabled(true);
    m_tagFilter = new QComboBox(parent);
    m_tagFilter->setObjectName(QStringLiteral("tagFilter"));
    m_splitFilter = new QComboBox(parent);
    m_splitFilter->setObjectName(QStringLiteral("splitFilter"));
    m_splitFilter->addItem(tr("All splits"), QString());
    for (const Split split : {Split::Train, Split::Validation, Split::Test})
        m_splitFilter->addItem(splitName(split), splitName(split));
    m_flagFilter = new QComboBox(parent);
    m_flagFilter->setObjectName(QStringLiteral("flagFilter"));
    m_flagFilter->addItem(tr("Any flags"), 0);
    m_flagFilter->addItem(tr("Duplicate"), int(FlagDuplicate));
    m_flagFilter->addItem(tr("Too long"), int(FlagTooLong));
    m_flagFilter->addItem(tr("Empty"), int(FlagEmpty));
    m_flagFilter->addItem(tr("PII"), int(FlagPii));
    m_flagFilter->addItem(tr("Flagged (any)"),
                          int(FlagDuplicate | FlagTooLong | FlagEmpty | FlagPii | FlagControlCharacters));
    m_flagFilter->addItem(tr("Not flagged"), -1);
    m_count = new QLabel(parent);
    m_count->setObjectName(QStringLiteral("exampleCount"));
    auto* filters = new QHBoxLayout;
    filters->addWidget(m_search, 3);
    filters->addWidget(m_tagFilter, 1);
    filters->addWidget(m_splitFilter);
    filters->addWidget(m_flagFilter);
    filters->addWidget(m_count);

    return filters;
}

void DatasetsPage::buildExampleTable(QWidget* parent)
{
    m_table = new QTableView(parent);
    m_table->setObjectName(QStringLiteral("exampleTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the dataset's own order
    m_table->horizontalHeader()->setSectionResizeMode(ExampleTableModel::Instruction, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ExampleTableModel::Response, QHeaderView::Stretch);
    // Fixed starting widths (measuring the contents would read every row), never narrower than the title.
    const int em = m_table->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    QHeaderView* header = m_table->horizontalHeader();
    for (auto [column, ems] : {std::pair{ExampleTableModel::Tags, 6}, std::pair{ExampleTableModel::Split, 4},
                               std::pair{ExampleTableModel::Tokens, 4}, std::pair{ExampleTableModel::Flags, 5}})
        header->resizeSection(column, std::max(ems * em, header->sectionSizeHint(column)));
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().lineSpacing() + 6);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // no per-row measuring: 50,000 rows stay cheap
    m_table->setWordWrap(false);
}

// Two rows, so that the page fits a 1000-pixel window: edits with undo/redo, then the bulk actions.
QLayout* DatasetsPage::buildActionRows(QWidget* parent)
{
    m_add = button(tr("Add"), QStringLiteral("addExample"), parent);
    m_duplicate = button(tr("Duplicate"), QStringLiteral("duplicateExamples"), parent);
    m_delete = button(tr("Delete"), QStringLiteral("deleteExamples"), parent);
    m_bulkTag = new QLineEdit(parent);
    m_bulkTag->setObjectName(QStringLiteral("bulkTag"));
    m_bulkTag->setPlaceholderText(tr("tag"));
    m_tag = button(tr("Tag selected"), QStringLiteral("tagExamples"), parent);
    m_bulkSplit = new QComboBox(parent);
    m_bulkSplit->setObjectName(QStringLiteral("bulkSplit"));
    for (const Split split : {Split::Train, Split::Validation, Split::Test})
        m_bulkSplit->addItem(splitName(split), static_cast<int>(split));
    m_move = button(tr("Move to split"), QStringLiteral("moveToSplit"), parent);
    m_mask = button(tr("Mask PII"), QStringLiteral("maskPii"), parent);
    m_mask->setToolTip(tr(
        "Replace e-mail addresses, phone numbers, card numbers, IP addresses, IBANs, SSNs, API keys and "
        "credentials in URLs of the selected examples with placeholders such as [EMAIL]: shows the counts per type and "
        "the changes first; undoable"));
    m_status = new QLabel(parent);
    m_status->setObjectName(QStringLiteral("datasetsStatus"));
    m_undoButton = button(tr("Undo"), QStringLiteral("undoButton"), parent);
    m_redoButton = button(tr("Redo"), QStringLiteral("redoButton"), parent);
    auto* actions = new QHBoxLayout; // two rows, so that the page fits a 1000-pixel window
    for (QWidget* w : std::initializer_list<QWidget*>{m_add, m_duplicate, m_delete})
        actions->addWidget(w);
    actions->addStretch(1);
    actions->addWidget(m_undoButton);
    actions->addWidget(m_redoButton);
    auto* bulk = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{m_bulkTag, m_tag, m_bulkSplit, m_move, m_mask})
        bulk->addWidget(w);
    bulk->addStretch(1);
    auto* rows = new QVBoxLayout;
    rows->addLayout(actions);
    rows->addLayout(bulk);
    return rows;
}

QWidget* DatasetsPage::buildEditorColumn()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("datasetTabs"));
    m_editor = new ExampleEditor(m_session, m_tabs);
    m_import = new DatasetImportPanel(m_session, m_tabs);
    m_tabs->addTab(m_editor, tr("Example"));
    m_tabs->addTab(m_import, tr("Import"));
    m_stats = new DatasetStatsPanel(m_session, m_tabs);
    m_tabs->addTab(m_stats, tr("Statistics"));

    auto* right = new QWidget(this);
    m_tokenPicker = new TokenSetupPicker(m_session->pool(), right);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_tokenPicker);
    rightLayout->addWidget(m_tabs, 1);

    right->setMinimumWidth(280);
    return right;
}

void DatasetsPage::buildUndoRedo()
{
    m_undo = new QAction(tr("Undo"), this);
    m_undo->setObjectName(QStringLiteral("undoAction"));
    m_undo->setShortcut(QKeySequence::Undo);
    m_undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_redo = new QAction(tr("Redo"), this);
    m_redo->setObjectName(QStringLiteral("redoAction"));
    m_redo->setShortcuts(shortcutsWith(QKeySequence::Redo, {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)}));
    m_redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_undo);
    addAction(m_redo);
    connect(m_undo, &QAction::triggered, this, &DatasetsPage::undo);
    connect(m_redo, &QAction::triggered, this, &DatasetsPage::redo);
    connect(m_undoButton, &QPushButton::clicked, this, &DatasetsPage::undo);
    connect(m_redoButton, &QPushButton::clicked, this, &DatasetsPage::redo);
    connect(m_undo, &QAction::changed, m_undoButton, [this] {
        m_undoButton->setEnabled(m_undo->isEnabled());
        m_undoButton->setToolTip(m_undo->toolTip());
    });
    connect(m_redo, &QAction::changed, m_redoButton, [this] {
        m_redoButton->setEnabled(m_redo->isEnabled());
        m_redoButton->setToolTip(m_redo->toolTip());
    });
}

void DatasetsPage::connectFiltersAndTable()
{
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(kSearchDelayMs);
    connect(m_searchTimer, &QTimer::timeout, this, &DatasetsPage::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &DatasetsPage::applyFilter);
    for (QComboBox* box : {m_tagFilter, m_splitFilter, m_flagFilter})
        connect(box, &QComboBox::activated, this, &DatasetsPage::applyFilter);
    connect(m_datasets, &QListWidget::currentRowChanged, this, &DatasetsPage::onDatasetChosen);
    connect(m_name, &QLineEdit::returnPressed, this, &DatasetsPage::renameDataset);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DatasetsPage::onCurrentRowChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DatasetsPage::updateActions);
}

// The buttons: example edits, then the dataset's tools (each opens its dialog on the current dataset).
void DatasetsPage::connectActions()
{
    connect(m_add, &QPushButton::clicked, this, &DatasetsPage::addExample);
    connect(m_duplicate, &QPushButton::clicked, this, &DatasetsPage::duplicateSelected);
    connect(m_delete, &QPushButton::clicked, this, &DatasetsPage::deleteSelected);
    connect(m_tag, &QPushButton::clicked, this, &DatasetsPage::tagSelected);
    connect(m_bulkTag, &QLineEdit::returnPressed, this, &DatasetsPage::tagSelected);
    connect(m_bulkTag, &QLineEdit::textChanged, this, &DatasetsPage::updateActions);
    connect(m_move, &QPushButton::clicked, this, &DatasetsPage::moveSelected);
    connect(m_mask, &QPushButton::clicked, this, &DatasetsPage::maskSelected);
    connect(m_useForTraining, &QPushButton::clicked, this, &DatasetsPage::useForTraining);
    connect(m_validate, &QPushButton::clicked, this, [this] {
        if (!currentDatasetId() || m_session->isBusy())
            return;
        m_editor->flush();
        auto* dialog = new DatasetValidateDialog(m_session, currentDatasetId(), m_tokenPicker->setup(), this);
        showSessionDialog(dialog, m_session, currentDatasetId());
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (!currentDatasetId())
            return;
        m_editor->flush();
        const QString name = m_datasets->currentItem()->data(Qt::UserRole + 1).toString();
        auto* dialog = new DatasetExportDialog(m_session, currentDatasetId(),
                                               QDir::home().filePath(name + QStringLiteral(".jsonl")), this);
        showSessionDialog(dialog, m_session, currentDatasetId());
    });
    connect(m_dedup, &QPushButton::clicked, this, [this] {
        if (!currentDatasetId() || m_session->isBusy())
            return;
        m_editor->flush();
        auto* dialog = new DatasetDedupDialog(m_session, currentDatasetId(), this);
        showSessionDialog(dialog, m_session, currentDatasetId());
    });
    connect(m_split, &QPushButton::clicked, this, [this] {
        if (!currentDatasetId() || m_session->isBusy())
            return;
        m_editor->flush();
        auto* dialog = new DatasetSplitDialog(m_session, currentDatasetId(), this);
        showSessionDialog(dialog, m_session, currentDatasetId());
    });
    connect(m_importFile, &QPushButton::clicked, this, [this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, tr("Import dataset files"), QDir::homePath(),
                                          tr("Datasets (*.jsonl *.json *.csv *.tsv *.txt);;All files (*)"));
        if (!files.isEmpty())
            offerImport(files);
    });
}

void DatasetsPage::buildDeleteShortcuts()
{
    // The dataset list's context menu and Delete key: delete the chosen dataset (after asking).
    m_deleteDataset = new QAction(tr("Delete dataset…"), m_datasets);
    m_deleteDataset->setObjectName(QStringLiteral("deleteDatasetAction"));
    m_deleteDataset->setShortcut(QKeySequence::Delete);
    m_deleteDataset->setShortcutContext(Qt::WidgetShortcut);
    m_datasets->addAction(m_deleteDataset);
    m_datasets->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_deleteDataset, &QAction::triggered, this, &DatasetsPage::deleteDataset);
    auto* deleteShortcut = new QAction(this);
    deleteShortcut->setShortcut(QKeySequence::Delete);
    deleteShortcut->setShortcutContext(Qt::WidgetShortcut);
    m_table->addAction(deleteShortcut);
    connect(deleteShortcut, &QAction::triggered, this, &DatasetsPage::deleteSelected);
}

bool DatasetsPage::openWorkspace(const QString& dir)
{
    m_import->cancel();
    m_session->cancelJobs(); // a running statistics or dedup pass of the old workspace stops instead of finishing
    m_session->pool()->waitForDone();
    m_openError.clear();
    try {
        m_session->open(dir);
        m_error->hide();
        return true;
    } catch (const Error& error) {
        m_openError = tr("The workspace %1 cannot be opened: %2").arg(QDir::toNativeSeparators(dir), error.message());
        showError(m_openError);
        reloadDatasets();
        return false;
    }
}

void DatasetsPage::setModels(const QStringList& folders) { m_tokenPicker->setModels(folders); }
void DatasetsPage::setModelsFolder(const QString& folder) { m_tokenPicker->setBrowseFolder(folder); }

QStringList DatasetsPage::pendingFiles() const { return m_import->files(); }

void DatasetsPage::offerImport(const QStringList& files)
{
    m_import->addFiles(files);
    m_tabs->setCurrentWidget(m_import);
}

qint64 DatasetsPage::currentDatasetId() const
{
    const QListWidgetItem* item = m_datasets->currentItem();
    return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

bool DatasetsPage::selectDataset(qint64 id)
{
    for (int i = 0; i < m_datasets->count(); ++i) {
        if (m_datasets->item(i)->data(Qt::UserRole).toLongLong() == id) {
            m_datasets->setCurrentRow(i);
            return true;
        }
    }
    return false;
}

void DatasetsPage::reloadDatasets()
{
    const qint64 current = currentDatasetId();
    std::vector<DatasetInfo> list;
    if (m_session->isOpen()) {
        try {
            list = m_session->datasets().list();
        } catch (const Error& error) {
            showError(error.message());
        }
    }
    const QSignalBlocker blocker(m_datasets);
    m_datasets->clear();
    int row = -1;
    for (const DatasetInfo& info : list) {
        auto* item = new QListWidgetItem(tr("%1 (%L2)").arg(info.name).arg(info.examples), m_datasets);
        item->setData(Qt::UserRole, info.id);
        item->setData(Qt::UserRole + 1, info.name);
        item->setData(Qt::UserRole + 2, info.examples);
        item->setToolTip(tr("%L1 examples: %L2 train, %L3 validation, %L4 test; version %5\n%6")
                             .arg(info.examples)
                             .arg(info.train)
                             .arg(info.validation)
                             .arg(info.test)
                             .arg(info.version)
                             .arg(info.description));
        if (info.id == current)
            row = m_datasets->count() - 1;
    }
    if (row < 0 && m_datasets->count() > 0)
        row = 0;
    m_datasets->setCurrentRow(row);
    if (currentDatasetId() != m_model->datasetId())
        onDatasetChosen();
    else if (const QListWidgetItem* item = m_datasets->currentItem()) {
        m_datasetInfo->setText(item->toolTip());
        if (!m_name->hasFocus()) // a rename being typed is not overwritten by a refresh
            m_name->setText(item->data(Qt::UserRole + 1).toString());
    }
}

void DatasetsPage::onDatasetChosen()
{
    const qint64 id = currentDatasetId();
    const QListWidgetItem* item = m_datasets->currentItem();
    m_datasetInfo->setText(item ? item->toolTip() : QString());
    m_name->setText(item ? item->data(Qt::UserRole + 1).toString() : QString());
    m_editor->setExample(0);
    {
        const QSignalBlocker blocker(m_search);
        m_search->clear();
    }
    m_splitFilter->setCurrentIndex(0);
    m_flagFilter->setCurrentIndex(0);
    m_tagFilter->setCurrentIndex(0); // the tags of the new dataset come from a thread
    reloadTags();
    m_model->setFilter({}); // the id list is loaded once, by setDataset
    m_stats->setDataset(id);
    m_model->setDataset(id);
    updateActions();
}

void DatasetsPage::reloadTags()
{
    // Counted on a thread: a GROUP BY over every example's tags (33 ms for 50,000 examples).
    const quint64 generation = ++m_tagsGeneration;
    const qint64 datasetId = currentDatasetId();
    if (!m_session->isOpen() || datasetId <= 0) {
        m_tagFilter->clear();
        m_tagFilter->addItem(tr("All tags"), QString());
        return;
    }
    using TagCounts = std::vector<std::pair<QString, qint64>>;
    const QString database = m_session->databasePath();
    startTask<TagCounts>(
        this, m_session->pool(),
        [database, datasetId](TaskControl&) { return ExampleStore(threadConnection(database)).tagCounts(datasetId); },
        [this, generation](TaskOutcome<TagCounts> outcome) {
            if (generation != m_tagsGeneration)
                return;
            if (!outcome.value) {
                showError(outcome.error);
                return;
            }
            const QString chosen = m_tagFilter->currentData().toString();
            m_tagFilter->clear();
            m_tagFilter->addItem(tr("All tags"), QString());
            for (const auto& [tag, count] : *outcome.value)
                m_tagFilter->addItem(tr("%1 (%L2)").arg(tag).arg(count), tag);
            m_tagFilter->setCurrentIndex(std::max(0, m_tagFilter->findData(chosen)));
        });
}

void DatasetsPage::applyFilter()
{
    m_searchTimer->stop();
    ExampleFilter filter;
    filter.search = m_search->text().trimmed();
    const QString tag = m_tagFilter->currentData().toString();
    if (!tag.isEmpty())
        filter.tags = {tag};
    Split split;
    if (splitFromName(m_splitFilter->currentData().toString(), &split))
        filter.split = split;
    const int flags = m_flagFilter->currentData().toInt();
    if (flags > 0)
        filter.flagsAny = flags;
    else if (flags < 0)
        filter.flagsNone = FlagDuplicate | FlagTooLong | FlagEmpty | FlagPii | FlagControlCharacters;
    m_model->setFilter(filter);
}

void DatasetsPage::onModelLoaded()
{
    m_count->setText(tr("%L1 examples").arg(m_model->rowCount()));
    if (m_selectAfterLoad) {
        const int row = m_model->rowOf(m_selectAfterLoad);
        m_selectAfterLoad = 0;
        if (row >= 0) {
            m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                                                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_table->scrollTo(m_model->index(row, 0));
        }
    }
    // The current row may have left the filter (or been deleted): the editor follows.
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    const qint64 id = current.isValid() ? m_model->idAt(current.row()) : 0;
    if (id != m_editor->exampleId() && !m_editor->hasPendingChanges())
        m_editor->setExample(id);
    updateActions();
    emit datasetShown(m_model->datasetId());
}

void DatasetsPage::onCurrentRowChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    m_editor->setExample(current.isValid() ? m_model->idAt(current.row()) : 0);
    if (current.isValid())
        m_tabs->setCurrentWidget(m_editor);
}

std::vector<qint64> DatasetsPage::selectedIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    std::vector<qint64> ids;
    ids.reserve(size_t(rows.size()));
    for (const QModelIndex& index : rows)
        ids.push_back(m_model->idAt(index.row()));
    return ids;
}

void DatasetsPage::updateActions()
{
    const bool open = m_session->isOpen() && currentDatasetId() > 0;
    const bool idle = !m_session->isBusy();
    const bool selected = open && m_table->selectionModel()->hasSelection();
    m_add->setEnabled(open && idle);
    m_duplicate->setEnabled(selected && idle);
    m_delete->setEnabled(selected && idle);
    m_tag->setEnabled(selected && idle && !m_bulkTag->text().trimmed().isEmpty());
    m_move->setEnabled(selected && idle);
    m_mask->setEnabled(selected && idle);
    m_useForTraining->setEnabled(open);
    m_deleteDataset->setEnabled(open && idle);
    m_validate->setEnabled(open && idle);
    m_name->setEnabled(open && idle);
    m_split->setEnabled(open && idle);
    m_dedup->setEnabled(open && idle);
    m_export->setEnabled(open);
    m_editor->setEnabled(idle && m_editor->exampleId() > 0);
    QUndoStack* stack = m_session->undoStack();
    m_undo->setEnabled(idle && stack->canUndo());
    m_undo->setToolTip(stack->canUndo() ? tr("Undo %1 (Ctrl+Z)").arg(stack->undoText()) : tr("Nothing to undo"));
    m_redo->setEnabled(idle && stack->canRedo());
    m_redo->setToolTip(stack->canRedo() ? tr("Redo %1 (Ctrl+Shift+Z)").arg(stack->redoText()) : tr("Nothing to redo"));
}

void DatasetsPage::addExample()
{
    const qint64 datasetId = currentDatasetId();
    if (!datasetId || m_session->isBusy())
        return;
    m_editor->flush();
    StoredExample example;
    example.source = QStringLiteral("manual");
    Split split;
    if (splitFromName(m_splitFilter->currentData().toString(), &split))
        example.split = split; // stays visible under the split filter
    auto* command = InsertExamplesCommand::add(m_session, datasetId, {example});
    m_session->undoStack()->push(command);
    if (!command->createdIds().empty())
        m_selectAfterLoad = command->createdIds().front();
}

void DatasetsPage::duplicateSelected()
{
    const std::vector<qint64> ids = selectedIds();
    if (ids.empty() || m_session->isBusy())
        return;
    m_editor->flush();
    auto* command = InsertExamplesCommand::duplicate(m_session, currentDatasetId(), ids);
    m_session->undoStack()->push(command);
    if (!command->createdIds().empty())
        m_selectAfterLoad = command->createdIds().front();
}

void DatasetsPage::deleteSelected()
{
    const std::vector<qint64> ids = selectedIds();
    if (ids.empty() || m_session->isBusy())
        return;
    m_editor->flush();
    m_session->undoStack()->push(new RemoveExamplesCommand(m_session, currentDatasetId(), ids));
}

void DatasetsPage::tagSelected()
{
    const std::vector<qint64> ids = selectedIds();
    const QString tag = m_bulkTag->text().trimmed();
    if (ids.empty() || tag.isEmpty() || m_session->isBusy())
        return;
    m_editor->flush();
    m_session->undoStack()->push(
        new TagExamplesCommand(m_session, currentDatasetId(), ids, tag, TagExamplesCommand::Action::Add));
}

void DatasetsPage::moveSelected()
{
    const std::vector<qint64> ids = selectedIds();
    if (ids.empty() || m_session->isBusy())
        return;
    m_editor->flush();
    const auto split = static_cast<Split>(m_bulkSplit->currentData().toInt());
    std::vector<std::pair<qint64, Split>> splits;
    splits.reserve(ids.size());
    for (const qint64 id : ids)
        splits.emplace_back(id, split);
    m_session->undoStack()->push(new SetSplitsCommand(
        m_session, currentDatasetId(), std::move(splits),
        tr("Move %n example(s) to %1", nullptr, static_cast<int>(ids.size())).arg(splitName(split))));
}

void DatasetsPage::maskSelected()
{
    const std::vector<qint64> ids = selectedIds();
    const qint64 datasetId = currentDatasetId();
    if (ids.empty() || m_session->isBusy())
        return;
    m_editor->flush();
    const QString database = m_session->databasePath();
    // No edit until the preview is answered: the texts read are the texts replaced.
    m_session->beginBusy();
    m_status->setText(tr("Looking for personal data in %n example(s)…", nullptr, static_cast<int>(ids.size())));
    auto control = startTask<PiiMasking>(
        this, m_session->pool(), [database, ids](TaskControl& job) { return findPiiMasking(database, ids, &job); },
        [this, datasetId, ids](TaskOutcome<PiiMasking> outcome) {
            if (!outcome.value || outcome.cancelled) { // cancelled: the workspace is closing
                m_session->endBusy();
                if (!outcome.cancelled)
                    showError(tr("Mask PII failed: %1").arg(outcome.error));
                emit bulkActionDone();
                return;
            }
            if (outcome.value->changes.empty()) {
                m_session->endBusy();
                m_status->setText(
                    tr("No personal data found in the %n selected example(s).", nullptr, static_cast<int>(ids.size())));
                emit bulkActionDone();
                return;
            }
            auto masking = std::make_shared<PiiMasking>(std::move(*outcome.value));
            auto* dialog = new PiiMaskDialog(*masking, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            connect(m_session, &DatasetSession::closed, dialog, &QDialog::reject);
            connect(dialog, &QDialog::finished, this, [this, datasetId, masking](int result) {
                m_session->endBusy();
                const int examples = static_cast<int>(masking->changes.size());
                if (result == QDialog::Accepted && m_session->isOpen()) {
                    m_session->undoStack()->push(
                        new ReplaceTextsCommand(m_session, datasetId, masking->changes,
                                                tr("Mask personal data in %n example(s)", nullptr, examples)));
                    m_status->setText(
                        tr("Masked %1 item(s) of personal data in %n example(s) (Ctrl+Z undoes it).", nullptr, examples)
                            .arg(masking->items()));
                } else {
                    m_status->setText(tr("Nothing was masked."));
                }
                emit bulkActionDone();
            });
            dialog->open(); // window-modal: the examples cannot change while it asks
        });
    m_session->track(control); // cancelled when the workspace closes
}

void DatasetsPage::useForTraining()
{
    const qint64 datasetId = currentDatasetId();
    if (!datasetId)
        return;
    m_editor->flush(); // the Train page reads the counts as saved
    emit useForTrainingRequested(datasetId);
}

void DatasetsPage::deleteDataset()
{
    const QListWidgetItem* item = m_datasets->currentItem();
    if (!item || m_session->isBusy())
        return;
    m_editor->flush();
    const qint64 id = item->data(Qt::UserRole).toLongLong();
    const QString name = item->data(Qt::UserRole + 1).toString();
    const qint64 examples = item->data(Qt::UserRole + 2).toLongLong();
    QMessageBox ask(
        QMessageBox::Warning, tr("Delete dataset"),
        tr("Delete the dataset \"%1\" and its %Ln example(s)?", nullptr, static_cast<int>(examples)).arg(name),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    ask.setObjectName(QStringLiteral("deleteDatasetQuestion"));
    ask.setInformativeText(
        tr("This cannot be undone, and it clears the undo history of this page. Runs trained on it keep "
           "their history and show its name and version."));
    ask.button(QMessageBox::Yes)->setText(tr("Delete"));
    ask.setDefaultButton(QMessageBox::Cancel);
    if (ask.exec() != QMessageBox::Yes)
        return;
    try {
        // Many examples (and their search index) go on a thread while the window keeps painting.
        m_session->runWrite(examples, [id](QSqlDatabase db) { DatasetStore(db).remove(id); });
    } catch (const Error& error) {
        showError(tr("Cannot delete the dataset \"%1\": %2").arg(name, error.message()));
        return;
    }
    m_session->undoStack()->clear(); // its edits cannot be undone or redone any more
    for (QDialog* dialog : findChildren<QDialog*>())
        if (dialog->property("datasetId").toLongLong() == id)
            dialog->reject(); // a validation, split or dedup of the deleted dataset
    m_session->notifyDatasets();
    m_status->setText(
        tr("Deleted the dataset \"%1\" (%Ln example(s)).", nullptr, static_cast<int>(examples)).arg(name));
}

void DatasetsPage::renameDataset()
{
    const QListWidgetItem* item = m_datasets->currentItem();
    const QString name = m_name->text().trimmed();
    if (!item || m_session->isBusy())
        return;
    const QString before = item->data(Qt::UserRole + 1).toString();
    if (name.isEmpty() || name == before) {
        m_name->setText(before);
        return;
    }
    m_session->undoStack()->push(new DatasetPropertyCommand(m_session, currentDatasetId(),
                                                            DatasetPropertyCommand::Property::Name, before, name));
    if (const QListWidgetItem* now = m_datasets->currentItem()) // a taken name: the error is shown, the name stays
        m_name->setText(now->data(Qt::UserRole + 1).toString());
}

void DatasetsPage::undo()
{
    if (m_session->isBusy())
        return;
    m_editor->flush();
    m_session->undoStack()->undo();
}

void DatasetsPage::redo()
{
    if (m_session->isBusy())
        return;
    m_editor->flush();
    m_session->undoStack()->redo();
}

void DatasetsPage::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

} // namespace ft::ui
