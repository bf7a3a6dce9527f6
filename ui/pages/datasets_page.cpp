#include "pages/datasets_page.h"

#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace ft::ui {

namespace {

bool isJsonl(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("jsonl") || suffix == QLatin1String("json");
}

} // namespace

DatasetsPage::DatasetsPage(QWidget* parent) : QWidget(parent)
{
    auto* note = new QLabel(tr("<h3>Datasets</h3><p><b>Datasets come with the workspace store, which is being built now.</b> This page "
                               "will list the workspace's datasets with a table of their examples (lazily loaded, sorted and "
                               "filtered in SQLite, full-text search), an editor with live token counts and the formatted prompt, "
                               "undo/redo, bulk actions, an import wizard, validation, deduplication, PII masking, splits and "
                               "statistics.</p><p>Until then, training data are JSONL files chosen on the Train page "
                               "(<code>{\"instruction\", \"input\", \"response\", \"system\"}</code> per line).</p>"),
                            this);
    note->setObjectName(QStringLiteral("datasetsPlaceholder"));
    note->setWordWrap(true);
    note->setTextFormat(Qt::RichText);

    auto* dropped = new QGroupBox(tr("Files to import"), this);
    m_list = new QListWidget(dropped);
    m_list->setObjectName(QStringLiteral("droppedFiles"));
    auto* hint = new QLabel(tr("Drop files on the window (or use File ▸ Import files…). Importing them into the workspace "
                               "comes with the store; a JSONL file can already be trained on."),
                            dropped);
    hint->setWordWrap(true);
    m_useTrain = new QPushButton(tr("Use as training data"), dropped);
    m_useTrain->setObjectName(QStringLiteral("useAsTraining"));
    m_useVal = new QPushButton(tr("Use as validation data"), dropped);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_useTrain);
    buttons->addWidget(m_useVal);
    auto* box = new QVBoxLayout(dropped);
    box->addWidget(hint);
    box->addWidget(m_list, 1);
    box->addLayout(buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(dropped, 1);

    auto update = [this] {
        const bool ok = isJsonl(selectedFile());
        m_useTrain->setEnabled(ok);
        m_useVal->setEnabled(ok);
    };
    connect(m_list, &QListWidget::currentRowChanged, this, update);
    connect(m_useTrain, &QPushButton::clicked, this, [this] { emit useAsTrainingData(selectedFile()); });
    connect(m_useVal, &QPushButton::clicked, this, [this] { emit useAsValidationData(selectedFile()); });
    update();
}

QString DatasetsPage::selectedFile() const
{
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void DatasetsPage::offerImport(const QStringList& files)
{
    for (const QString& file : files) {
        if (m_files.contains(file))
            continue;
        m_files << file;
        const QFileInfo info(file);
        auto* item = new QListWidgetItem(QStringLiteral("%1   (%2, %3 KB)")
                                             .arg(QDir::toNativeSeparators(file), info.isDir() ? tr("folder") : info.suffix().toUpper())
                                             .arg(info.size() / 1024),
                                         m_list);
        item->setData(Qt::UserRole, file);
        item->setToolTip(isJsonl(file) ? tr("Can be used as training data now") : tr("Imported when the workspace store lands"));
    }
    if (m_list->currentRow() < 0 && m_list->count() > 0)
        m_list->setCurrentRow(m_list->count() - 1);
}

} // namespace ft::ui
