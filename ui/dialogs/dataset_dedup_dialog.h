#pragma once
// DatasetDedupDialog: exact and near duplicates of a whole dataset (findDuplicates: MinHash over word
// shingles, verified by Jaccard similarity), found on a thread with progress and cancel. Each group is
// listed with its examples, the first one kept; nothing is removed until "Remove duplicates", which
// deletes the others as one undoable step (like `ftstudio-cli dataset dedup --apply`).

#include <memory>
#include <vector>

#include <QDialog>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace ft::ui {

class DatasetSession;
struct TaskControl;

class DatasetDedupDialog : public QDialog {
    Q_OBJECT
public:
    DatasetDedupDialog(DatasetSession* session, qint64 datasetId, QWidget* parent = nullptr);
    ~DatasetDedupDialog() override;
    int toRemove() const { return static_cast<int>(m_remove.size()); }

signals:
    void reportReady();

private:
    void find();
    void apply();

    DatasetSession* m_session;
    qint64 m_datasetId;
    std::shared_ptr<TaskControl> m_control;
    std::vector<qint64> m_remove;
    QCheckBox* m_near;
    QDoubleSpinBox* m_threshold;
    QPushButton* m_find;
    QProgressBar* m_progress;
    QLabel* m_summary;
    QTreeWidget* m_groups;
    QPushButton* m_apply;
};

} // namespace ft::ui
