#include "dialogs/sweep_dialog.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "common/error.h"
#include "runs/run_queue.h"

namespace ft::ui {

namespace {

enum Column { Index, Settings, Status, Objective, BestStep, Metric, Run, ColumnCount };

// A starting point: the learning rate around the form's, and the LoRA rank for adapter runs.
QString suggestedParameters(const TrainConfig& base)
{
    const double lr = base.learningRate;
    QString text =
        QStringLiteral("learning_rate=%1, %2, %3")
            .arg(QString::number(lr / 3, 'g', 3), QString::number(lr, 'g', 3), QString::number(lr * 3, 'g', 3));
    if (base.trainable == QLatin1String("lora"))
        text += QStringLiteral("\nlora_rank=8, 16");
    return text;
}

} // namespace

SweepDialog::SweepDialog(RunQueue* queue, QWidget* parent)
    : QDialog(parent)
    , m_queue(queue)
{
    setObjectName(QStringLiteral("sweepDialog"));
    setWindowTitle(tr("Sweep"));
    m_parameters = new QPlainTextEdit(this);
    m_parameters->setObjectName(QStringLiteral("sweepParameters"));
    m_parameters->setToolTip(tr("One setting a line with the values to try, e.g. \"learning_rate=1e-4, 3e-4\" or "
                                "\"lora_rank=8, 16\" (short names: lr, r, alpha, dropout, warmup, batch, wd)"));
    m_parameters->setMaximumHeight(90);
    m_method = new QComboBox(this);
    m_method->setObjectName(QStringLiteral("sweepMethod"));
    m_method->addItem(tr("every combination (grid)"), QStringLiteral("grid"));
    m_method->addItem(tr("random combinations"), QStringLiteral("random"));
    m_maxTrials = new QSpinBox(this);
    m_maxTrials->setObjectName(QStringLiteral("sweepTrials"));
    m_maxTrials->setRange(0, 1000);
    m_maxTrials->setSpecialValueText(tr("all (random: 8)"));
    m_steps = new QSpinBox(this);
    m_steps->setObjectName(QStringLiteral("sweepSteps"));
    m_steps->setRange(0, 100000000);
    m_steps->setSpecialValueText(tr("as the settings say"));
    m_steps->setToolTip(tr("Optimizer steps per trial: short trials find the good region quickly"));
    m_pruning = new QCheckBox(tr("Stop clearly worse trials early (median rule)"), this);
    m_pruning->setObjectName(QStringLiteral("sweepPruning"));
    m_pruning->setChecked(true);
    m_pruning->setToolTip(
        tr("At each evaluation, a trial whose validation loss is worse than the median of the finished "
           "trials at the same step stops there"));
    m_objective = new QComboBox(this);
    m_objective->setObjectName(QStringLiteral("sweepObjective"));
    m_objective->addItem(tr("lowest validation loss"), QStringLiteral("val_loss"));
    m_objective->addItem(tr("highest ROUGE-L"), QStringLiteral("rouge-l"));
    m_objective->addItem(tr("highest BLEU"), QStringLiteral("bleu"));
    m_objective->addItem(tr("highest token F1"), QStringLiteral("f1"));
    m_objective->addItem(tr("highest exact match"), QStringLiteral("exact-match"));
    m_objective->setToolTip(tr("What picks the best trial. A metric is measured after each finished trial by "
                               "evaluating its best checkpoint (generated answers against the references)"));
    m_objectiveExamples = new QSpinBox(this);
    m_objectiveExamples->setObjectName(QStringLiteral("sweepObjectiveExamples"));
    m_objectiveExamples->setRange(0, 1000000);
    m_objectiveExamples->setValue(SweepSpec().objectiveExamples);
    m_objectiveExamples->setSpecialValueText(tr("all"));
    m_objectiveExamples->setSuffix(tr(" validation examples"));
    m_objectiveExamples->setToolTip(tr("The first N validation examples each trial answers for the metric: more "
                                       "is steadier and slower"));
    m_objectiveExamples->setEnabled(false);
    connect(m_objective, &QComboBox::currentIndexChanged, this, [this] {
        m_objectiveExamples->setEnabled(m_objective->currentData().toString() != QLatin1String("val_loss"));
    });
    auto* objectiveRow = new QHBoxLayout;
    objectiveRow->addWidget(m_objective, 1);
    objectiveRow->addWidget(new QLabel(tr("on"), this));
    objectiveRow->addWidget(m_objectiveExamples, 1);
    m_parallel = new QSpinBox(this);
    m_parallel->setObjectName(QStringLiteral("sweepParallel"));
    m_parallel->setRange(1, 16);
    m_parallel->setToolTip(tr("Trials trained side by side, at most: fewer when the memory estimate says they do "
                              "not fit together; Settings ▸ Runs at once also limits them"));
    auto* form = new QFormLayout;
    form->addRow(tr("Values to try:"), m_parameters);
    form->addRow(tr("Trials:"), m_method);
    form->addRow(tr("At most:"), m_maxTrials);
    form->addRow(tr("Steps per trial:"), m_steps);
    form->addRow(tr("At once:"), m_parallel);
    form->addRow(tr("Best trial:"), objectiveRow);
    form->addRow(QString(), m_pruning);

    m_start = new QPushButton(tr("Start sweep"), this);
    m_start->setObjectName(QStringLiteral("sweepStart"));
    m_start->setDefault(true);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("sweepStop"));
    m_stop->setToolTip(tr("Stop the running trial and start no more; Resume… goes on later"));
    m_resume = new QPushButton(tr("Resume…"), this);
    m_resume->setObjectName(QStringLiteral("sweepResume"));
    m_resume->setToolTip(tr("Go on with a sweep folder (runs/sweeps/...): finished trials are kept"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("sweepStatus"));
    m_status->setWordWrap(true);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_status, 1);

