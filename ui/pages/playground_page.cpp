#include "pages/playground_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "contract/run_folder.h"
#include "app_settings.h"
#include "data/prompt_template.h"
#include "ui_format.h"
#include "widgets/generation_column.h"

namespace ft::ui {

namespace {

const QString kRaw = QStringLiteral("__raw__");
const QString kCustom = QStringLiteral("__custom__");

// Exported models of the runs in `runsFolder`, newest first: <run>/export/model with a config.json, and
// a LoRA run's <run>/export/adapter with its adapter_config.json (generated on its base model).
QList<QPair<QString, QString>> scanRunExports(const QString& runsFolder)
{
    QList<QPair<QString, QString>> found;
    const QFileInfoList runs =
        QDir(runsFolder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QFileInfo& run : runs) {
        const QString model = RunFolder(run.filePath()).exportModelPath();
        if (QFileInfo::exists(QDir(model).filePath(QStringLiteral("config.json"))))
            found.append({QObject::tr("run: %1").arg(run.fileName()), model});
        const QString adapter = QDir(run.filePath()).filePath(QStringLiteral("export/adapter"));
        if (QFileInfo::exists(QDir(adapter).filePath(QStringLiteral("adapter_config.json"))))
            found.append({QObject::tr("run: %1 (adapter on its base)").arg(run.fileName()), adapter});
        if (found.size() >= 200)
            break;
    }
    return found;
}

} // namespace

PlaygroundPage::PlaygroundPage(AppSettings* settings, QWidget* parent)
    : QWidget(parent)
    , m_settings(settings)
{
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(QStringLiteral("playgroundPrompt"));
    m_prompt->setPlaceholderText(tr("Write a prompt; Ctrl+Return generates in every column."));
    m_prompt->setMaximumHeight(120);

    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("playgroundTemplate"));
    m_template->addItem(tr("none (raw text)"), kRaw);
    for (const QString& name : PromptTemplate::builtinNames())
        m_template->addItem(name, name);
    m_template->addItem(tr("Custom…"), kCustom);
    m_template->setToolTip(tr("Format the prompt as the instruction of a template, as training did"));
    m_customTemplate = new QPlainTextEdit(this);
    m_customTemplate->setMaximumHeight(60);
    m_customTemplate->setPlaceholderText(tr("custom template with {instruction} and {response}"));
    m_customTemplate->setVisible(false);
    m_system = new QLineEdit(this);
    m_system->setPlaceholderText(tr("system prompt (with a template)"));
    m_greedy = new QCheckBox(tr("Greedy"), this);
    m_greedy->setObjectName(QStringLiteral("playgroundGreedy"));
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.0, 5.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setValue(0.8);
    m_topP = new QDoubleSpinBox(this);
    m_topP->setRange(0.01, 1.0);
    m_topP->setSingleStep(0.01);
    m_topP->setValue(0.95);
    m_topK = new QSpinBox(this);
    m_topK->setRange(0, 100000);
    m_topK->setSpecialValueText(tr("off"));
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setObjectName(QStringLiteral("playgroundMaxTokens"));
    m_maxTokens->setRange(1, 32768);
    m_maxTokens->setValue(128);
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, 2147483647);

    auto* sampling = new QHBoxLayout;
    sampling->addWidget(m_greedy);
    for (auto [label, widget] : std::initializer_list<std::pair<QString, QWidget*>>{{tr("Temperature"), m_temperature},
                                                                                    {tr("Top-p"), m_topP},
                                                                                    {tr("Top-k"), m_topK},
                                                                                    {tr("Max tokens"), m_maxTokens},
                                                                                    {tr("Seed"), m_seed}}) {
        sampling->addSpacing(8);
        sampling->addWidget(new QLabel(label, this));
        sampling->addWidget(widget);
    }
    sampling->addStretch(1);

    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_generate->setToolTip(tr("Generate in every column (Ctrl+Return)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelGeneration"));
    m_cancel->setToolTip(tr("Stop generating (Esc)"));
    auto* addColumnButton = new QPushButton(tr("Add column"), this);
    auto* refresh = new QPushButton(tr("Refresh models"), this);
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("Template:"), this));
    actions->addWidget(m_template);
    actions->addWidget(m_system, 1);
    actions->addWidget(addColumnButton);
    actions->addWidget(refresh);
    actions->addWidget(m_cancel);
    actions->addWidget(m_generate);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("playgroundSplitter"));
    m_splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_prompt);
    layout->addLayout(actions);
    layout->addWidget(m_customTemplate);
    layout->addLayout(sampling);
    layout->addWidget(m_splitter, 1);

    connect(m_template, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { m_customTemplate->setVisible(m_template->currentData().toString() == kCustom); });
    connect(m_greedy, &QCheckBox::toggled, this, [this](bool greedy) {
        for (QWidget* w : {static_cast<QWidget*>(m_temperature), static_cast<QWidget*>(m_topP),
                           static_cast<QWidget*>(m_topK), static_cast<QWidget*>(m_seed)})
            w->setEnabled(!greedy);
    });
    connect(m_generate, &QPushButton::clicked, this, &PlaygroundPage::generate);
    connect(m_cancel, &QPushButton::clicked, this, &PlaygroundPage::cancel);
    connect(addColumnButton, &QPushButton::clicked, this, [this] { addColumn(); });
    connect(refresh, &QPushButton::clicked, this, &PlaygroundPage::refreshModels);
    auto* generateShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    generateShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(generateShortcut, &QShortcut::activated, this, &PlaygroundPage::generate);
    auto* cancelShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    cancelShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelShortcut, &QShortcut::activated, this, &PlaygroundPage::cancel);

    // Two columns to start with: the most recent base model and, once found, the newest run's export.
    addColumn(m_settings->knownModels().value(0));
    addColumn();
    refreshModels();
    updateButtons();
}

