#include "pages/playground_page.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <QUndoStack>

#include "app_settings.h"
#include "contract/run_folder.h"
#include "data/prompt_template.h"
#include "dialogs/save_conversation_dialog.h"
#include "models/dataset_session.h"
#include "store/dataset_store.h"
#include "ui_format.h"
#include "undo/example_commands.h"

namespace ft::ui {

namespace {

const QString kAuto = QStringLiteral("auto");
const QString kRaw = QStringLiteral("__raw__");
const QString kCustom = QStringLiteral("__custom__");

// "20261206-051155-roleplay-lora-a" -> "roleplay-lora-a (12-06 05:11)": the name the folder carries, dated.
QString runLabel(const QString& folderName)
{
    static const QRegularExpression dated(QStringLiteral("^(\\d{4})(\\d{2})(\\d{2})-(\\d{2})(\\d{2})\\d{2}-(.+)$"));
    const QRegularExpressionMatch m = dated.match(folderName);
    if (!m.hasMatch())
        return folderName;
    return QStringLiteral("%1 (%2-%3 %4:%5)")
        .arg(m.captured(6), m.captured(2), m.captured(3), m.captured(4), m.captured(5));
}

// What the runs in `runsFolder` offer, newest run first. A run (its config.json and checkpoints) offers its
// exported model ("final") and its checkpoints, best first, all generated through the run folder so that
// they keep the run's template. A folder holding only an export offers export/model, and its export/adapter
// (LoRA adapters or a soft prompt, generated on its base).
QList<ModelChoice> scanRunModels(const QString& runsFolder)
{
    QList<ModelChoice> found;
    const QFileInfoList runs =
        QDir(runsFolder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QFileInfo& info : runs) {
        const RunFolder run(info.filePath());
        const QString name = runLabel(info.fileName());
        const bool hasExport = QFileInfo::exists(QDir(run.exportModelPath()).filePath(QStringLiteral("config.json")));
        const QString adapter = run.exportAdapterPath();
        const bool hasAdapter = QFileInfo::exists(QDir(adapter).filePath(QStringLiteral("adapter_config.json")));
        if (run.hasStarted() && QFileInfo::exists(run.configPath())) {
            if (hasExport || hasAdapter) // a prompt-tuned run's final is its soft prompt on the base
                found.append({QObject::tr("run: %1 · final").arg(name), run.path(), QStringLiteral("final")});
            std::vector<RunCheckpoint> checkpoints = run.checkpoints();
            std::stable_sort(checkpoints.begin(), checkpoints.end(),
                             [](const RunCheckpoint& a, const RunCheckpoint& b) {
                                 return a.best != b.best ? a.best : a.step > b.step;
                             });
            for (const RunCheckpoint& checkpoint : checkpoints)
                found.append({checkpoint.best ? QObject::tr("run: %1 · best (step %2)").arg(name).arg(checkpoint.step)
                                              : QObject::tr("run: %1 · step %2").arg(name).arg(checkpoint.step),
                              run.path(), checkpoint.name});
        } else {
            if (hasExport)
                found.append({QObject::tr("run: %1").arg(name), run.exportModelPath(), {}});
            if (hasAdapter)
                found.append({QObject::tr("run: %1 (adapter on its base)").arg(name), adapter, {}});
        }
        if (found.size() >= 300)
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
    m_prompt->setPlaceholderText(tr("Write a message; Ctrl+Return sends it to every column, each answers in its "
                                    "own conversation."));
    m_prompt->setMaximumHeight(90);

    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("playgroundTemplate"));
    m_template->addItem(tr("As trained"), kAuto);
    m_template->setItemData(0,
                            tr("A run's checkpoints use the template the run trained with; a base model its own chat "
                               "template when it has one, else raw text"),
                            Qt::ToolTipRole);
    m_template->addItem(tr("none (raw text)"), kRaw);
    m_template->addItem(tr("the model's chat template"), PromptTemplate::modelTemplateName());
    for (const QString& name : PromptTemplate::builtinNames())
        m_template->addItem(name, name);
    m_template->addItem(tr("Custom…"), kCustom);
    m_template->setToolTip(tr("How the conversation is formatted for the models, as training formats examples"));
    m_customTemplate = new QPlainTextEdit(this);
    m_customTemplate->setMaximumHeight(60);
    m_customTemplate->setPlaceholderText(tr("custom template with {instruction} and {response}"));
    m_customTemplate->setVisible(false);
    m_system = new QLineEdit(this);
    m_system->setObjectName(QStringLiteral("playgroundSystem"));
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

    m_generate = new QPushButton(tr("Send"), this);
    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_generate->setToolTip(tr("Send the message to every column (Ctrl+Return)"));
    m_newChat = new QPushButton(tr("New chat"), this);
    m_newChat->setObjectName(QStringLiteral("newChatButton"));
    m_newChat->setToolTip(tr("Start every column's conversation afresh (Ctrl+Shift+N)"));
    m_save = new QPushButton(tr("Save as example…"), this);
    m_save->setObjectName(QStringLiteral("saveConversationButton"));
    m_save->setToolTip(tr("Save a column's conversation as an example of a dataset (Ctrl+Shift+S)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelGeneration"));
    m_cancel->setToolTip(tr("Stop generating (Esc)"));
    auto* addColumnButton = new QPushButton(tr("Add column"), this);
    auto* refresh = new QPushButton(tr("Refresh models"), this);
    // Top: how the conversation is written and which columns there are; then the sampling settings; the
    // columns; at the bottom, as in any chat, the message box with what acts on the conversation.
    auto* format = new QHBoxLayout;
    format->addWidget(new QLabel(tr("Template:"), this));
    format->addWidget(m_template);
    format->addWidget(m_system, 1);
    format->addWidget(addColumnButton);
    format->addWidget(refresh);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("playgroundSplitter"));
    m_splitter->setChildrenCollapsible(false);

