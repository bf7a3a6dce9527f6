#pragma once
// The Datasets page: the workspace's datasets (from the store; deleted from the list's context menu
// or with Delete, after asking), a lazily fetched table of the
// selected dataset's examples with full-text search and filters (tag, split, flag) done in SQL, the
// editor of the current example, bulk actions on the selected rows (delete, tag, move to a split, mask personal data),
// add and duplicate, token counts for a chosen model and template, undo/redo of every edit (Ctrl+Z / Ctrl+Shift+Z), and
// the import panel that files dropped on the window go to. "Use for training" chooses the dataset on the Train page
// (its splits are frozen into the run folder when the run starts); Validate… and Split… open DatasetValidateDialog and
// DatasetSplitDialog, Export… DatasetExportDialog, Remove duplicates… DatasetDedupDialog.

#include <QStringList>
#include <QWidget>

#include "store/example_store.h"

class QAction;
class QComboBox;
class QLabel;
class QLayout;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTableView;
class QTimer;

namespace ft::ui {

class DatasetImportPanel;
class DatasetSession;
class DatasetStatsPanel;
class ExampleEditor;
class ExampleTableModel;
class TokenCounter;
class TokenSetupPicker;

class DatasetsPage : public QWidget {
    Q_OBJECT
public:
    explicit DatasetsPage(QWidget* parent = nullptr);
    ~DatasetsPage() override;

    // Opens the workspace in `dir` (created with the sample dataset when new). Returns false and
    // shows the reason on the page when it cannot be opened.
    bool openWorkspace(const QString& dir);
    QString openError() const { return m_openError; }
    QStringList pendingFiles() const; // files offered for import

    DatasetSession* session() const { return m_session; }
    ExampleTableModel* exampleModel() const { return m_model; }
    ExampleEditor* editor() const { return m_editor; }
    DatasetImportPanel* importPanel() const { return m_import; }
    TokenSetupPicker* tokenPicker() const { return m_tokenPicker; }
    DatasetStatsPanel* statsPanel() const { return m_stats; }
    // The model folders offered for token counts (the models used before).
    void setModels(const QStringList& folders);
    void setModelsFolder(const QString& folder); // where "Tokens for"'s Model… opens
    QTableView* table() const { return m_table; }
    qint64 currentDatasetId() const;
    bool selectDataset(qint64 id);
    std::vector<qint64> selectedIds() const;

    static constexpr int kSearchDelayMs = 250;

public slots:
    void offerImport(const QStringList& files);

signals:
    // "Use for training": choose this dataset on the Train page.
    void useForTrainingRequested(qint64 datasetId);
    void datasetShown(qint64 datasetId); // the table holds the chosen dataset's examples (after a load)
    void bulkActionDone(); // a bulk action that first reads on a thread (Mask PII) has been applied or cancelled
    void modelUsed(const QString& folder); // "Tokens for" read this model: one to remember on every page

private:
    void buildUi();
    QWidget* buildDatasetColumn();
    QWidget* buildExampleColumn();
    QLayout* buildFilterRow(QWidget* parent);
    void buildExampleTable(QWidget* parent);
    QLayout* buildActionRows(QWidget* parent);
    QWidget* buildEditorColumn();
    void buildUndoRedo();
    void connectFiltersAndTable();
    void connectActions();
    void buildDeleteShortcuts();
    void reloadDatasets();
    void onDatasetChosen();
    void applyFilter();
    void reloadTags();
    void onCurrentRowChanged();
    void onModelLoaded();
    void updateActions();
    void addExample();
    void duplicateSelected();
    void deleteSelected();
    void tagSelected();
    void moveSelected();
    void maskSelected();
    void useForTraining();
    void renameDataset();
    void deleteDataset();
    void undo();
    void redo();
    void showError(const QString& message);

    DatasetSession* m_session;
    ExampleTableModel* m_model;
    ExampleEditor* m_editor = nullptr;
    DatasetImportPanel* m_import = nullptr;
    DatasetStatsPanel* m_stats = nullptr;
    TokenCounter* m_counter;
    TokenSetupPicker* m_tokenPicker = nullptr;
    QString m_openError;
    qint64 m_selectAfterLoad = 0;
    quint64 m_tagsGeneration = 0;
    QListWidget* m_datasets = nullptr;
    QLabel* m_datasetInfo = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_search = nullptr;
    QComboBox* m_tagFilter = nullptr;
    QComboBox* m_splitFilter = nullptr;
    QComboBox* m_flagFilter = nullptr;
    QLabel* m_count = nullptr;
    QTableView* m_table = nullptr;
    QPushButton* m_add = nullptr;
    QPushButton* m_duplicate = nullptr;
    QPushButton* m_delete = nullptr;
    QLineEdit* m_bulkTag = nullptr;
    QPushButton* m_tag = nullptr;
    QComboBox* m_bulkSplit = nullptr;
    QPushButton* m_move = nullptr;
    QPushButton* m_mask = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_useForTraining = nullptr;
    QPushButton* m_importFile = nullptr;
    QTimer* m_summaryTimer = nullptr; // refreshes the summary after the current dataset's examples change
    QPushButton* m_undoButton = nullptr;
    QPushButton* m_redoButton = nullptr;
    QPushButton* m_validate = nullptr;
    QPushButton* m_split = nullptr;
    QPushButton* m_dedup = nullptr;
    QPushButton* m_export = nullptr;
    QLabel* m_error = nullptr;
    QTabWidget* m_tabs = nullptr;
    QAction* m_undo = nullptr;
    QAction* m_deleteDataset = nullptr;
    QAction* m_redo = nullptr;
    QTimer* m_searchTimer = nullptr;
};

} // namespace ft::ui
