#include "widgets/dataset_import_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/dataset_import.h"
#include "store/dataset_store.h"

namespace ft::ui {

namespace {

constexpr int kPreviewRecords = 5;

struct Preview {
    std::vector<ImportedExample> records;
    QString error; // the first record that could not be read with these settings
};

Preview readPreview(const QString& path, const ImportOptions& options)
{
    Preview preview;
    try {
        const std::unique_ptr<DatasetReader> reader = openDatasetReader(path, options);
        ImportedExample example;
        while (static_cast<int>(preview.records.size()) < kPreviewRecords && reader->next(&example))
            preview.records.push_back(example);
    } catch (const Error& error) {
        preview.error = error.message();
    }
    return preview;
}

QComboBox* columnBox(const QString& name, QWidget* parent)
{
    auto* box = new QComboBox(parent);
    box->setObjectName(name);
    return box;
}

} // namespace

DatasetImportPanel::DatasetImportPanel(DatasetSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_progressTimer(new QTimer(this))
{
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("importFiles"));
    m_list->setMaximumHeight(90);
    m_explanation = new QLabel(this);
    m_explanation->setObjectName(QStringLiteral("importExplanation"));
    m_explanation->setWordWrap(true);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("importFormat"));
    for (const QString& name : datasetFormatNames())
        m_format->addItem(name, name);

    m_mappingBox = new QWidget(this);
    m_instructionColumn = columnBox(QStringLiteral("instructionColumn"), m_mappingBox);
    m_inputColumn = columnBox(QStringLiteral("inputColumn"), m_mappingBox);
    m_responseColumn = columnBox(QStringLiteral("responseColumn"), m_mappingBox);
    m_systemColumn = columnBox(QStringLiteral("systemColumn"), m_mappingBox);
    auto* mapping = new QHBoxLayout(m_mappingBox);
    mapping->setContentsMargins(0, 0, 0, 0);
    for (const auto& [label, box] :
         {std::pair{tr("Instruction"), m_instructionColumn}, std::pair{tr("Input"), m_inputColumn},
          std::pair{tr("Response"), m_responseColumn}, std::pair{tr("System"), m_systemColumn}}) {
        mapping->addWidget(new QLabel(label, m_mappingBox));
        mapping->addWidget(box, 1);
    }
    m_mappingBox->hide();

    m_preview = new QTableWidget(0, 2, this);
    m_preview->setObjectName(QStringLiteral("importPreview"));
    m_preview->setHorizontalHeaderLabels({tr("Instruction"), tr("Response")});
    m_preview->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setMaximumHeight(150);
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("importName"));
    m_skipBad = new QCheckBox(tr("Skip bad records (and list them)"), this);
    m_skipBad->setObjectName(QStringLiteral("skipBadRecords"));
    m_import = new QPushButton(tr("Import"), this);
    m_import->setObjectName(QStringLiteral("importButton"));
    m_cancel = new QPushButton(tr("Cancel import"), this);
    m_cancel->setObjectName(QStringLiteral("cancelImport"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("importProgress"));
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_errors = new QListWidget(this);
    m_errors->setObjectName(QStringLiteral("importErrors"));
    m_errors->setMaximumHeight(90);
    m_errors->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Columns"), m_mappingBox);
    form->addRow(tr("New dataset"), m_name);
    form->addRow(m_skipBad); // the whole width: the side panel may be narrow
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_progress, 2);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_import);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addWidget(m_explanation);
    layout->addLayout(form);
    layout->addWidget(m_preview);
    layout->addLayout(buttons);
    layout->addWidget(m_errors);

    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &DatasetImportPanel::updateProgress);
    connect(m_list, &QListWidget::currentRowChanged, this, &DatasetImportPanel::select);
    connect(m_format, &QComboBox::activated, this, &DatasetImportPanel::onFormatChosen);
    for (QComboBox* box : {m_instructionColumn, m_inputColumn, m_responseColumn, m_systemColumn})
        connect(box, &QComboBox::activated, this, &DatasetImportPanel::showPreview);
    connect(m_name, &QLineEdit::textChanged, this, &DatasetImportPanel::updateButtons);
    connect(m_import, &QPushButton::clicked, this, &DatasetImportPanel::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetImportPanel::cancel);
    updateButtons();
}

