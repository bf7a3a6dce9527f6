#pragma once
// RunHistoryModel: a table of runs over any RunHistory (the session's RunQueue, or the workspace's
// StoreRunHistory), with the latest evaluation's BLEU and ROUGE-L and the tags. It keeps its own copy of the rows,
// updated from the history's signals, so that the rows it reports always agree with the signals it has sent
// (QAbstractItemModelTester).

#include <QAbstractTableModel>
#include <QPointer>
#include <QVector>

#include "runs/run_history.h"

namespace ft::ui {

class RunHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Status,
        Mode,
        BaseModel,
        Dataset,
        Progress,
        Loss,
        BestValLoss,
        Bleu,
        RougeL,
        Tokens,
        Time,
        Created,
        Tags,
        ColumnCount
    };
    enum Role { KeyRole = Qt::UserRole + 1, RunDirRole, SortRole, RunIdRole, JobIdRole };

    explicit RunHistoryModel(RunHistory* history, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const RunSummary& run(int row) const { return m_rows.at(row); }

private:
    void reload();
    QPointer<RunHistory> m_history;
    QVector<RunSummary> m_rows;
};

} // namespace ft::ui
