#include "models/run_examples_model.h"

namespace ft::ui {

RunExamplesModel::RunExamplesModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void RunExamplesModel::setComparison(Comparison comparison)
{
    beginResetModel();
    m_comparison = std::move(comparison);
    endResetModel();
}

int RunExamplesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_comparison.rows.size());
}

int RunExamplesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : differenceColumn() + 1;
}

QVariant RunExamplesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return {};
    switch (section) {
    case Index:
        return tr("#");
    case Prompt:
        return tr("Prompt");
    case Reference:
        return tr("Reference");
    default:
        break;
    }
    if (section == differenceColumn())
        return tr("Δ %1").arg(m_comparison.metric);
    const int column = (section - FixedCount) / 2;
    const QString label = m_comparison.columns[static_cast<size_t>(column)].label;
    return (section - FixedCount) % 2 == 0 ? label : QStringLiteral("%1 %2").arg(m_comparison.metric, label);
}

QVariant RunExamplesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != SortRole)
        return {};
    const ComparisonRow& row = m_comparison.rows[static_cast<size_t>(index.row())];
    const int section = index.column();
    switch (section) {
    case Index:
        return row.index;
    case Prompt:
        return row.prompt;
    case Reference:
        return row.reference;
    default:
        break;
    }
    if (section == differenceColumn())
        return role == SortRole ? QVariant(row.difference) : QVariant(QString::number(row.difference, 'f', 3));
    const auto& output = row.outputs[static_cast<size_t>((section - FixedCount) / 2)];
    if ((section - FixedCount) % 2 == 0)
        return output ? output->output : QString();
    if (!output)
        return role == SortRole ? QVariant(-1.0) : QVariant(QStringLiteral("–"));
    const double score = output->score(m_comparison.metric);
    return role == SortRole ? QVariant(score) : QVariant(QString::number(score, 'f', 3));
}

} // namespace ft::ui
