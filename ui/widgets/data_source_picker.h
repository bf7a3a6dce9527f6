#pragma once
// The Train page's data: a workspace dataset with the split to train on and the split to validate
// on, or JSONL files. For a dataset, the worker freezes the chosen splits into the run folder when
// it starts and records the dataset and its version with the run (`train --dataset-id ID
// --train-split S --val-split S|none`). The workspace's datasets, with their example counts per
// split, are read on a thread; the counts say before launch when a chosen split is empty.
//
// Both choices stay visible; the radio buttons say which one is used, and touching one (choosing a
// dataset, typing or choosing a file) selects it.

#include <optional>
#include <vector>

#include <QThreadPool>
#include <QWidget>

#include "store/dataset_store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QTimer;

namespace ft::ui {

class AppSettings;

class DataSourcePicker : public QWidget {
    Q_OBJECT
public:
    explicit DataSourcePicker(AppSettings* settings, QWidget* parent = nullptr);
    ~DataSourcePicker() override;

    // The open workspace's database (studio.db); empty when none is open. Reads its datasets.
    void setDatabasePath(const QString& path);
    QString databasePath() const { return m_databasePath; }
    // Reads the datasets again a moment later (after edits on the Datasets page); while hidden, when
    // next shown, so that edits elsewhere cost nothing here.
    void refreshDatasets();
    bool isLoading() const { return m_loading; }
    // A re-read asked for (an edit on the Datasets page) that has not started yet.
    bool isRefreshPending() const;

    bool usesDataset() const;
    void setUsesDataset(bool dataset);
    // The chosen dataset as last read, with its counts per split.
    std::optional<DatasetInfo> dataset() const;
    QString trainSplit() const; // "train", "val" or "test"
    QString valSplit() const;   // the same, or "none": a seeded share of the training split validates
    // Selects the dataset source and this dataset (as soon as it is listed).
    void chooseDataset(qint64 id);

    QString trainFile() const;
    QString valFile() const;
    void setTrainFile(const QString& path); // also selects the files source
    void setValFile(const QString& path);

    // Several training processes cannot read a workspace dataset: `reason` says why (empty: allowed).
    void setDatasetRefusal(const QString& reason);

    // Why the data cannot be trained on now (empty when it can): no dataset, an empty split, two
    // equal splits, no training file, ...
    QString problem() const;

signals:
    void changed();
    void statusMessage(const QString& text);

private:
    QWidget* buildDatasetRow();
    QWidget* buildFileRows();
    void startLoad();
    void fillDatasets(const std::vector<DatasetInfo>& datasets);
    void fillSplits();
    void onDatasetChanged();
    void updateSummary();
    void remember();
    QString browseJsonl(const QString& title);
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

    AppSettings* m_settings;
    QThreadPool m_pool;
    QString m_databasePath;
    std::vector<DatasetInfo> m_datasets;
    bool m_loading = false;
    bool m_stale = false; // the datasets changed while the page was hidden
    quint64 m_generation = 0;
    qint64 m_pendingId = 0;    // chooseDataset() before the list had it
    qint64 m_shownId = 0;      // the dataset the split choices were set up for
    bool m_choiceLost = false; // the chosen dataset was deleted: none is chosen until the user chooses
    QString m_refusal;
    QTimer* m_refreshTimer = nullptr;
    QRadioButton* m_useDataset = nullptr;
    QRadioButton* m_useFiles = nullptr;
    QComboBox* m_dataset = nullptr;
    QComboBox* m_trainSplit = nullptr;
    QComboBox* m_valSplit = nullptr;
    QLabel* m_summary = nullptr;
    QLineEdit* m_trainFile = nullptr;
    QLineEdit* m_valFile = nullptr;
};

} // namespace ft::ui
