#pragma once
// GgufExportDialog: a run's final model (or any model folder) to one GGUF file for llama.cpp, Ollama and
// LM Studio, through `ftstudio-cli export` (GgufExportProcess): the tensor type with the file size each
// would have (from `export --estimate`, measured once in the background), where the file goes, whether an
// Ollama Modelfile goes beside it, a progress bar, and Cancel (nothing is left under the file's name).
// Closing the dialog during an export cancels it.

#include <QDialog>
#include <QMap>

#include "runs/gguf_export_process.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace ft {
class CliTask;
struct CliTaskResult;
} // namespace ft

namespace ft::ui {

class GgufExportDialog : public QDialog {
    Q_OBJECT
public:
    // `source`: a run folder or a model folder; `outFolder` and `baseName` make the default file name,
    // <outFolder>/<baseName>-<type>.gguf.
    GgufExportDialog(const QString& source, const QString& outFolder, const QString& baseName, const QString& cliPath,
                     QWidget* parent = nullptr);

    QString outPath() const;
    QString type() const;
    bool isExporting() const { return m_process->isRunning(); }

public slots:
    void startExport();
    void reject() override; // cancels a running export first

signals:
    void estimatesReady();
    void exportEnded(const ft::GgufExportEnd& end);

private:
    void onTypeChanged();
    void onEstimates(const ft::CliTaskResult& result);
    void onEnded(const ft::GgufExportEnd& end);
    void setBusy(bool busy);
    void updateEstimateText();

    QString m_source;
    QString m_outFolder;
    QString m_baseName;
    QComboBox* m_type = nullptr;
    QLabel* m_estimate = nullptr;
    QLineEdit* m_path = nullptr;
    QPushButton* m_browse = nullptr;
    QCheckBox* m_modelfile = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_cancel = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    GgufExportProcess* m_process = nullptr;
    CliTask* m_estimator = nullptr;
    QMap<QString, qint64> m_sizes; // by upper-case type name
    QString m_estimateError;
    bool m_pathEdited = false; // the user typed or chose a path: a new type no longer renames it
    bool m_closeWhenEnded = false;
};

} // namespace ft::ui