GenerationRequest PlaygroundPage::request() const
{
    GenerationRequest r;
    r.prompt = m_prompt->toPlainText();
    const QString format = m_template->currentData().toString();
    r.promptTemplate = format == kRaw ? QString() : format == kCustom ? m_customTemplate->toPlainText() : format;
    r.system = m_system->text();
    r.greedy = m_greedy->isChecked();
    r.temperature = m_temperature->value();
    r.topP = m_topP->value();
    r.topK = m_topK->value();
    r.maxTokens = m_maxTokens->value();
    r.seed = static_cast<quint64>(m_seed->value());
    r.threads = m_settings->threads();
    return r;
}

GenerationColumn* PlaygroundPage::addColumn(const QString& model)
{
    auto* column = new GenerationColumn(m_splitter);
    m_splitter->addWidget(column);
    m_columns.append(column);
    column->setCandidates(m_candidates);
    if (!model.isEmpty())
        column->setModel(model);
    connect(column, &GenerationColumn::removeRequested, this, [this, column] {
        if (m_columns.size() <= 1)
            return;
        if (column->isRunning()) {
            column->disconnect(this);
            column->cancel();
            m_running = std::max(0, m_running - 1);
        }
        m_columns.removeAll(column);
        column->deleteLater();
        updateButtons();
    });
    connect(column, &GenerationColumn::done, this, [this] {
        m_running = std::max(0, m_running - 1);
        updateButtons();
    });
    return column;
}

void PlaygroundPage::generate()
{
    if (m_running > 0)
        return;
    if (m_template->currentData().toString() == kCustom) {
        try {
            PromptTemplate::custom(m_customTemplate->toPlainText());
        } catch (const std::exception& error) {
            emit statusMessage(QString::fromUtf8(error.what()));
            return;
        }
    }
    const GenerationRequest base = request();
    m_running = static_cast<int>(m_columns.size());
    updateButtons();
    for (GenerationColumn* column : m_columns)
        column->start(base);
}

void PlaygroundPage::cancel()
{
    for (GenerationColumn* column : m_columns)
        if (column->isRunning())
            column->cancel();
}

void PlaygroundPage::refreshModels()
{
    const int generation = ++m_scanGeneration;
    auto* watcher = new QFutureWatcher<QList<QPair<QString, QString>>>(this);
    connect(watcher, &QFutureWatcher<QList<QPair<QString, QString>>>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_scanGeneration)
            return;
        QList<QPair<QString, QString>> candidates;
        for (const QString& model : m_settings->knownModels())
            candidates.append({tr("base: %1").arg(modelDisplayName(model)), model});
        candidates += watcher->result();
        m_candidates = candidates;
        applyCandidates();
    });
    watcher->setFuture(QtConcurrent::run(scanRunExports, m_settings->runsFolder()));
}

void PlaygroundPage::applyCandidates()
{
    for (GenerationColumn* column : m_columns) {
        const bool empty = column->model().isEmpty();
        column->setCandidates(m_candidates);
        if (empty) {
            // An empty column takes the newest run export, else the first base model.
            for (const auto& [label, path] : m_candidates)
                if (label.startsWith(tr("run: "))) {
                    column->setModel(path);
                    break;
                }
            if (column->model().isEmpty() && !m_candidates.isEmpty())
                column->setModel(m_candidates.constFirst().second);
        }
    }
}

void PlaygroundPage::updateButtons()
{
    m_generate->setEnabled(m_running == 0);
    m_cancel->setEnabled(m_running > 0);
}

} // namespace ft::ui