DatasetImportPanel::~DatasetImportPanel() { cancel(); }

void DatasetImportPanel::addFiles(const QStringList& files)
{
    for (const QString& file : files) {
        if (m_files.contains(file))
            continue;
        m_files << file;
        auto* item = new QListWidgetItem(QFileInfo(file).fileName(), m_list);
        item->setToolTip(file);
    }
    if (!m_files.isEmpty())
        m_list->setCurrentRow(m_list->count() - 1);
}

void DatasetImportPanel::select(int row)
{
    m_current = row >= 0 && row < m_files.size() ? m_files[row] : QString();
    m_errors->clear();
    m_errors->hide();
    m_detection.reset();
    m_preview->setRowCount(0);
    m_explanation->clear();
    if (m_current.isEmpty()) {
        updateButtons();
        return;
    }
    if (m_session->isOpen())
        m_name->setText(m_session->datasets().uniqueName(QFileInfo(m_current).completeBaseName()));
    detect(m_current);
}

void DatasetImportPanel::detect(const QString& path)
{
    const quint64 generation = ++m_detectGeneration;
    m_explanation->setText(tr("Looking at %1…").arg(QFileInfo(path).fileName()));
    updateButtons();
    startTask<FormatDetection>(
        this, m_session->pool(), [path](TaskControl&) { return detectDatasetFormat(path, kPreviewRecords); },
        [this, generation, path](TaskOutcome<FormatDetection> outcome) {
            if (generation != m_detectGeneration)
                return;
            if (!outcome.value) {
                m_explanation->setText(tr("Cannot import %1: %2").arg(path, outcome.error));
                updateButtons();
                return;
            }
            m_detection = std::make_unique<FormatDetection>(std::move(*outcome.value));
            m_format->setCurrentIndex(m_format->findData(datasetFormatName(m_detection->format)));
            const QStringList columns = QStringList{QString()} + m_detection->columns;
            const std::pair<QComboBox*, QString> boxes[] = {{m_instructionColumn, m_detection->mapping.instruction},
                                                            {m_inputColumn, m_detection->mapping.input},
                                                            {m_responseColumn, m_detection->mapping.response},
                                                            {m_systemColumn, m_detection->mapping.system}};
            for (const auto& [box, chosen] : boxes) {
                box->clear();
                for (const QString& column : columns)
                    box->addItem(column.isEmpty() ? tr("(none)") : column, column);
                box->setCurrentIndex(std::max(0, box->findData(chosen)));
            }
            m_explanation->setText(
                tr("Detected format: %1. %2").arg(datasetFormatName(m_detection->format), m_detection->explanation));
            onFormatChosen();
        });
}

void DatasetImportPanel::onFormatChosen()
{
    const QString format = m_format->currentData().toString();
    m_mappingBox->setVisible(format == QLatin1String("csv") || format == QLatin1String("tsv"));
    showPreview();
}

ImportOptions DatasetImportPanel::options() const
{
    ImportOptions options = m_detection ? m_detection->options() : ImportOptions{};
    options.format = datasetFormatFromName(m_format->currentData().toString()).value_or(options.format);
    if (options.format == DatasetFormat::Csv || options.format == DatasetFormat::Tsv) {
        options.mapping.instruction = m_instructionColumn->currentData().toString();
        options.mapping.input = m_inputColumn->currentData().toString();
        options.mapping.response = m_responseColumn->currentData().toString();
        options.mapping.system = m_systemColumn->currentData().toString();
    }
    options.skipBadRecords = m_skipBad->isChecked();
    return options;
}

