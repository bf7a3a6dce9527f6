#pragma once
// DatasetSplitDialog: a seeded train/validation/test split of a whole dataset (assignSplits, like
// `ftstudio-cli dataset split`), optionally stratified by tag. The dataset is read on a thread; the
// dialog shows the sizes now and after, and how many examples would move, updated as the settings
// change; Apply moves them as one undoable step.

#include <utility>
#include <vector>

#include <QDialog>

#include "data/splits.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTimer;

namespace ft::ui {

class DatasetSession;

class DatasetSplitDialog : public QDialog {
    Q_OBJECT
public:
    DatasetSplitDialog(DatasetSession* session, qint64 datasetId, QWidget* parent = nullptr);
    int moving() const { return static_cast<int>(m_changes.size()); }

signals:
    void previewReady(); // the preview shows the current settings

private:
    struct Loaded {
        std::vector<qint64> ids;
        std::vector<Split> splits;
        std::vector<QStringList> tags;
    };
    void updatePreview();
    void apply();

    DatasetSession* m_session;
    qint64 m_datasetId;
    Loaded m_loaded;
    bool m_ready = false;
    std::vector<std::pair<qint64, Split>> m_changes;
    QDoubleSpinBox* m_validation;
    QDoubleSpinBox* m_test;
    QSpinBox* m_seed;
    QCheckBox* m_stratify;
    QLabel* m_preview;
    QPushButton* m_apply;
};

} // namespace ft::ui
