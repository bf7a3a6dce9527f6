#pragma once
// The Datasets page, waiting for the workspace store. It says what will be here, and handles the
// files dropped on the window (or chosen with File > Import): it lists them and, for JSONL files,
// offers to use them as training or validation data on the Train page. Importing them into the
// workspace (format detection, preview, column mapping) comes with the store.

#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace ft::ui {

class DatasetsPage : public QWidget {
    Q_OBJECT
public:
    explicit DatasetsPage(QWidget* parent = nullptr);
    QStringList pendingFiles() const { return m_files; }

public slots:
    void offerImport(const QStringList& files);

signals:
    void useAsTrainingData(const QString& path);
    void useAsValidationData(const QString& path);

private:
    QString selectedFile() const;
    QStringList m_files;
    QListWidget* m_list;
    QPushButton* m_useTrain;
    QPushButton* m_useVal;
};

} // namespace ft::ui