    m_trials = new QTableWidget(0, ColumnCount, this);
    m_trials->setObjectName(QStringLiteral("sweepTrialsTable"));
    m_trials->setHorizontalHeaderLabels(
        {tr("#"), tr("Settings"), tr("Status"), tr("Best val loss"), tr("At step"), tr("Metric"), tr("Run")});
    m_trials->verticalHeader()->setVisible(false);
    m_trials->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_trials->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trials->setWordWrap(false); // a run folder's name is elided, whole in its tool tip
    m_trials->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_trials->horizontalHeader()->setSectionResizeMode(Settings, QHeaderView::Stretch);
    m_trials->horizontalHeader()->setSectionResizeMode(Run, QHeaderView::Interactive);
    m_chart = new QCustomPlot(this);
    m_chart->setObjectName(QStringLiteral("sweepChart"));
    m_chart->setMinimumSize(260, 200);
    m_chart->yAxis->setLabel(tr("best val loss"));
    // Which swept setting the chart's x axis shows (the first, until another is chosen).
    m_chartSetting = new QComboBox(this);
    m_chartSetting->setObjectName(QStringLiteral("sweepChartSetting"));
    m_chartSetting->setToolTip(tr("The swept setting on the chart's horizontal axis"));
    connect(m_chartSetting, &QComboBox::activated, this, [this] { showRecord(); });
    auto* chartPane = new QWidget(this);
    auto* chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    auto* chartRow = new QHBoxLayout;
    chartRow->addWidget(new QLabel(tr("Against"), chartPane));
    chartRow->addWidget(m_chartSetting, 1);
    chartLayout->addLayout(chartRow);
    chartLayout->addWidget(m_chart, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_trials);
    split->addWidget(chartPane);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    m_best = new QLabel(this);
    m_best->setObjectName(QStringLiteral("sweepBest"));
    m_best->setWordWrap(true);
    m_openBest = new QPushButton(tr("Open in Monitor"), this);
    m_chatBest = new QPushButton(tr("Chat in Playground"), this);
    m_chatBest->setObjectName(QStringLiteral("sweepChatBest"));
    m_exportBest = new QPushButton(tr("Export GGUF…"), this);
    auto* best = new QHBoxLayout;
    best->addWidget(m_best, 1);
    best->addWidget(m_openBest);
    best->addWidget(m_chatBest);
    best->addWidget(m_exportBest);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);
    layout->addLayout(best);
    resize(980, 620);

    connect(m_start, &QPushButton::clicked, this, &SweepDialog::start);
    connect(m_stop, &QPushButton::clicked, this, &SweepDialog::stop);
    connect(m_resume, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Resume a sweep"),
                                                                 QDir(m_runsFolder).filePath(QStringLiteral("sweeps")));
        if (!folder.isEmpty())
            resume(folder);
    });
    connect(m_openBest, &QPushButton::clicked, this, [this] { emit openRunRequested(bestRunDir()); });
    connect(m_chatBest, &QPushButton::clicked, this, [this] {
        const QString run = bestRunDir();
        const bool exported = QFileInfo::exists(QDir(run).filePath(QStringLiteral("export")));
        emit chatRequested(run, exported ? QStringLiteral("final") : QStringLiteral("best"));
    });
    connect(m_exportBest, &QPushButton::clicked, this, [this] { emit exportRequested(bestRunDir()); });
    updateButtons();
}

SweepDialog::~SweepDialog() = default;