    auto* buttons = new QGridLayout;
    buttons->addWidget(m_generate, 0, 0);
    buttons->addWidget(m_cancel, 0, 1);
    buttons->addWidget(m_newChat, 1, 0);
    buttons->addWidget(m_save, 1, 1);
    auto* compose = new QHBoxLayout;
    compose->addWidget(m_prompt, 1);
    compose->addLayout(buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(format);
    layout->addWidget(m_customTemplate);
    layout->addLayout(sampling);
    layout->addWidget(m_splitter, 1);
    layout->addLayout(compose);

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
    connect(m_newChat, &QPushButton::clicked, this, &PlaygroundPage::newChat);
    connect(m_save, &QPushButton::clicked, this, &PlaygroundPage::saveConversationAs);
    auto* newChatShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this);
    newChatShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(newChatShortcut, &QShortcut::activated, this, &PlaygroundPage::newChat);
    auto* saveShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), this);
    saveShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(saveShortcut, &QShortcut::activated, this, &PlaygroundPage::saveConversationAs);
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
    const bool chatting = std::any_of(m_columns.begin(), m_columns.end(),
                                      [](const GenerationColumn* c) { return !c->conversation().empty(); });
    if (chatting && base.prompt.trimmed().isEmpty()) {
        emit statusMessage(tr("Write a message first (an empty one only starts a conversation, from nothing)."));
        return;
    }
    m_running = static_cast<int>(m_columns.size());
    updateButtons();
    m_prompt->clear(); // the message now stands in every column's conversation
    bool started = false;
    for (GenerationColumn* column : m_columns)
        started = column->start(base, base.prompt) || started;
    if (!started)
        m_prompt->setPlainText(base.prompt); // no column took it: nothing is lost
}

void PlaygroundPage::newChat()
{
    if (m_running > 0)
        return;
    for (GenerationColumn* column : m_columns)
        column->clearConversation();
    updateButtons();
}

void PlaygroundPage::setDatasetSession(DatasetSession* session)
{
    m_session = session;
    connect(session, &DatasetSession::opened, this, &PlaygroundPage::updateButtons);
    connect(session, &DatasetSession::closed, this, &PlaygroundPage::updateButtons);
    updateButtons();
}

