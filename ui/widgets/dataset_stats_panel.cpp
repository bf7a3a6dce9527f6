#include "widgets/dataset_stats_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "data/dataset_stats.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/example_store.h"
#include "widgets/plot_palette.h"

namespace ft::ui {

namespace {

// The bars in the theme's highlight colour, filled half-transparent.
void colorBars(QCPBars* bars, const QPalette& palette)
{
    const QColor highlight = palette.color(QPalette::Highlight);
    bars->setPen(QPen(highlight));
    bars->setBrush(QColor(highlight.red(), highlight.green(), highlight.blue(), 140));
}

} // namespace

DatasetStatsPanel::DatasetStatsPanel(DatasetSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_progressTimer(new QTimer(this))
{
    m_compute = new QPushButton(tr("Compute"), this);
    m_compute->setObjectName(QStringLiteral("computeStats"));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("statsSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("statsPlot"));
    m_plot->setMinimumHeight(180);
    m_plot->xAxis->setLabel(tr("tokens per example")); // short enough for the narrow side panel
    m_plot->setToolTip(tr("How many examples have how many tokens, prompt and response together"));
    m_plot->yAxis->setLabel(tr("examples"));
    applyPaletteToPlot(m_plot, palette());
    auto* row = new QHBoxLayout;
    row->addWidget(m_compute);
    row->addWidget(m_progress, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_summary);
    layout->addWidget(m_plot, 1);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_control)
            m_progress->setValue(m_control->permille());
    });
    connect(m_compute, &QPushButton::clicked, this, [this] {
        if (m_control)
            m_control->cancelled = true;
        else
            compute();
    });
    clear({});
}

void DatasetStatsPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPaletteToPlot(m_plot, palette());
        if (auto* bars = m_plot->plottableCount() > 0 ? qobject_cast<QCPBars*>(m_plot->plottable(0)) : nullptr)
            colorBars(bars, palette());
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QWidget::changeEvent(event);
}

DatasetStatsPanel::~DatasetStatsPanel()
{
    if (m_control)
        m_control->cancelled = true;
}

void DatasetStatsPanel::setDataset(qint64 datasetId)
{
    if (m_control)
        m_control->cancelled = true;
    m_datasetId = datasetId;
    clear({});
}

void DatasetStatsPanel::setTokenSetup(const TokenSetup& setup)
{
    m_setup = setup;
    if (!m_control)
        clear({});
}

void DatasetStatsPanel::clear(const QString& message)
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_cutOff = 0;
    m_plot->replot();
    m_summary->setText(!message.isEmpty() ? message
                       : m_setup.valid() ? tr("Compute tokenizes the whole dataset with the chosen model and template.")
                                         : tr("Choose a model under \"Tokens for\" to count tokens."));
    updateButton();
}

void DatasetStatsPanel::updateButton()
{
    m_compute->setText(m_control ? tr("Cancel") : tr("Compute"));
    m_compute->setEnabled(m_control || (m_setup.valid() && m_datasetId > 0 && m_session->isOpen()));
}

int DatasetStatsPanel::barCount() const
{
    auto* bars = m_plot->plottableCount() > 0 ? qobject_cast<QCPBars*>(m_plot->plottable(0)) : nullptr;
    return bars ? bars->data()->size() : 0;
}

void DatasetStatsPanel::compute()
{
    if (m_control || !m_setup.valid() || !m_datasetId || !m_session->isOpen())
        return;
    const QString database = m_session->databasePath();
    const qint64 datasetId = m_datasetId;
    const TokenSetup setup = m_setup;
    m_progress->setValue(0);
    m_progress->show();
    m_control = startTask<DatasetStatistics>(
        this, m_session->pool(),
        [database, datasetId, setup](TaskControl& control) {
            std::vector<ExampleRecord> records;
            std::vector<QStringList> tags;
            for (const StoredExample& example : ExampleStore(threadConnection(database)).examples(datasetId)) {
                records.push_back(example.record);
                tags.push_back(example.tags);
            }
            return computeStatistics(records, tags, *setup.tokenizer, setup.promptTemplate, setup.contextLength, 40,
                                     control.callback());
        },
        [this, setup](TaskOutcome<DatasetStatistics> outcome) {
            m_control.reset();
            m_progressTimer->stop();
            m_progress->hide();
            if (!outcome.value || outcome.value->cancelled) {
                clear(outcome.value || outcome.cancelled ? tr("Cancelled.")
                                                         : tr("Statistics failed: %1").arg(outcome.error));
                return;
            }
            const DatasetStatistics& stats = *outcome.value;
            clear({});
            QString text =
                tr("%L1 examples (%L2 multi-turn), template %3. Tokens per example: mean %4, median %L5, 95%: %L6, "
                   "max %L7; prompts %L8, responses %L9 tokens in all.")
                    .arg(stats.examples)
                    .arg(stats.multiTurn)
                    .arg(setup.promptTemplate.name)
                    .arg(stats.combined.mean, 0, 'f', 1)
                    .arg(stats.combined.median)
                    .arg(stats.combined.p95)
                    .arg(stats.combined.max)
                    .arg(stats.prompt.total)
                    .arg(stats.response.total);
            if (setup.contextLength > 0)
                text += tr(" %L1 example(s) are longer than the context of %L2 tokens and would be cut off.")
                            .arg(stats.overMaxLength)
                            .arg(setup.contextLength);
            m_summary->setText(text);
            const Histogram& histogram = stats.combinedHistogram;
            if (!histogram.counts.empty()) {
                auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
                bars->setName(tr("examples"));
                colorBars(bars, palette());
                const double width = histogram.edges[1] - histogram.edges[0];
                bars->setWidth(width);
                QVector<double> keys, values;
                for (size_t i = 0; i < histogram.counts.size(); ++i) {
                    keys << (histogram.edges[i] + histogram.edges[i + 1]) / 2;
                    values << double(histogram.counts[i]);
                }
                bars->setData(keys, values, true);
                double top = 1;
                for (const double v : values)
                    top = std::max(top, v);
                double right = histogram.edges.back();
                if (setup.contextLength > 0) {
                    m_cutOff = double(setup.contextLength);
                    auto* line = new QCPItemStraightLine(m_plot);
                    line->point1->setCoords(m_cutOff, 0);
                    line->point2->setCoords(m_cutOff, 1);
                    line->setPen(QPen(QColor(192, 57, 43), 1.5, Qt::DashLine));
                    auto* label = new QCPItemText(m_plot);
                    label->position->setCoords(m_cutOff, top * 1.05);
                    label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
                    label->setText(tr("context %1 ").arg(setup.contextLength));
                    label->setColor(QColor(192, 57, 43));
                    right = std::max(right, m_cutOff * 1.05);
                }
                m_plot->xAxis->setRange(std::min(0.0, histogram.edges.front()), right);
                m_plot->yAxis->setRange(0, top * 1.15);
            }
            m_plot->replot();
            updateButton();
            emit computed();
        });
    m_session->track(m_control); // cancelled when the workspace closes
    m_progressTimer->start();
    updateButton();
}

} // namespace ft::ui