void SweepDialog::setBase(const TrainConfig& base, const RunData& data, const QString& runsFolder)
{
    m_base = base;
    m_data = data;
    m_runsFolder = runsFolder;
    if (m_parameters->toPlainText().trimmed().isEmpty())
        m_parameters->setPlainText(suggestedParameters(base));
}

bool SweepDialog::start()
{
    if (isRunning())
        return false;
    try {
        SweepSpec spec;
        for (const QString& line : m_parameters->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            if (!line.trimmed().isEmpty())
                spec.parameters.push_back(parseSweepParameter(line));
        spec.method = m_method->currentData().toString();
        spec.maxTrials = m_maxTrials->value();
        spec.stepsPerTrial = m_steps->value();
        spec.pruning = m_pruning->isChecked() ? QStringLiteral("median") : QStringLiteral("none");
        spec.parallel = m_parallel->value();
        spec.objective = m_objective->currentData().toString();
        spec.objectiveExamples = m_objectiveExamples->value();
        spec.name = QStringLiteral("sweep %1").arg(m_base.mode);
        attach(SweepRecord::create(m_runsFolder, spec, m_base, m_data));
        return true;
    } catch (const Error& error) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.message().toHtmlEscaped()));
        return false;
    }
}

bool SweepDialog::resume(const QString& sweepFolder)
{
    if (isRunning())
        return false;
    try {
        attach(SweepRecord::load(sweepFolder));
        return true;
    } catch (const Error& error) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.message().toHtmlEscaped()));
        return false;
    }
}

void SweepDialog::attach(SweepRecord record)
{
    // The form shows what this sweep tries (a resumed one's own values, not the last typed ones).
    const SweepSpec& spec = record.spec();
    QStringList lines;
    for (const SweepParameter& p : spec.parameters) {
        QStringList values;
        for (const QJsonValue& v : p.values)
            values << sweepValueText(v);
        lines << QStringLiteral("%1=%2").arg(p.key, values.join(QStringLiteral(", ")));
    }
    m_parameters->setPlainText(lines.join(QLatin1Char('\n')));
    m_method->setCurrentIndex(std::max(0, m_method->findData(spec.method)));
    m_maxTrials->setValue(spec.maxTrials);
    m_steps->setValue(static_cast<int>(std::min<qint64>(spec.stepsPerTrial, m_steps->maximum())));
    m_pruning->setChecked(spec.pruning == QLatin1String("median"));
    m_parallel->setValue(spec.parallel);
    m_objective->setCurrentIndex(std::max(0, m_objective->findData(spec.objective)));
    m_objectiveExamples->setValue(spec.objectiveExamples);
    m_runner = std::make_unique<SweepRunner>(m_queue, std::move(record));
    connect(m_runner.get(), &SweepRunner::trialStarted, this, [this] { showRecord(); });
    connect(m_runner.get(), &SweepRunner::trialChanged, this, [this] { showRecord(); });
    connect(m_runner.get(), &SweepRunner::failed, this, [this](const QString& message) {
        showRecord();
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
    });
    connect(m_runner.get(), &SweepRunner::paused, this, [this] {
        showRecord();
        m_status->setText(m_status->text() + tr(" Paused: a trial was stopped; Resume… goes on with it."));
    });
    connect(m_runner.get(), &SweepRunner::finished, this, [this] {
        showRecord();
        emit finished();
    });
    m_runner->start();
    showRecord();
}

void SweepDialog::stop()
{
    if (m_runner)
        m_runner->stop();
    updateButtons();
}

QString SweepDialog::bestRunDir() const
{
    if (!m_runner)
        return {};
    const SweepRecord& record = m_runner->record();
    const std::optional<int> best = record.bestTrial();
    return best ? record.trials()[static_cast<size_t>(*best)].runDir : QString();
}

