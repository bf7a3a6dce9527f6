#include "dialogs/dataset_split_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QUndoStack>
#include <QVBoxLayout>

#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/example_store.h"
#include "undo/example_commands.h"

namespace ft::ui {

namespace {

QDoubleSpinBox* fraction(const QString& name, double value, QWidget* parent)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0.0, 1.0);
    box->setSingleStep(0.05);
    box->setDecimals(3);
    box->setValue(value);
    return box;
}

} // namespace

DatasetSplitDialog::DatasetSplitDialog(DatasetSession* session, qint64 datasetId, QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_datasetId(datasetId)
{
    setWindowTitle(tr("Split dataset"));
    setObjectName(QStringLiteral("splitDialog"));
    m_validation = fraction(QStringLiteral("validationFraction"), 0.1, this);
    m_test = fraction(QStringLiteral("testFraction"), 0.0, this);
    m_seed = new QSpinBox(this);
    m_seed->setObjectName(QStringLiteral("splitSeed"));
    m_seed->setRange(0, 1000000000);
    m_seed->setValue(42);
    m_stratify = new QCheckBox(tr("Keep each tag's share in every split (first tag)"), this);
    m_stratify->setObjectName(QStringLiteral("stratifyByTag"));
    m_preview = new QLabel(tr("Reading the dataset…"), this);
    m_preview->setObjectName(QStringLiteral("splitPreview"));
    m_preview->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_apply = buttons->addButton(tr("Apply"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("applySplit"));
    m_apply->setEnabled(false);
    auto* form = new QFormLayout;
    form->addRow(tr("Validation share"), m_validation);
    form->addRow(tr("Test share"), m_test);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(QString(), m_stratify);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_preview);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_apply, &QPushButton::clicked, this, &DatasetSplitDialog::apply);
    for (QDoubleSpinBox* box : {m_validation, m_test})
        connect(box, &QDoubleSpinBox::valueChanged, this, &DatasetSplitDialog::updatePreview);
    connect(m_seed, &QSpinBox::valueChanged, this, &DatasetSplitDialog::updatePreview);
    connect(m_stratify, &QCheckBox::toggled, this, &DatasetSplitDialog::updatePreview);

    const QString database = session->databasePath();
    startTask<Loaded>(
        this, session->pool(),
        [database, datasetId](TaskControl&) {
            Loaded loaded;
            for (const StoredExample& example : ExampleStore(threadConnection(database)).examples(datasetId)) {
                loaded.ids.push_back(example.id);
                loaded.splits.push_back(example.split);
                loaded.tags.push_back(example.tags);
            }
            return loaded;
        },
        [this](TaskOutcome<Loaded> outcome) {
            if (!outcome.value) {
                m_preview->setText(tr("Cannot read the dataset: %1").arg(outcome.error));
                return;
            }
            m_loaded = std::move(*outcome.value);
            m_ready = true;
            updatePreview();
        });
}

void DatasetSplitDialog::updatePreview()
{
    if (!m_ready)
        return;
    m_changes.clear();
    SplitSettings settings;
    settings.validationFraction = m_validation->value();
    settings.testFraction = m_test->value();
    settings.seed = static_cast<uint64_t>(m_seed->value());
    settings.stratifyByTag = m_stratify->isChecked();
    if (settings.validationFraction + settings.testFraction > 1.0) {
        m_preview->setText(tr("The validation and test shares add up to more than 1."));
        m_apply->setEnabled(false);
        emit previewReady();
        return;
    }
    // Seconds for 100,000 examples at most; a dataset is a few thousand here.
    const std::vector<Split> splits =
        assignSplits(static_cast<int64_t>(m_loaded.ids.size()),
                     settings.stratifyByTag ? m_loaded.tags : std::vector<QStringList>{}, settings);
    qint64 before[3] = {0, 0, 0};
    qint64 after[3] = {0, 0, 0};
    for (size_t i = 0; i < splits.size(); ++i) {
        ++before[static_cast<int>(m_loaded.splits[i])];
        ++after[static_cast<int>(splits[i])];
        if (splits[i] != m_loaded.splits[i])
            m_changes.emplace_back(m_loaded.ids[i], splits[i]);
    }
    m_preview->setText(tr("train %L1 → %L2, val %L3 → %L4, test %L5 → %L6; %n example(s) move.", nullptr,
                          static_cast<int>(m_changes.size()))
                           .arg(before[0])
                           .arg(after[0])
                           .arg(before[1])
                           .arg(after[1])
                           .arg(before[2])
                           .arg(after[2]));
    m_apply->setEnabled(!m_changes.empty());
    emit previewReady();
}

void DatasetSplitDialog::apply()
{
    if (m_changes.empty())
        return;
    m_session->undoStack()->push(
        new SetSplitsCommand(m_session, m_datasetId, m_changes,
                             tr("Split: move %n example(s)", nullptr, static_cast<int>(m_changes.size()))));
    accept();
}

} // namespace ft::ui
