#include "widgets/token_setup_picker.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "chat/model_prompt_template.h"
#include "modelio/model_config.h"
#include "models/background_task.h"
#include "ui_format.h"

namespace ft::ui {

namespace {

struct LoadedModel {
    std::shared_ptr<const Tokenizer> tokenizer;
    qint64 contextLength = 0;
    std::optional<PromptTemplate> modelTemplate; // the folder's own chat template, parsed
};

} // namespace

TokenSetupPicker::TokenSetupPicker(QThreadPool* pool, QWidget* parent)
    : QWidget(parent)
    , m_pool(pool)
{
    m_model = new QComboBox(this);
    m_model->setObjectName(QStringLiteral("tokenModel"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(12);
    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("tokenTemplate"));
    m_template->addItems(PromptTemplate::builtinNames());
    m_template->setCurrentText(QStringLiteral("alpaca"));
    auto* browse = new QPushButton(tr("Model…"), this);
    browse->setObjectName(QStringLiteral("tokenModelBrowse"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("tokenModelStatus"));
    m_status->setWordWrap(true);
    // Two rows, so that the narrow side panel of a 1024-pixel window shows every choice whole.
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(new QLabel(tr("Tokens for"), this));
    modelRow->addWidget(m_model, 1);
    auto* templateRow = new QHBoxLayout;
    templateRow->addWidget(new QLabel(tr("in"), this));
    templateRow->addWidget(m_template, 1);
    templateRow->addWidget(browse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(modelRow);
    layout->addLayout(templateRow);
    layout->addWidget(m_status);
    setModels({});
    connect(m_model, &QComboBox::activated, this, &TokenSetupPicker::load);
    connect(m_template, &QComboBox::activated, this, [this] {
        m_templateChosen = true;
        m_setup.promptTemplate = chosenTemplate();
        emit setupChanged(m_setup);
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString start =
            m_browseFolder.isEmpty() || !QFileInfo(m_browseFolder).isDir() ? QDir::homePath() : m_browseFolder;
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Model folder"), start);
        if (!folder.isEmpty())
            chooseModel(folder);
    });
}

void TokenSetupPicker::setModels(const QStringList& folders)
{
    const QString current = m_model->currentData().toString();
    m_model->clear();
    m_model->addItem(tr("(no model: no counts)"), QString());
    for (const QString& folder : folders)
        m_model->addItem(modelDisplayName(folder), folder);
    m_model->setCurrentIndex(std::max(0, m_model->findData(current)));
}

void TokenSetupPicker::chooseModel(const QString& folder)
{
    int index = m_model->findData(folder);
    if (index < 0) {
        m_model->addItem(modelDisplayName(folder), folder);
        index = m_model->count() - 1;
    }
    m_model->setCurrentIndex(index);
    load();
}

void TokenSetupPicker::load()
{
    const QString folder = m_model->currentData().toString();
    const quint64 generation = ++m_generation;
    m_setup.modelPath = folder;
    m_setup.tokenizer.reset();
    m_setup.contextLength = 0;
    m_modelTemplate.reset();
    m_setup.promptTemplate = chosenTemplate();
    if (folder.isEmpty()) {
        m_loading = false;
        offerModelTemplate(std::nullopt);
        m_status->clear();
        emit setupChanged(m_setup);
        return;
    }
    m_loading = true;
    m_status->setText(tr("Reading the tokenizer…"));
    emit setupChanged(m_setup); // no counts until it is read
    startTask<LoadedModel>(
        this, m_pool,
        [folder](TaskControl&) {
            const QString configPath = QDir(folder).filePath(QStringLiteral("config.json"));
            LoadedModel loaded;
            if (QFileInfo::exists(configPath)) {
                const ModelConfig config = ModelConfig::fromFile(configPath);
                loaded.tokenizer = Tokenizer::fromModelFolder(folder, &config);
                loaded.contextLength = config.maxPositions;
            } else {
                loaded.tokenizer = Tokenizer::fromModelFolder(folder);
            }
            if (hasModelChatTemplate(folder))
                loaded.modelTemplate = modelPromptTemplate(folder); // a template error says so beside the choice
            return loaded;
        },
        [this, generation](TaskOutcome<LoadedModel> outcome) {
            if (generation != m_generation)
                return;
            m_loading = false;
            if (!outcome.value) {
                m_status->setText(tr("No counts: %1").arg(outcome.error));
                return;
            }
            m_setup.tokenizer = outcome.value->tokenizer;
            m_setup.contextLength = outcome.value->contextLength;
            offerModelTemplate(outcome.value->modelTemplate);
            m_setup.promptTemplate = chosenTemplate();
            m_status->setText(m_setup.contextLength > 0 ? tr("context %1").arg(m_setup.contextLength) : QString());
            emit setupChanged(m_setup);
            emit modelRead(m_setup.modelPath);
        });
}

PromptTemplate TokenSetupPicker::chosenTemplate() const
{
    if (m_template->currentText() == PromptTemplate::modelTemplateName())
        return m_modelTemplate ? *m_modelTemplate : PromptTemplate::builtin(QStringLiteral("alpaca"));
    return PromptTemplate::builtin(m_template->currentText());
}

void TokenSetupPicker::offerModelTemplate(const std::optional<PromptTemplate>& modelTemplate)
{
    m_modelTemplate = modelTemplate;
    const QString name = PromptTemplate::modelTemplateName();
    const int index = m_template->findText(name);
    if (modelTemplate && index < 0) {
        m_template->insertItem(0, name);
        m_template->setItemData(0, tr("The model's own chat template"), Qt::ToolTipRole);
        if (!m_templateChosen)
            m_template->setCurrentIndex(0);
    } else if (!modelTemplate && index >= 0) {
        const bool selected = m_template->currentIndex() == index;
        m_template->removeItem(index);
        if (selected)
            m_template->setCurrentText(QStringLiteral("alpaca"));
    }
}

} // namespace ft::ui
