#include "dialogs/save_conversation_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPushButton>

namespace ft::ui {

SaveConversationDialog::SaveConversationDialog(const QStringList& columns, const std::vector<DatasetInfo>& datasets,
                                               QWidget* parent)
    : QDialog(parent)
    , m_column(new QComboBox(this))
    , m_dataset(new QComboBox(this))
    , m_split(new QComboBox(this))
{
    setWindowTitle(tr("Save conversation as an example"));
    m_column->setObjectName(QStringLiteral("saveColumn"));
    m_dataset->setObjectName(QStringLiteral("saveDataset"));
    m_split->setObjectName(QStringLiteral("saveSplit"));
    m_column->addItems(columns);
    for (const DatasetInfo& dataset : datasets)
        m_dataset->addItem(dataset.name, dataset.id);
    for (Split split : {Split::Train, Split::Validation, Split::Test})
        m_split->addItem(splitName(split), static_cast<int>(split));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Save)->setEnabled(!columns.isEmpty() && !datasets.empty());
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout(this);
    if (columns.size() > 1)
        form->addRow(tr("Conversation with"), m_column);
    else
        m_column->hide();
    form->addRow(tr("Dataset"), m_dataset);
    form->addRow(tr("Split"), m_split);
    form->addRow(buttons);
}

int SaveConversationDialog::column() const { return m_column->currentIndex(); }

qint64 SaveConversationDialog::datasetId() const { return m_dataset->currentData().toLongLong(); }

Split SaveConversationDialog::split() const { return static_cast<Split>(m_split->currentData().toInt()); }

} // namespace ft::ui