void SweepDialog::showRecord()
{
    if (!m_runner)
        return;
    const SweepRecord& record = m_runner->record();
    const std::vector<SweepTrial>& trials = record.trials();
    const std::optional<int> best = record.bestTrial();
    m_trials->setRowCount(static_cast<int>(trials.size()));
    int done = 0;
    for (size_t i = 0; i < trials.size(); ++i) {
        const SweepTrial& t = trials[i];
        done += t.isDone() ? 1 : 0;
        const QStringList texts{QString::number(t.index),
                                sweepSettingsText(t.settings),
                                t.status,
                                t.objective ? QString::number(*t.objective, 'f', 4) : QStringLiteral("–"),
                                t.bestStep ? QString::number(*t.bestStep) : QStringLiteral("–"),
                                t.metric ? QString::number(*t.metric, 'f', 4) : QStringLiteral("–"),
                                QFileInfo(t.runDir).fileName()};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(texts[c]);
            if (c == Status && !t.message.isEmpty())
                item->setToolTip(t.message);
            if (c == Run)
                item->setToolTip(t.runDir);
            QFont font = item->font();
            font.setBold(best && static_cast<size_t>(*best) == i);
            item->setFont(font);
            m_trials->setItem(static_cast<int>(i), c, item);
        }
    }

    const SweepSpec& spec = record.spec();
    m_trials->setColumnHidden(Metric, !spec.objectiveIsEvaluation());
    m_trials->setHorizontalHeaderItem(Metric, new QTableWidgetItem(spec.objective));
    m_chart->yAxis->setLabel(spec.objectiveIsEvaluation() ? spec.objective : tr("best val loss"));

    // The objective against the chosen swept setting (log scale for rates), the best trial in its own colour.
    QStringList keys;
    for (const SweepParameter& parameter : record.spec().parameters)
        keys << parameter.key;
    QStringList listed;
    for (int i = 0; i < m_chartSetting->count(); ++i)
        listed << m_chartSetting->itemText(i);
    if (listed != keys) { // another sweep: its settings, the first chosen
        m_chartSetting->clear();
        m_chartSetting->addItems(keys);
    }
    m_chart->clearGraphs();
    const auto chosen = std::find_if(record.spec().parameters.begin(), record.spec().parameters.end(),
                                     [&](const SweepParameter& p) { return p.key == m_chartSetting->currentText(); });
    const SweepParameter* first = chosen == record.spec().parameters.end() ? nullptr : &*chosen;
    if (first) {
        const bool logScale = first->key.contains(QLatin1String("rate")) || first->key == QLatin1String("weight_decay");
        m_chart->xAxis->setScaleType(logScale ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (logScale)
            m_chart->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        else
            m_chart->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_chart->xAxis->setLabel(first->key);
        QCPGraph* all = m_chart->addGraph();
        all->setLineStyle(QCPGraph::lsNone);
        all->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 7));
        QCPGraph* top = m_chart->addGraph();
        top->setLineStyle(QCPGraph::lsNone);
        top->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QColor(0xd3, 0x54, 0x00), 12));
        for (size_t i = 0; i < trials.size(); ++i) {
            const QJsonValue x = trials[i].settings.value(first->key);
            const std::optional<double> y = record.objectiveValue(trials[i]);
            if (!y || !x.isDouble() || (logScale && x.toDouble() <= 0))
                continue; // a log axis has no place for 0 (weight decay off): the table still shows it
            all->addData(x.toDouble(), *y);
            if (best && static_cast<size_t>(*best) == i)
                top->addData(x.toDouble(), *y);
        }
        m_chart->rescaleAxes();
        m_chart->xAxis->scaleRange(1.2, m_chart->xAxis->range().center());
        m_chart->yAxis->scaleRange(1.2, m_chart->yAxis->range().center());
    }
    m_chart->replot();

    if (best) {
        const SweepTrial& t = trials[static_cast<size_t>(*best)];
        m_best->setText(tr("Best: trial %1 (%2), %3 %4")
                            .arg(t.index)
                            .arg(sweepSettingsText(t.settings))
                            .arg(spec.objectiveIsEvaluation() ? spec.objective : tr("validation loss"))
                            .arg(*record.objectiveValue(t), 0, 'f', 4));
    } else {
        m_best->setText(spec.objectiveIsEvaluation() ? tr("No trial has its %1 yet.").arg(spec.objective)
                                                     : tr("No trial has a validation loss yet."));
    }
    m_status->setText(
        isRunning()
            ? tr("%1 of %2 trials done; running. Sweep folder: %3").arg(done).arg(trials.size()).arg(record.folder())
            : tr("%1 of %2 trials done. Sweep folder: %3").arg(done).arg(trials.size()).arg(record.folder()));
    if (!m_runner->parallelReason().isEmpty()) // the memory estimate lowered (or could not check) "At once"
        m_status->setText(m_status->text() + QStringLiteral(" (") + m_runner->parallelReason() + QLatin1Char(')'));
    updateButtons();
}

void SweepDialog::updateButtons()
{
    const bool running = isRunning();
    m_start->setEnabled(!running);
    m_resume->setEnabled(!running);
    m_stop->setEnabled(running);
    const bool hasBest = !bestRunDir().isEmpty();
    m_openBest->setEnabled(hasBest);
    m_chatBest->setEnabled(hasBest);
    m_exportBest->setEnabled(
        hasBest && QFileInfo::exists(QDir(bestRunDir()).filePath(QStringLiteral("export/model/config.json"))));
}

} // namespace ft::ui
