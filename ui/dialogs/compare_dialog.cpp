#include "dialogs/compare_dialog.h"

#include <algorithm>

#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "common/atomic_write.h"
#include "common/error.h"
#include "runs/store_thread.h"
#include "widgets/plot_palette.h"

namespace ft::ui {

namespace {

// Distinct colours that read on light and dark backgrounds (Okabe–Ito, then a few more).
QColor runColour(int index)
{
    static const QColor colours[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                     QColor(0xcc, 0x79, 0xa7), QColor(0xd5, 0x5e, 0x00), QColor(0x56, 0xb4, 0xe9),
                                     QColor(0xf0, 0xe4, 0x42), QColor(0x99, 0x99, 0x99)};
    return colours[index % 8];
}

QVector<double> toVector(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

} // namespace

CompareDialog::CompareDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                             QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("compareDialog"));
    setWindowTitle(tr("Compare %n run(s)", nullptr, static_cast<int>(runIds.size())));
    m_status = new QLabel(tr("Loading…"), this);
    m_axisChoice = new QComboBox(this);
    m_axisChoice->setObjectName(QStringLiteral("compareAxis"));
    m_axisChoice->addItems({tr("Step"), tr("Tokens seen"), tr("Training time (s)")});
    auto* saveChart = new QPushButton(tr("Save chart…"), this);
    saveChart->setObjectName(QStringLiteral("compareSaveChart"));
    auto* saveCsv = new QPushButton(tr("Save tables as CSV…"), this);
    saveCsv->setObjectName(QStringLiteral("compareSaveCsv"));
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("comparePlot"));
    applyPaletteToPlot(m_plot, palette());
    m_plot->setMinimumHeight(260);
    m_plot->legend->setVisible(true);
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_settings = new QTableWidget(this);
    m_settings->setObjectName(QStringLiteral("compareSettings"));
    m_metrics = new QTableWidget(this);
    m_metrics->setObjectName(QStringLiteral("compareMetrics"));
    for (QTableWidget* table : {m_settings, m_metrics}) {
        // Every run's column in view, sharing the width: a long value is shortened in its middle (a path
        // keeps its file name) and read whole in its tool tip.
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
        // Sections stretch whenever the table's width changes; the names are fitted again each time (queued:
        // after the header has laid its sections out).
        table->viewport()->installEventFilter(this);
        table->setTextElideMode(Qt::ElideMiddle);
        table->setWordWrap(false);
    }

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("x axis:"), this));
    bar->addWidget(m_axisChoice);
    bar->addWidget(m_status, 1);
    bar->addWidget(saveChart);
    bar->addWidget(saveCsv);
    auto* tables = new QSplitter(Qt::Horizontal, this);
    auto* settingsBox = new QWidget(tables);
    auto* settingsLayout = new QVBoxLayout(settingsBox);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addWidget(new QLabel(tr("<b>Settings that differ</b>"), settingsBox));
    settingsLayout->addWidget(m_settings);
    auto* metricsBox = new QWidget(tables);
    auto* metricsLayout = new QVBoxLayout(metricsBox);
    metricsLayout->setContentsMargins(0, 0, 0, 0);
    metricsLayout->addWidget(new QLabel(tr("<b>Final metrics</b>"), metricsBox));
    metricsLayout->addWidget(m_metrics);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_plot);
    split->addWidget(tables);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    resize(1000, 660); // within the smallest screen the studio supports (1024×680)

    connect(m_axisChoice, &QComboBox::currentIndexChanged, this,
            [this](int index) { setAxis(static_cast<CompareAxis>(index)); });
    connect(saveChart, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), QStringLiteral("runs.png"),
                                                          tr("PNG image (*.png);;PDF (*.pdf)"));
        if (path.isEmpty())
            return;
        if (const QString error = exportChart(path); !error.isEmpty())
            QMessageBox::warning(this, tr("Save chart"), error);
    });
    connect(saveCsv, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save tables"), QStringLiteral("runs.csv"), tr("CSV (*.csv)"));
        if (path.isEmpty())
            return;
        if (const QString error = exportCsv(path); !error.isEmpty())
            QMessageBox::warning(this, tr("Save tables"), error);
    });

    store->post(
        this, [workspacePath, runIds] { return loadCompareData(workspacePath, runIds); },
        [this](CompareData data, const QString& error) { apply(std::move(data), error); });
}

void CompareDialog::apply(CompareData data, const QString& error)
{
    if (!error.isEmpty()) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.toHtmlEscaped()));
        emit loaded(error);
        return;
    }
    m_data = std::move(data);
    m_loaded = true;
    m_status->setText(tr("%n setting(s) differ", nullptr, static_cast<int>(m_data.differences.size())));
    fillPlot();
    fillTables();
    emit loaded(QString());
}

void CompareDialog::setAxis(CompareAxis axis)
{
    m_axis = axis;
    if (m_axisChoice->currentIndex() != static_cast<int>(axis))
        m_axisChoice->setCurrentIndex(static_cast<int>(axis));
    if (m_loaded)
        fillPlot();
}

