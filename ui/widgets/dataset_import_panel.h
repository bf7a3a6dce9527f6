#pragma once
// DatasetImportPanel: importing files into the workspace, on the Datasets page. Files dropped on the
// window (or chosen with Import…) are listed; the selected one is looked at on a thread
// (detectDatasetFormat: the format and why, CSV/TSV columns, the first records as a preview). The
// format and, for CSV/TSV, the column of each field can be changed (the preview follows). Import
// runs importDataset on a thread into a new dataset (one transaction: all or nothing), with a
// progress bar and Cancel (which rolls everything back); the error (file and record) or, with
// "Skip bad records", every skipped record with its location is listed.

#include <memory>

#include <QStringList>
#include <QWidget>

#include "data/dataset_format.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace ft::ui {

class DatasetSession;
struct TaskControl;

class DatasetImportPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetImportPanel(DatasetSession* session, QWidget* parent = nullptr);
    ~DatasetImportPanel() override;

    void addFiles(const QStringList& files); // selects the last one
    QStringList files() const { return m_files; }
    bool isImporting() const { return m_control != nullptr; }
    void cancel();

signals:
    void imported(qint64 datasetId, qint64 examples);
    void importingChanged(bool importing);

private:
    void select(int row);
    void detect(const QString& path);
    void onFormatChosen();
    void showPreview();
    ImportOptions options() const;
    void startImport();
    void updateProgress();
    void updateButtons();

    DatasetSession* m_session;
    QStringList m_files;
    QString m_current;
    std::unique_ptr<FormatDetection> m_detection;
    quint64 m_detectGeneration = 0;
    std::shared_ptr<TaskControl> m_control;
    QTimer* m_progressTimer;
    QListWidget* m_list;
    QLabel* m_explanation;
    QComboBox* m_format;
    QWidget* m_mappingBox;
    QComboBox* m_instructionColumn;
    QComboBox* m_inputColumn;
    QComboBox* m_responseColumn;
    QComboBox* m_systemColumn;
    QTableWidget* m_preview;
    QLineEdit* m_name;
    QCheckBox* m_skipBad;
    QPushButton* m_import;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QListWidget* m_errors;
};

} // namespace ft::ui
