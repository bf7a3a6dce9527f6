#pragma once
// SaveConversationDialog: where a Playground conversation goes as a dataset example — which column's
// conversation (when there are several), which dataset of the workspace, and which split.

#include <QDialog>
#include <QStringList>
#include <vector>

#include "data/splits.h"
#include "store/dataset_store.h"

class QComboBox;

namespace ft::ui {

class SaveConversationDialog : public QDialog {
    Q_OBJECT
public:
    // `columns`: a label per column that has a conversation; `datasets`: the workspace's datasets.
    SaveConversationDialog(const QStringList& columns, const std::vector<DatasetInfo>& datasets,
                           QWidget* parent = nullptr);

    int column() const;       // index into `columns`
    qint64 datasetId() const; // 0 when there is none
    Split split() const;

private:
    QComboBox* m_column;
    QComboBox* m_dataset;
    QComboBox* m_split;
};

} // namespace ft::ui
