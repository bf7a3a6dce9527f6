#pragma once
// DatasetExportDialog: writes the dataset (or one split) to a file in any format the store can write
// (exportDataset: studio JSONL with tags, Alpaca, Dolly, ShareGPT, OpenAI chat, CSV, TSV, text), on a
// thread and atomically (a temporary file renamed into place). The format follows the file's suffix
// until chosen; an error (a conversation into a format that cannot hold one, a folder that cannot be
// written) names the record or the file.

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace ft::ui {

class DatasetSession;

class DatasetExportDialog : public QDialog {
    Q_OBJECT
public:
    DatasetExportDialog(DatasetSession* session, qint64 datasetId, const QString& suggestedPath,
                        QWidget* parent = nullptr);

signals:
    void exported(const QString& path, qint64 examples);
    void failed(const QString& message);

private:
    void startExport();
    DatasetSession* m_session;
    qint64 m_datasetId;
    bool m_running = false;
    QLineEdit* m_path;
    QComboBox* m_format;
    QComboBox* m_split;
    QPushButton* m_export;
    QLabel* m_result;
};

} // namespace ft::ui
