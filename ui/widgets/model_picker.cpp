#include "widgets/model_picker.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "app_settings.h"
#include "chat/model_prompt_template.h"
#include "common/error.h"
#include "runs/resource_estimate.h"
#include "ui_format.h"

namespace ft::ui {

namespace {

struct Inspection {
    std::optional<ModelFolder> folder;
    bool chatTemplate = false; // the folder ships a chat template of its own
    QString error;
};

Inspection inspectFolder(const QString& path)
{
    Inspection result;
    try {
        result.folder = ModelFolder::inspect(path);
        result.chatTemplate = hasModelChatTemplate(path);
    } catch (const Error& error) {
        result.error = error.message();
    } catch (const std::exception& error) {
        result.error = QString::fromUtf8(error.what());
    }
    return result;
}

} // namespace

ModelPicker::ModelPicker(AppSettings* settings, QWidget* parent)
    : QWidget(parent)
    , m_settings(settings)
    , m_combo(new QComboBox(this))
    , m_browse(new QToolButton(this))
    , m_info(new QLabel(this))
{
    m_combo->setObjectName(QStringLiteral("modelCombo"));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(30);
    m_combo->setToolTip(tr("Models used before. Choose another folder with the button beside."));
    m_browse->setText(tr("Choose folder…"));
    m_browse->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_browse->setObjectName(QStringLiteral("modelBrowse"));
    m_info->setObjectName(QStringLiteral("modelInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setText(
        tr("No model chosen. A model is a Hugging Face folder with config.json, model.safetensors and tokenizer.json "
           "or tokenizer.model (Llama 2 and 3, Mistral, Qwen2/2.5, Qwen3, SmolLM2)."));

    auto* row = new QHBoxLayout;
    row->addWidget(m_combo, 1);
    row->addWidget(m_browse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_info);

    connect(m_browse, &QToolButton::clicked, this, &ModelPicker::browse);
    connect(m_combo, qOverload<int>(&QComboBox::activated), this, &ModelPicker::onActivated);
    connect(m_settings, &AppSettings::knownModelsChanged, this, &ModelPicker::refreshKnownModels);
    refreshKnownModels();
}

void ModelPicker::refreshKnownModels()
{
    const QSignalBlocker blocker(m_combo);
    m_combo->clear();
    QStringList models = m_settings->knownModels();
    if (!m_path.isEmpty() && !models.contains(m_path))
        models.prepend(m_path);
    for (const QString& model : models)
        m_combo->addItem(modelDisplayName(model) + QStringLiteral("  —  ") + model, model);
    m_combo->setCurrentIndex(m_combo->findData(m_path));
    m_combo->setPlaceholderText(tr("Choose a base model…"));
}

void ModelPicker::browse()
{
    const QString start = m_path.isEmpty() ? m_settings->modelsFolder() : QFileInfo(m_path).absolutePath();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Base model folder"), start);
    if (!folder.isEmpty())
        setModelPath(folder);
}

void ModelPicker::onActivated(int index)
{
    const QString path = m_combo->itemData(index).toString();
    if (!path.isEmpty() && path != m_path)
        setModelPath(path);
}

void ModelPicker::setModelPath(const QString& path)
{
    m_path = QDir::cleanPath(path);
    m_folder.reset();
    m_error.clear();
    m_inspecting = true;
    refreshKnownModels();
    m_info->setText(tr("Reading %1…").arg(m_path));
    const int generation = ++m_generation;
    auto* watcher = new QFutureWatcher<Inspection>(this);
    connect(watcher, &QFutureWatcher<Inspection>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // the user has chosen another model since
        const Inspection result = watcher->result();
        m_inspecting = false;
        m_folder = result.folder;
        m_chatTemplate = result.chatTemplate;
        m_error = result.error;
        if (m_folder) {
            m_settings->addKnownModel(m_path);
            refreshKnownModels();
            m_info->setText(describe(*m_folder, m_chatTemplate));
        } else {
            m_info->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(m_error.toHtmlEscaped()));
        }
        emit modelInspected(m_path, m_folder.has_value());
    });
    watcher->setFuture(QtConcurrent::run(inspectFolder, m_path));
    emit modelChosen(m_path);
}

QString ModelPicker::describe(const ModelFolder& folder, bool chatTemplate)
{
    QString tokenizer;
    if (folder.tokenizerPath.isEmpty())
        tokenizer = QObject::tr("<span style='color:#c0392b'>missing (no tokenizer.json or tokenizer.model)</span>");
    else if (folder.tokenizerPath.endsWith(QLatin1String(".json")))
        tokenizer = QObject::tr("byte-level BPE (tokenizer.json)");
    else
        tokenizer = QObject::tr("sentencepiece (%1)").arg(QFileInfo(folder.tokenizerPath).fileName());
    tokenizer += chatTemplate ? QObject::tr(", its own chat template") : QObject::tr(", no chat template");
    const ModelConfig& c = folder.config;
    QString kv = c.numKvHeads != c.numHeads ? QObject::tr(" (%1 key/value)").arg(c.numKvHeads) : QString();
    return QObject::tr(
               "<b>%1</b> · %2 parameters · %3 layers, hidden %4, %5 heads%6 · context %7 tokens · vocabulary %8<br>"
               "Tokenizer: %9 · weights: %10 in %11 file(s), stored as %12")
        .arg(c.architecture.toHtmlEscaped(), formatCount(static_cast<double>(c.parameterCount())))
        .arg(c.numLayers)
        .arg(c.hiddenSize)
        .arg(c.numHeads)
        .arg(kv)
        .arg(c.maxPositions)
        .arg(c.vocabSize)
        .arg(tokenizer, formatBytes(static_cast<double>(folder.weightBytes)))
        .arg(folder.weightFiles.size())
        .arg(c.torchDtype);
}

} // namespace ft::ui
