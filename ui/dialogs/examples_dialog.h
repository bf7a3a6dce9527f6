#pragma once
// The evaluation of runs example by example: for each example its prompt, reference, the base
// model's output (when the runs were evaluated with --base) and each run's output with their scores,
// largest score differences first (sortable by any column; the metric is chosen above the table). The
// table shows the start of each text; the chosen example's whole texts are read below it.
// Each run's latest evaluation is read on the store thread; the examples are matched by record key
// (store/evaluation_compare.h), so only runs evaluated on the same records line up.

#include <QDialog>

#include "store/evaluation_compare.h"

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace ft {
class StoreThread;
}

namespace ft::ui {

class RunExamplesModel;

class ExamplesDialog : public QDialog {
    Q_OBJECT
public:
    ExamplesDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                   QWidget* parent = nullptr);

    bool isLoaded() const { return m_loaded; }
    QTableView* table() const { return m_table; }
    RunExamplesModel* model() const { return m_model; }
    QTextBrowser* detail() const { return m_detail; }
    void setMetric(const QString& metric);

signals:
    void loaded(const QString& error);

private:
    void apply(std::vector<ComparisonColumn> columns, const QString& error);
    void showDetail(); // the current example's whole prompt, reference and outputs with their scores
    void fitNarrowColumns();

    std::vector<ComparisonColumn> m_columns;
    bool m_loaded = false;
    QLabel* m_status;
    QComboBox* m_metric;
    RunExamplesModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_table;
    QTextBrowser* m_detail;
};

// Each run's latest evaluation with its outputs, preceded by the matching cached base evaluation of the
// first run when there is one. Throws ft::Error when a run has no evaluation with outputs.
std::vector<ComparisonColumn> loadExampleColumns(const QString& workspacePath, const QList<qint64>& runIds);

} // namespace ft::ui