void PlaygroundPage::saveConversationAs()
{
    if (!m_session || !m_session->isOpen() || m_running > 0)
        return;
    QStringList labels;
    QList<int> withConversation;
    for (int i = 0; i < m_columns.size(); ++i)
        if (!m_columns[i]->conversation().empty()) {
            labels << m_columns[i]->modelLabel();
            withConversation << i;
        }
    if (withConversation.isEmpty()) {
        emit statusMessage(tr("There is no answered conversation to save yet."));
        return;
    }
    std::vector<DatasetInfo> datasets;
    try {
        datasets = m_session->datasets().list();
    } catch (const std::exception& error) {
        emit statusMessage(QString::fromUtf8(error.what()));
        return;
    }
    if (datasets.empty()) {
        QMessageBox::information(this, tr("Save as example"),
                                 tr("The workspace has no dataset yet: create or import one on the Datasets page."));
        return;
    }
    SaveConversationDialog dialog(labels, datasets, this);
    if (dialog.exec() == QDialog::Accepted)
        saveConversation(withConversation.value(dialog.column()), dialog.datasetId(), dialog.split());
}

bool PlaygroundPage::saveConversation(int column, qint64 datasetId, Split split)
{
    if (!m_session || column < 0 || column >= m_columns.size() || m_columns[column]->conversation().empty())
        return false;
    GenerationColumn* source = m_columns[column];
    StoredExample example;
    example.datasetId = datasetId;
    example.record = ExampleRecord::fromConversation(source->systemPrompt(), source->conversation());
    example.split = split;
    example.source = QStringLiteral("playground: %1").arg(source->modelLabel());
    example.tags = QStringList{QStringLiteral("playground")};
    const quint64 errorsBefore = m_session->errorCount();
    auto* command = InsertExamplesCommand::add(m_session, datasetId, {example});
    m_session->undoStack()->push(command); // redo() writes it now, in one transaction
    if (m_session->errorCount() != errorsBefore)
        return false;
    QString dataset;
    if (const auto info = m_session->datasets().find(datasetId))
        dataset = info->name;
    emit statusMessage(tr("Saved the conversation with %1 to \"%2\" (%3); Undo on the Datasets page takes it back.")
                           .arg(source->modelLabel(), dataset, splitName(split)));
    return true;
}

void PlaygroundPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refreshModels();
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
    auto* watcher = new QFutureWatcher<QList<ModelChoice>>(this);
    connect(watcher, &QFutureWatcher<QList<ModelChoice>>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_scanGeneration)
            return;
        QList<ModelChoice> candidates;
        for (const QString& model : m_settings->knownModels())
            candidates.append({tr("base: %1").arg(modelDisplayName(model)), model, {}});
        candidates += watcher->result();
        m_candidates = candidates;
        applyCandidates();
    });
    watcher->setFuture(QtConcurrent::run(scanRunModels, m_settings->runsFolder()));
}

void PlaygroundPage::applyCandidates()
{
    for (GenerationColumn* column : m_columns) {
        const bool empty = column->model().isEmpty();
        column->setCandidates(m_candidates);
        if (empty) {
            // An empty column takes the newest run's first choice (its export, else its best checkpoint),
            // else the first base model.
            for (const ModelChoice& choice : m_candidates)
                if (choice.label.startsWith(tr("run: "))) {
                    column->setModel(choice.path, choice.checkpoint);
                    break;
                }
            if (column->model().isEmpty() && !m_candidates.isEmpty())
                column->setModel(m_candidates.constFirst().path, m_candidates.constFirst().checkpoint);
        }
    }
}

void PlaygroundPage::updateButtons()
{
    m_generate->setEnabled(m_running == 0);
    m_cancel->setEnabled(m_running > 0);
    m_newChat->setEnabled(m_running == 0);
    m_save->setEnabled(m_running == 0 && m_session && m_session->isOpen());
}

} // namespace ft::ui
