#pragma once
// RunFilterProxy: the Runs table's filter: a text matched against every column (tags included), and
// optionally one status ("finished", "running", ...). Sorting uses RunHistoryModel::SortRole.

#include <QSortFilterProxyModel>

namespace ft::ui {

class RunFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunFilterProxy(QObject* parent = nullptr);
    void setText(const QString& text);
    void setStatus(const QString& status); // empty: every status

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
    QString m_status;
};

} // namespace ft::ui
