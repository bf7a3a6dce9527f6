#pragma once
// RunExamplesModel: an evaluation example by example (store/evaluation_compare.h's Comparison): the
// prompt, the reference, then each column's output and score (the base model first when there is
// one, then the runs), and the score difference from the first column. SortRole gives numbers for the
// numeric columns, so a proxy sorts by difference or score.

#include <QAbstractTableModel>

#include "store/evaluation_compare.h"

namespace ft::ui {

class RunExamplesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { SortRole = Qt::UserRole + 1 };
    // Fixed columns; then two per comparison column (output, score); the difference last.
    enum FixedColumn { Index, Prompt, Reference, FixedCount };

    explicit RunExamplesModel(QObject* parent = nullptr);
    void setComparison(Comparison comparison);
    const Comparison& comparison() const { return m_comparison; }
    int differenceColumn() const { return FixedCount + 2 * static_cast<int>(m_comparison.columns.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Comparison m_comparison;
};

} // namespace ft::ui