void DatasetImportPanel::showPreview()
{
    if (!m_detection || m_current.isEmpty())
        return;
    const quint64 generation = ++m_detectGeneration;
    const QString path = m_current;
    ImportOptions options = this->options();
    options.skipBadRecords = false; // the preview shows the first problem
    startTask<Preview>(
        this, m_session->pool(), [path, options](TaskControl&) { return readPreview(path, options); },
        [this, generation](TaskOutcome<Preview> outcome) {
            if (generation != m_detectGeneration || !outcome.value)
                return;
            const Preview& preview = *outcome.value;
            m_preview->setRowCount(static_cast<int>(preview.records.size()));
            for (int i = 0; i < static_cast<int>(preview.records.size()); ++i) {
                const ExampleRecord& record = preview.records[size_t(i)].record;
                const bool multi = record.isMultiTurn();
                const QString first = multi ? record.turns.front().content : record.instruction;
                const QString second =
                    multi ? (record.turns.size() > 1 ? record.turns[1].content : QString()) : record.response;
                m_preview->setItem(i, 0, new QTableWidgetItem(first.left(300).simplified()));
                m_preview->setItem(i, 1, new QTableWidgetItem(second.left(300).simplified()));
            }
            m_errors->clear();
            m_errors->setVisible(!preview.error.isEmpty());
            if (!preview.error.isEmpty())
                m_errors->addItem(tr("Preview: %1").arg(preview.error));
            updateButtons();
        });
}

void DatasetImportPanel::startImport()
{
    if (m_current.isEmpty() || !m_detection || isImporting() || !m_session->isOpen())
        return;
    const QString path = m_current;
    const QString database = m_session->databasePath();
    const ImportOptions options = this->options();
    DatasetImportTarget target;
    target.newName = m_name->text().trimmed();
    m_errors->clear();
    m_errors->hide();
    m_progress->setValue(0);
    m_progress->show();
    m_session->beginBusy();
    m_control = startTask<DatasetImportResult>(
        this, m_session->pool(),
        [path, database, options, target](TaskControl& control) {
            return importDataset(threadConnection(database), path, options, target, control.callback());
        },
        [this, path](TaskOutcome<DatasetImportResult> outcome) {
            m_control.reset();
            m_progressTimer->stop();
            m_progress->hide();
            m_session->endBusy();
            emit importingChanged(false);
            if (!outcome.value) {
                m_errors->show();
                m_errors->addItem(tr("Nothing was imported: %1").arg(outcome.error));
            } else if (outcome.value->cancelled) {
                m_explanation->setText(
                    tr("Import of %1 cancelled; nothing was imported.").arg(QFileInfo(path).fileName()));
            } else {
                const DatasetImportResult& result = *outcome.value;
                m_explanation->setText(
                    tr("Imported %n example(s) from %1 in %2 s.", nullptr, static_cast<int>(result.imported))
                        .arg(QFileInfo(path).fileName())
                        .arg(result.seconds, 0, 'f', 1));
                for (const ImportIssue& issue : result.skipped)
                    m_errors->addItem(tr("Skipped %1: %2").arg(issue.location, issue.reason));
                m_errors->setVisible(!result.skipped.empty());
                m_session->notifyDatasets();
                emit imported(result.datasetId, result.imported);
            }
            updateButtons();
        });
    m_session->track(m_control); // cancelled when the workspace closes
    m_progressTimer->start();
    emit importingChanged(true);
    updateButtons();
}

void DatasetImportPanel::cancel()
{
    if (m_control)
        m_control->cancelled = true;
}

void DatasetImportPanel::updateProgress()
{
    if (m_control)
        m_progress->setValue(m_control->permille());
}

void DatasetImportPanel::updateButtons()
{
    const bool importing = isImporting();
    m_import->setEnabled(!importing && m_detection && !m_name->text().trimmed().isEmpty() && m_session->isOpen());
    m_cancel->setVisible(importing);
    m_list->setEnabled(!importing);
    m_format->setEnabled(!importing && m_detection);
}

} // namespace ft::ui
