#include "pages/train_page.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "app_settings.h"
#include "chat/model_prompt_template.h"
#include "common/error.h"
#include "contract/compute_precision.h"
#include "contract/run_folder.h"
#include "contract/train_settings_check.h"
#include "data/prompt_template.h"
#include "dialogs/sweep_dialog.h"
#include "runs/cli_task.h"
#include "runs/run_queue.h"
#include "store/database.h"
#include "ui_format.h"
#include "widgets/advanced_settings.h"
#include "widgets/data_source_picker.h"
#include "widgets/mode_selector.h"
#include "widgets/model_picker.h"
#include "widgets/prompt_preview.h"

namespace ft::ui {

namespace {

const QString kCustom = QStringLiteral("custom");

QGroupBox* section(const QString& title, QWidget* content, QWidget* parent)
{
    auto* box = new QGroupBox(title, parent);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(content);
    return box;
}

// This machine's precision for new runs. A $FT_COMPUTE_DTYPE the rule cannot read gives float32 here;
// the worker started from a shell names the mistake.
QString machineComputeDtype()
{
    try {
        return defaultComputeDtype().dtype;
    } catch (const Error&) {
        return QStringLiteral("float32");
    }
}

} // namespace

TrainPage::TrainPage(AppSettings* settings, RunQueue* queue, QWidget* parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_queue(queue)
{
    m_updateTimer = new QTimer(this);
    m_updateTimer->setSingleShot(true);
    m_updateTimer->setInterval(120);
    connect(m_updateTimer, &QTimer::timeout, this, [this] {
        validateNow();
        updateEstimate();
    });
    m_measureTimer = new QTimer(this);
    m_measureTimer->setSingleShot(true);
    m_measureTimer->setInterval(400);
    connect(m_measureTimer, &QTimer::timeout, this, [this] {
        // Token counts of the training data under this model and template, on a worker thread.
        const TrainConfig config = [this] {
            try {
                return currentConfig();
            } catch (const Error&) {
                return TrainConfig();
            }
        }();
        if (!m_modelPicker->hasModel() || !m_templateValid)
            return;
        // A workspace dataset's training split is read from the workspace directly (on the thread).
        const auto dataset = m_data->usesDataset() ? m_data->dataset() : std::nullopt;
        const QString database = m_data->databasePath();
        const QString split = m_data->trainSplit();
        if (!dataset && (m_data->usesDataset() || config.trainFile.isEmpty() || !QFileInfo(config.trainFile).isFile()))
            return;
        const QString dataKey =
            dataset ? QStringLiteral("%1#%2@%3:%4").arg(database).arg(dataset->id).arg(dataset->version).arg(split)
                    : config.trainFile + QLatin1Char('@') +
                          QString::number(QFileInfo(config.trainFile).lastModified().toMSecsSinceEpoch());
        const QString key =
            QStringList{config.model, dataKey, config.promptTemplate, config.lossOn, QString::number(config.maxLength)}
                .join(QLatin1Char('\n'));
        if (key == m_measureKey || key == m_measuringKey)
            return;
        m_measuringKey = key;
        const int generation = ++m_measureGeneration;
        auto* watcher = new QFutureWatcher<TrainingDataMeasure>(this);
        connect(watcher, &QFutureWatcher<TrainingDataMeasure>::finished, this, [this, watcher, generation, key] {
            watcher->deleteLater();
            if (generation != m_measureGeneration)
                return;
            m_measuringKey.clear();
            m_measure = watcher->result();
            m_measureKey = key;
            updatePreview(); // the data's own first example
            scheduleUpdate();
        });
        const qint64 datasetId = dataset ? dataset->id : 0;
        watcher->setFuture(QtConcurrent::run([config, database, datasetId, split]() -> TrainingDataMeasure {
            if (datasetId <= 0)
                return measureTrainingData(config.trainFile, config.model, config.promptTemplate, config.lossOn,
                                           config.maxLength, 2000);
            TrainingDataMeasure failed;
            try {
                Split chosen = Split::Train;
                splitFromName(split, &chosen);
                return measureTrainingData(threadConnection(database), datasetId, chosen, config.model,
                                           config.promptTemplate, config.lossOn, config.maxLength, 2000);
            } catch (const Error& error) { // the workspace cannot be opened
                failed.error = error.message();
            }
            return failed;
        }));
    });

    auto* content = new QWidget(this);
    auto* form = new QVBoxLayout(content);
    form->addWidget(section(tr("Base model"), buildModelSection(), content));
    form->addWidget(section(tr("Data"), buildDataSection(), content));
    form->addWidget(section(tr("Template"), buildTemplateSection(), content));
    m_modes = new ModeSelector(content);
    m_modes->setObjectName(QStringLiteral("modeSelector"));
    form->addWidget(section(tr("Mode"), m_modes, content));

    m_advancedToggle = new QToolButton(content);
    m_advancedToggle->setObjectName(QStringLiteral("advancedToggle"));
    m_advancedToggle->setText(tr("Advanced settings"));
    m_advancedToggle->setCheckable(true);
    m_advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advancedToggle->setArrowType(Qt::RightArrow);
    m_advancedToggle->setAutoRaise(true);
    m_advanced = new AdvancedSettings(content);
    m_advanced->setObjectName(QStringLiteral("advancedSettings"));
    m_advanced->setVisible(false);
    form->addWidget(m_advancedToggle);
    form->addWidget(m_advanced);
    form->addWidget(section(tr("Estimate for this machine"), buildEstimateSection(), content));
    form->addStretch(1);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    scroll->setFrameShape(QFrame::NoFrame);

    // The launch bar stays visible below the form.
    m_runName = new QLineEdit(this);
    m_runName->setObjectName(QStringLiteral("runName"));
    m_runName->setPlaceholderText(tr("run name (optional)"));
    m_runName->setMaximumWidth(260);
    m_problemLabel = new QLabel(this);
    m_problemLabel->setObjectName(QStringLiteral("launchProblem"));
    m_problemLabel->setWordWrap(true);
    m_launch = new QPushButton(tr("Launch"), this);
    m_launch->setObjectName(QStringLiteral("launchButton"));
    m_launch->setDefault(true);
    m_launch->setToolTip(tr("Prepare the run folder and start the training worker (Ctrl+L)"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Name:"), this));
    bar->addWidget(m_runName);
    bar->addWidget(m_problemLabel, 1);
    m_sweepButton = new QPushButton(tr("Sweep…"), this);
    m_sweepButton->setObjectName(QStringLiteral("sweepButton"));
    m_sweepButton->setToolTip(
        tr("Try several values of a few settings, each trial a run; the best by validation loss"));
    bar->addWidget(m_sweepButton);
    bar->addWidget(m_launch);
    m_sweep = new SweepDialog(m_queue, this);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addLayout(bar);

    connect(m_data, &DataSourcePicker::changed, this, [this] {
        scheduleUpdate();
        scheduleMeasure();
    });
    connect(m_data, &DataSourcePicker::statusMessage, this, &TrainPage::statusMessage);
    connect(m_modelPicker, &ModelPicker::modelChosen, this, &TrainPage::validateNow); // no launch while it is read
    connect(m_modelPicker, &ModelPicker::modelInspected, this, [this] {
        offerModelTemplate();
        scheduleUpdate();
        scheduleMeasure();
    });
    connect(m_modes, &ModeSelector::modeChosen, this, &TrainPage::chooseMode);
    connect(m_advancedToggle, &QToolButton::toggled, this, [this](bool open) {
        m_advanced->setVisible(open);
        m_advancedToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    connect(m_advanced, &AdvancedSettings::changed, this, [this] {
        scheduleUpdate();
        scheduleMeasure();
    });
    connect(m_launch, &QPushButton::clicked, this, &TrainPage::launch);
    connect(m_sweepButton, &QPushButton::clicked, this, &TrainPage::openSweep);
    connect(m_queue, &RunQueue::activityChanged, this, &TrainPage::updateLaunchText);

    // Start from the settings of the last launch (mode, steps, intervals, ...), else the Full preset;
    // the threads always follow this machine's setting.
    TrainConfig initial = rememberedSettings();
    initial.threads = m_settings->threads();
    setConfig(initial);
    if (!m_settings->knownModels().isEmpty())
        m_modelPicker->setModelPath(m_settings->knownModels().constFirst());
    updateLaunchText();
    validateNow();
    scheduleUpdate();
}

QWidget* TrainPage::buildModelSection()
{
    m_modelPicker = new ModelPicker(m_settings, this);
    m_modelPicker->setObjectName(QStringLiteral("modelPicker"));
    return m_modelPicker;
}

QWidget* TrainPage::buildDataSection()
{
    m_data = new DataSourcePicker(m_settings, this);
    m_data->setObjectName(QStringLiteral("dataSource"));
    return m_data;
}

QWidget* TrainPage::buildTemplateSection()
{
    auto* widget = new QWidget(this);
    auto* layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    m_template = new QComboBox(widget);
    m_template->setObjectName(QStringLiteral("templateCombo"));
    for (const QString& name : PromptTemplate::builtinNames())
        m_template->addItem(name, name);
    m_template->addItem(tr("Custom…"), kCustom);
    m_customTemplate = new QPlainTextEdit(widget);
    m_customTemplate->setObjectName(QStringLiteral("customTemplate"));
    m_customTemplate->setPlaceholderText(tr("e.g. [[{system}\\n\\n]]### Question:\\n{instruction}[[\\n\\n### "
                                            "Context:\\n{input}]]\\n\\n### Answer:\\n{response}"));
    m_customTemplate->setToolTip(tr("A format with {system}, {instruction}, {input} and {response}, or the path of a "
                                    "Jinja chat template file (.jinja) rendered as a model's own template is"));
    m_customTemplate->setMaximumHeight(80);
    m_customTemplate->setVisible(false);
    m_templateStatus = new QLabel(widget);
    m_templateStatus->setObjectName(QStringLiteral("templateStatus"));
    m_templateStatus->setWordWrap(true);
    m_templateStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview = new QTextBrowser(widget);
    m_preview->setObjectName(QStringLiteral("templatePreview"));
    m_preview->setMaximumHeight(110);
    m_preview->setToolTip(
        tr("An example formatted with this template; the highlighted part carries the loss in instruction tuning"));
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Format:"), widget));
    row->addWidget(m_template);
    row->addStretch(1);
    layout->addLayout(row);
    layout->addWidget(m_customTemplate);
    layout->addWidget(m_templateStatus);
    layout->addWidget(m_preview);
    connect(m_template, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrainPage::onTemplateChanged);
    connect(m_template, qOverload<int>(&QComboBox::activated), this, [this] { m_templateChosen = true; });
    connect(m_customTemplate, &QPlainTextEdit::textChanged, this, &TrainPage::onTemplateChanged);
    return widget;
}

QWidget* TrainPage::buildEstimateSection()
{
    auto* widget = new QWidget(this);
    auto* layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    m_estimateText = new QLabel(widget);
    m_estimateText->setObjectName(QStringLiteral("estimateText"));
    m_estimateText->setWordWrap(true);
    m_estimateText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_estimateWarning = new QLabel(widget);
    m_estimateWarning->setObjectName(QStringLiteral("estimateWarning"));
    m_estimateWarning->setWordWrap(true);
    m_estimateWarning->setVisible(false);
    m_measureButton = new QPushButton(tr("Measure this machine"), widget);
    m_measureButton->setObjectName(QStringLiteral("measureButton"));
    m_measureButton->setToolTip(
        tr("Runs 'ftstudio-cli bench sgemm' once (a second or two) to learn this machine's matrix-multiply speed"));
    auto* row = new QHBoxLayout;
    row->addWidget(m_estimateText, 1);
    row->addWidget(m_measureButton, 0, Qt::AlignTop);
    layout->addLayout(row);
    layout->addWidget(m_estimateWarning);
    connect(m_measureButton, &QPushButton::clicked, this, &TrainPage::measureThroughput);
    return widget;
}

void TrainPage::setTrainFile(const QString& path) { m_data->setTrainFile(path); }

void TrainPage::setDefaultThreads(int previous, int threads)
{
    if (auto* spin = qobject_cast<QSpinBox*>(m_advanced->field(QStringLiteral("threads")));
        spin && spin->value() == previous)
        spin->setValue(threads);
}
void TrainPage::setValFile(const QString& path) { m_data->setValFile(path); }

void TrainPage::setWorkspaceDatabase(const QString& databasePath) { m_data->setDatabasePath(databasePath); }
void TrainPage::refreshDatasets() { m_data->refreshDatasets(); }
void TrainPage::useDataset(qint64 datasetId) { m_data->chooseDataset(datasetId); }

QString TrainPage::templateText() const
{
    const QString name = m_template->currentData().toString();
    if (name != kCustom)
        return name;
    // A path to a .jinja chat template file, or a custom format
    const QString text = m_customTemplate->toPlainText();
    return PromptTemplate::isChatTemplateFile(text.trimmed()) ? text.trimmed() : text;
}

void TrainPage::onTemplateChanged()
{
    const bool custom = m_template->currentData().toString() == kCustom;
    m_customTemplate->setVisible(custom);
    m_templateValid = true;
    m_format.reset();
    QString status;
    try {
        // Read and checked once (a model's or a file's template is parsed: errors name the line); the preview
        // uses it. A custom format goes through custom(), whose errors name the bad placeholder.
        const QString text = templateText();
        m_format = custom && !PromptTemplate::isChatTemplateFile(text)
                       ? PromptTemplate::custom(text)
                       : resolvePromptTemplate(text, m_modelPicker->modelPath());
        status = custom ? tr("<span style='color:#27ae60'>Template is valid.</span>") : QString();
    } catch (const Error& error) {
        m_templateValid = false;
        status = QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.message().toHtmlEscaped());
    }
    m_templateStatus->setText(status);
    m_templateStatus->setVisible(!status.isEmpty());
    updatePreview();
    scheduleUpdate();
    scheduleMeasure();
}

void TrainPage::updatePreview()
{
    if (!m_templateValid || !m_format) {
        m_preview->setHtml(QString());
        return;
    }
    try {
        // The first example of the chosen training data once it has been read, else a made-up one.
        ExampleRecord record;
        if (m_measure.ok && m_measure.firstRecord) {
            record = *m_measure.firstRecord;
        } else {
            record.instruction = tr("Name the three primary colors.");
            record.response = tr("Red, yellow and blue.");
        }
        m_preview->setHtml(promptPreviewHtml(*m_format, record));
        // Scrolled to where the answer begins: the part that carries the loss is what to check.
        const QString answer = record.isMultiTurn() ? record.turns.back().content : record.response;
        const QString start = answer.trimmed().section(QLatin1Char('\n'), 0, 0).left(40);
        QTextDocument* document = m_preview->document();
        const QTextCursor found = start.isEmpty() ? QTextCursor()
                                                  : document->find(start, document->characterCount() - 1,
                                                                   QTextDocument::FindBackward); // the last answer
        if (!found.isNull()) {
            QTextCursor at = found;
            at.clearSelection();
            m_preview->setTextCursor(at);
            m_preview->ensureCursorVisible();
        }
    } catch (const Error& error) { // a chat template may refuse the conversation (raise_exception)
        m_preview->setPlainText(error.message());
    }
}

void TrainPage::chooseMode(const QString& mode)
{
    TrainConfig config;
    try {
        config = currentConfig();
    } catch (const Error&) {
        config.model = m_modelPicker->modelPath();
        if (!m_data->usesDataset()) {
            config.trainFile = m_data->trainFile();
            config.valFile = m_data->valFile();
        }
        config.promptTemplate = templateText();
    }
    config.applyModePreset(mode);
    m_mode = mode;
    m_modes->setMode(mode);
    m_advanced->setConfig(config);
    scheduleUpdate();
    scheduleMeasure();
}

TrainConfig TrainPage::currentConfig() const
{
    TrainConfig base;
    base.mode = m_mode;
    base.model = m_modelPicker->modelPath();
    if (!m_data->usesDataset()) { // a dataset's files are written into the run folder by the worker
        base.trainFile = m_data->trainFile();
        base.valFile = m_data->valFile();
    }
    base.promptTemplate = templateText();
    return m_advanced->config(base);
}

void TrainPage::setConfig(const TrainConfig& config)
{
    m_mode = config.mode;
    m_modes->setMode(config.mode);
    m_advanced->setConfig(config);
    if (!config.model.isEmpty() && config.model != m_modelPicker->modelPath())
        m_modelPicker->setModelPath(config.model);
    if (!config.trainFile.isEmpty()) { // e.g. a cloned run's frozen data files
        m_data->setTrainFile(config.trainFile);
        m_data->setValFile(config.valFile);
    }
    if (config.promptTemplate == PromptTemplate::modelTemplateName() &&
        m_template->findData(config.promptTemplate) < 0) // the model is inspected later; withdrawn if it has none
        m_template->insertItem(0, tr("model (its own chat template)"), PromptTemplate::modelTemplateName());
    const int builtin = m_template->findData(config.promptTemplate);
    if (builtin >= 0) {
        m_template->setCurrentIndex(builtin);
    } else {
        m_template->setCurrentIndex(m_template->findData(kCustom));
        m_customTemplate->setPlainText(config.promptTemplate);
    }
    onTemplateChanged();
}

QString TrainPage::defaultRunName(const TrainConfig& config, const std::optional<DatasetInfo>& dataset)
{
    // "instruction · stories260K · alpaca v3": what the run is, at a glance in the history.
    const QString model = modelDisplayName(QDir::cleanPath(config.model));
    const QString data = dataset ? QStringLiteral("%1 v%2").arg(dataset->name).arg(dataset->version)
                                 : QFileInfo(config.trainFile).completeBaseName();
    QStringList parts{config.mode};
    for (const QString& part : {model, data})
        if (!part.isEmpty())
            parts << part;
    return parts.join(QStringLiteral(" · "));
}

void TrainPage::offerModelTemplate()
{
    const QString name = PromptTemplate::modelTemplateName();
    const bool has = m_modelPicker->hasChatTemplate(); // read with the folder, off the GUI thread
    const int index = m_template->findData(name);
    if (has && index < 0) {
        m_template->insertItem(0, tr("model (its own chat template)"), name);
        m_template->setItemData(0,
                                tr("The chat template the model folder ships (tokenizer_config.json or "
                                   "chat_template.jinja); the loss falls on its assistant turns"),
                                Qt::ToolTipRole);
        if (!m_templateChosen)
            m_template->setCurrentIndex(0);
    } else if (!has && index >= 0) {
        const bool selected = m_template->currentIndex() == index;
        m_template->removeItem(index);
        if (selected)
            m_template->setCurrentIndex(m_template->findData(QStringLiteral("alpaca")));
    } else if (has && templateText() == name) {
        onTemplateChanged(); // another model's template: validate and preview it
    }
}

void TrainPage::scheduleUpdate() { m_updateTimer->start(); }
void TrainPage::scheduleMeasure() { m_measureTimer->start(); }

bool TrainPage::canLaunch() const { return m_problem.isEmpty(); }

void TrainPage::validateNow()
{
    QString problem;
    TrainConfig config;
    if (m_modelPicker->modelPath().isEmpty())
        problem = tr("Choose a base model.");
    else if (m_modelPicker->isInspecting())
        problem = tr("Reading the model…");
    else if (!m_modelPicker->hasModel())
        problem = tr("The base model cannot be used: %1").arg(m_modelPicker->error());
    else if (!m_templateValid)
        problem = tr("Fix the template.");
    // Several processes each read the data themselves, and only one of them opens the workspace.
    try {
        const int processes = currentConfig().processes;
        m_data->setDatasetRefusal(processes > 1
                                      ? tr("Training in %1 processes reads data files only (each process reads them; "
                                           "only the first opens the workspace): choose Files, e.g. the dataset's "
                                           "splits written by Export… on the Datasets page.")
                                            .arg(processes)
                                      : QString());
    } catch (const Error&) {
    }
    if (problem.isEmpty())
        problem = m_data->problem();
    if (problem.isEmpty()) {
        try {
            config = currentConfig();
            if (m_data->usesDataset())
                validateTrainSettings(config);
            else
                config.validate();
        } catch (const Error& error) {
            problem = error.message();
        }
    }
    m_problem = problem;
    m_problemLabel->setText(problem.isEmpty()
                                ? QString()
                                : QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(problem.toHtmlEscaped()));
    m_launch->setEnabled(problem.isEmpty());
}

void TrainPage::updateEstimate()
{
    if (!m_modelPicker->hasModel()) {
        m_estimateText->setText(tr("Choose a model to see how much memory and time the run needs."));
        m_estimateWarning->setVisible(false);
        return;
    }
    TrainConfig config;
    try {
        config = currentConfig();
    } catch (const Error& error) {
        m_estimateText->setText(error.message());
        return;
    }
    ResourceEstimateOptions options;
    options.sgemmGflops = m_settings->sgemmGflops(m_settings->threads());
    options.bf16Gflops = m_settings->bf16Gflops(m_settings->threads());
    const bool measured = m_measure.ok && !m_measureKey.isEmpty();
    if (measured) {
        const bool sharedValidation =
            m_data->usesDataset() ? m_data->valSplit() == QLatin1String("none") : config.valFile.isEmpty();
        applyMeasuredData(&options, m_measure, config, sharedValidation);
    }
    m_estimate = estimateResources(m_modelPicker->folder()->config, config, options);
    const ResourceEstimate& e = m_estimate;
    QString text =
        tr("<b>Memory: about %1</b> — weights %2, gradients %3, optimizer %4, activations %5, output head %6, "
           "step temporaries %7, runtime %8. %9 of %10 parameters train.")
            .arg(formatBytes(e.totalBytes()), formatBytes(e.weightBytes), formatBytes(e.gradientBytes),
                 formatBytes(e.optimizerBytes), formatBytes(e.activationBytes), formatBytes(e.logitsBytes),
                 formatBytes(e.temporaryBytes), formatBytes(e.runtimeBytes),
                 formatCount(static_cast<double>(e.trainableParameters)))
            .arg(formatCount(static_cast<double>(e.totalParameters)));
    if (e.machineMemoryBytes > 0)
        text += tr(" This machine has %1.").arg(formatBytes(static_cast<double>(e.machineMemoryBytes)));
    text += QStringLiteral("<br>");
    if (std::isfinite(e.seconds))
        text +=
            tr("<b>Time: about %1</b> for %2 steps of up to %3 tokens (%4 tokens, %5 GFLOP per token at %6 GFLOP/s%7).")
                .arg(formatDuration(e.seconds))
                .arg(e.totalSteps)
                .arg(e.tokensPerStep)
                .arg(formatCount(e.totalTokens), QString::number(e.flopsPerToken / 1e9, 'g', 3),
                     QString::number(e.gflops, 'f', 1), e.gflopsMeasured ? tr(" measured") : tr(" assumed"));
    else
        text += tr("<b>Time:</b> set a step limit, or wait for the training data to be measured.");
    if (measured)
        text += tr("<br>Training data: %1 examples, about %2 tokens each with this template%3.")
                    .arg(m_measure.records)
                    .arg(m_measure.meanTokens, 0, 'f', 0)
                    .arg(m_measure.truncatedInSample > 0 ? tr(" (%1 of the first %2 cut to the max length)")
                                                               .arg(m_measure.truncatedInSample)
                                                               .arg(m_measure.sampledRecords)
                                                         : QString());
    else if (!m_measure.ok && !m_measure.error.isEmpty() && !m_measureKey.isEmpty())
        text += QStringLiteral("<br><span style='color:#c0392b'>%1</span>").arg(m_measure.error.toHtmlEscaped());
    m_estimateText->setText(text);
    m_estimateWarning->setVisible(!e.warning.isEmpty());
    m_estimateWarning->setText(
        QStringLiteral("<b style='color:%1'>%2</b>")
            .arg(e.fits ? QStringLiteral("#d68910") : QStringLiteral("#c0392b"), e.warning.toHtmlEscaped()));
    m_estimateWarning->setToolTip(e.notes.join(QLatin1Char('\n')));
    m_estimateText->setToolTip(e.notes.join(QLatin1Char('\n')));
}

void TrainPage::measureThroughput()
{
    if (m_bench && m_bench->isRunning())
        return;
    if (!m_bench) {
        m_bench = new CliTask(this);
        connect(m_bench, &CliTask::done, this, [this](const CliTaskResult& result) {
            m_measureButton->setEnabled(true);
            m_measureButton->setText(tr("Measure again"));
            const double gflops = CliTask::parseSgemmGflops(result.out);
            if (result.ok && std::isfinite(gflops)) {
                m_settings->setSgemmGflops(m_settings->threads(), gflops);
                const double bf16 = CliTask::parseBf16Gflops(result.out);
                if (std::isfinite(bf16))
                    m_settings->setBf16Gflops(m_settings->threads(), bf16);
                emit statusMessage(tr("This machine multiplies matrices at %1 GFLOP/s.").arg(gflops, 0, 'f', 1));
            } else {
                emit statusMessage(tr("Could not measure this machine: %1").arg(result.message));
            }
            scheduleUpdate();
        });
    }
    m_measureButton->setEnabled(false);
    m_measureButton->setText(tr("Measuring…"));
    m_bench->start(CliTask::sgemmBenchArguments(m_settings->threads()));
}

void TrainPage::updateLaunchText()
{
    const bool busy = m_queue->activeCount() >= m_queue->maxConcurrent();
    m_launch->setText(busy ? tr("Add to queue") : tr("Launch"));
}

TrainConfig TrainPage::checkedLaunchConfig(RunData* data)
{
    validateNow();
    if (!m_problem.isEmpty())
        throw Error(m_problem);
    TrainConfig config = currentConfig();
    const auto dataset = m_data->usesDataset() ? m_data->dataset() : std::nullopt;
    if (m_data->usesDataset() && !dataset)
        throw Error(tr("Choose a dataset."));
    *data = RunData();
    if (dataset) {
        validateTrainSettings(config); // the data files are written into the run folder when it starts
        data->datasetId = dataset->id;
        data->datasetName = dataset->name;
        data->trainSplit = m_data->trainSplit();
        data->valSplit = m_data->valSplit();
    } else {
        config.validate();
    }
    data->workspace = m_settings->workspace(); // the worker records the run in the workspace's history
    return config;
}

int TrainPage::launch()
{
    try {
        RunData data;
        const TrainConfig config = checkedLaunchConfig(&data);
        const auto dataset = data.datasetId > 0 ? m_data->dataset() : std::nullopt;
        const QString name =
            m_runName->text().trimmed().isEmpty() ? defaultRunName(config, dataset) : m_runName->text().trimmed();
        const RunFolder folder = RunFolder::create(m_settings->runsFolder(), name);
        const int id = m_queue->enqueue(prepareRunRequest(folder, config, name, data));
        rememberSettings(config);
        m_runName->clear();
        emit statusMessage(m_queue->job(id)->status == QLatin1String("queued") ? tr("Queued %1").arg(name)
                                                                               : tr("Started %1").arg(name));
        emit launched(id);
        return id;
    } catch (const Error& error) {
        m_problem = error.message();
        m_problemLabel->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(m_problem.toHtmlEscaped()));
        emit statusMessage(m_problem);
        return 0;
    }
}

void TrainPage::openSweep()
{
    if (!m_sweep->isRunning()) {
        try {
            RunData data;
            const TrainConfig config = checkedLaunchConfig(&data);
            m_sweep->setBase(config, data, m_settings->runsFolder());
        } catch (const Error& error) {
            emit statusMessage(error.message());
            return;
        }
    }
    m_sweep->show();
    m_sweep->raise();
    m_sweep->activateWindow();
}

TrainConfig TrainPage::rememberedSettings() const
{
    // No precision remembered: this machine's default (bfloat16 where the CPU computes it in hardware).
    TrainConfig config;
    config.applyModePreset(m_mode);
    const QString saved = m_settings->text(QLatin1String(kLastSettingsKey));
    config.computeDtype = machineComputeDtype();
    if (saved.isEmpty())
        return config;
    try {
        QJsonObject json = QJsonDocument::fromJson(saved.toUtf8()).object();
        if (!json.contains(QStringLiteral("compute_dtype")))
            json[QStringLiteral("compute_dtype")] = config.computeDtype;
        return TrainConfig::fromJson(json, QStringLiteral("settings"));
    } catch (const Error&) {
        return config; // written by another version: the preset instead
    }
}

void TrainPage::rememberSettings(const TrainConfig& launched)
{
    // What the user chose, not what belongs to this run: the data files and the model are chosen anew
    // (the model picker keeps its own list), and the threads follow Settings.
    QJsonObject json = launched.toJson();
    for (const char* key : {"model", "train_file", "val_file", "threads"})
        json.remove(QLatin1String(key));
    // The machine's own precision is not remembered as a choice: it follows the machine (and
    // $FT_COMPUTE_DTYPE); a precision chosen against it is kept.
    if (launched.computeDtype == machineComputeDtype())
        json.remove(QStringLiteral("compute_dtype"));
    m_settings->setText(QLatin1String(kLastSettingsKey),
                        QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
}

} // namespace ft::ui
