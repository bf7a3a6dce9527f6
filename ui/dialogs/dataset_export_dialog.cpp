#include "dialogs/dataset_export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "data/dataset_format.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/dataset_export.h"

namespace ft::ui {

namespace {

// The format a file name suggests (empty: no opinion).
QString formatForSuffix(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl"))
        return QStringLiteral("studio");
    if (suffix == QLatin1String("json"))
        return QStringLiteral("alpaca");
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv"))
        return suffix;
    if (suffix == QLatin1String("txt"))
        return QStringLiteral("text");
    return {};
}

} // namespace

DatasetExportDialog::DatasetExportDialog(DatasetSession* session, qint64 datasetId, const QString& suggestedPath,
                                         QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_datasetId(datasetId)
{
    setWindowTitle(tr("Export dataset"));
    setObjectName(QStringLiteral("exportDialog"));
    m_path = new QLineEdit(suggestedPath, this);
    m_path->setObjectName(QStringLiteral("exportPath"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_format->addItems(datasetFormatNames());
    m_format->setCurrentText(formatForSuffix(suggestedPath).isEmpty() ? QStringLiteral("studio")
                                                                      : formatForSuffix(suggestedPath));
    m_split = new QComboBox(this);
    m_split->setObjectName(QStringLiteral("exportSplit"));
    m_split->addItem(tr("all examples"), QString());
    for (const Split split : {Split::Train, Split::Validation, Split::Test})
        m_split->addItem(splitName(split), splitName(split));
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("exportResult"));
    m_result->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_export = buttons->addButton(tr("Export"), QDialogButtonBox::ActionRole);
    m_export->setObjectName(QStringLiteral("exportButton"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("File"), pathRow);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Examples"), m_split);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(buttons);
    resize(560, 200);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_export, &QPushButton::clicked, this, &DatasetExportDialog::startExport);
    connect(m_path, &QLineEdit::textEdited, this, [this](const QString& path) {
        const QString format = formatForSuffix(path);
        if (!format.isEmpty())
            m_format->setCurrentText(format);
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), m_path->text());
        if (path.isEmpty())
            return;
        m_path->setText(path);
        const QString format = formatForSuffix(path);
        if (!format.isEmpty())
            m_format->setCurrentText(format);
    });
}

void DatasetExportDialog::startExport()
{
    const QString path = m_path->text().trimmed();
    if (m_running || path.isEmpty())
        return;
    const QString database = m_session->databasePath();
    const qint64 datasetId = m_datasetId;
    const DatasetFormat format = datasetFormatFromName(m_format->currentText()).value_or(DatasetFormat::Studio);
    std::optional<Split> split;
    Split chosen;
    if (splitFromName(m_split->currentData().toString(), &chosen))
        split = chosen;
    m_running = true;
    m_export->setEnabled(false);
    m_result->setText(tr("Writing %1…").arg(QFileInfo(path).fileName()));
    startTask<qint64>(
        this, m_session->pool(),
        [database, datasetId, path, format, split](TaskControl&) {
            return exportDataset(threadConnection(database), datasetId, path, format, split);
        },
        [this, path](TaskOutcome<qint64> outcome) {
            m_running = false;
            m_export->setEnabled(true);
            if (!outcome.value) {
                m_result->setText(tr("Nothing written: %1").arg(outcome.error));
                emit failed(outcome.error);
                return;
            }
            m_result->setText(tr("Wrote %n example(s) to %1.", nullptr, static_cast<int>(*outcome.value)).arg(path));
            emit exported(path, *outcome.value);
        });
}

} // namespace ft::ui
