#pragma once
// The comparison of two or more runs: their loss curves overlaid (QCustomPlot; solid training loss,
// dashed validation loss, one colour per run, a legend), aligned by step, tokens seen or training
// time; the settings that differ between them (highlighted); their final metrics. The chart exports
// as PNG or PDF, the tables as CSV. The runs are read on the store thread; the dialog shows
// "Loading…" until then.

#include <QDialog>

#include "dialogs/compare_data.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;

namespace ft {
class StoreThread;
}

namespace ft::ui {

class CompareDialog : public QDialog {
    Q_OBJECT
public:
    CompareDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                  QWidget* parent = nullptr);

    bool isLoaded() const { return m_loaded; }
    const CompareData& data() const { return m_data; }
    QCustomPlot* plot() const { return m_plot; }
    QTableWidget* settingsTable() const { return m_settings; }
    QTableWidget* metricsTable() const { return m_metrics; }
    void setAxis(CompareAxis axis);

    // Write the chart (by the file's suffix: .png or .pdf) / the tables as CSV; the error, or empty.
    QString exportChart(const QString& path);
    QString exportCsv(const QString& path);

signals:
    void loaded(const QString& error);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void apply(CompareData data, const QString& error);
    void fillPlot();
    void fillTables();
    void fitHeaders(QTableWidget* table);

    CompareData m_data;
    bool m_loaded = false;
    CompareAxis m_axis = CompareAxis::Step;
    QLabel* m_status;
    QComboBox* m_axisChoice;
    QCustomPlot* m_plot;
    QTableWidget* m_settings;
    QTableWidget* m_metrics;
};

} // namespace ft::ui