void CompareDialog::fillPlot()
{
    m_plot->clearGraphs();
    for (size_t r = 0; r < m_data.runs.size(); ++r) {
        const ComparedRun& run = m_data.runs[r];
        const QColor colour = runColour(static_cast<int>(r));
        auto addCurve = [&](const MetricSeries& series, bool validation) {
            std::vector<bool> keep;
            const std::vector<double> x = alignedX(run, series, m_axis, keep);
            std::vector<double> y;
            for (size_t i = 0; i < series.values.size(); ++i)
                if (keep[i])
                    y.push_back(series.values[i]);
            QCPGraph* graph = m_plot->addGraph();
            graph->setName(validation ? tr("#%1 %2 (val)").arg(run.info.id).arg(run.info.name)
                                      : tr("#%1 %2").arg(run.info.id).arg(run.info.name));
            QPen pen(colour, 1.0);
            pen.setCosmetic(true);
            if (validation) {
                pen.setStyle(Qt::DashLine);
                graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
            }
            graph->setPen(pen);
            graph->setData(toVector(x), toVector(y), /*alreadySorted=*/true);
        };
        addCurve(run.loss, false);
        if (!run.valLoss.steps.empty())
            addCurve(run.valLoss, true);
    }
    static const char* labels[] = {"step", "tokens seen", "training time (s)"};
    m_plot->xAxis->setLabel(tr(labels[static_cast<int>(m_axis)]));
    m_plot->rescaleAxes();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CompareDialog::fillTables()
{
    QStringList runNames;
    for (const ComparedRun& run : m_data.runs)
        runNames << QStringLiteral("#%1 %2").arg(run.info.id).arg(run.info.name);
    auto nameHeaders = [this, &runNames](QTableWidget* table) {
        for (int c = 0; c < runNames.size(); ++c) {
            auto* item = new QTableWidgetItem(runNames[c]);
            item->setToolTip(runNames[c]);
            table->setHorizontalHeaderItem(c, item);
        }
        fitHeaders(table);
    };
    const QColor highlight(0xf3, 0x9c, 0x12, 70);
    m_settings->clear();
    m_settings->setColumnCount(static_cast<int>(runNames.size()));
    nameHeaders(m_settings);
    m_settings->setRowCount(static_cast<int>(m_data.differences.size()));
    QStringList keys;
    for (int row = 0; row < static_cast<int>(m_data.differences.size()); ++row) {
        const SettingRow& setting = m_data.differences[static_cast<size_t>(row)];
        keys << setting.key;
        for (int c = 0; c < setting.values.size(); ++c) {
            auto* item = new QTableWidgetItem(setting.values[c]);
            // Every value here differs from another run's; the ones unlike the first run's stand out.
            if (c > 0 && setting.values[c] != setting.values[0])
                item->setBackground(highlight);
            item->setToolTip(setting.values[c]);
            m_settings->setItem(row, c, item);
        }
    }
    m_settings->setVerticalHeaderLabels(keys);
    m_metrics->clear();
    m_metrics->setColumnCount(static_cast<int>(runNames.size()));
    nameHeaders(m_metrics);
    m_metrics->setRowCount(static_cast<int>(m_data.metricNames.size()));
    m_metrics->setVerticalHeaderLabels(m_data.metricNames);
    for (int row = 0; row < m_data.metricNames.size(); ++row)
        for (int c = 0; c < m_data.metricValues[static_cast<size_t>(row)].size(); ++c)
            m_metrics->setItem(row, c, new QTableWidgetItem(m_data.metricValues[static_cast<size_t>(row)][c]));
}

bool CompareDialog::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::Resize)
        for (QTableWidget* table : {m_settings, m_metrics})
            if (watched == table->viewport())
                QTimer::singleShot(0, this, [this, table] { fitHeaders(table); });
    return QDialog::eventFilter(watched, event);
}

// The run columns share the width: each header shows its run's name shortened to the section ("…"), the
// whole name in its tool tip. Run again whenever the sections change size.
void CompareDialog::fitHeaders(QTableWidget* table)
{
    QHeaderView* header = table->horizontalHeader();
    const int margins = 2 * header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header) + 2;
    for (int c = 0; c < table->columnCount(); ++c)
        if (QTableWidgetItem* item = table->horizontalHeaderItem(c)) {
            const QString shown = header->fontMetrics().elidedText(item->toolTip(), Qt::ElideRight,
                                                                   header->sectionSize(c) - margins);
            if (item->text() != shown)
                item->setText(shown);
        }
}

QString CompareDialog::exportChart(const QString& path)
{
    if (!m_loaded)
        return tr("the runs are still loading");
    const bool ok = path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive) ? m_plot->savePdf(path, 1000, 600)
                                                                              : m_plot->savePng(path, 1000, 600);
    return ok ? QString() : tr("could not write %1").arg(path);
}

QString CompareDialog::exportCsv(const QString& path)
{
    if (!m_loaded)
        return tr("the runs are still loading");
    try {
        writeFileAtomically(path, compareCsv(m_data));
        return {};
    } catch (const Error& error) {
        return error.message();
    }
}

} // namespace ft::ui
