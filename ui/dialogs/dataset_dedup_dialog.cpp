#include "dialogs/dataset_dedup_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include "data/dedup.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/example_store.h"
#include "undo/example_commands.h"

namespace ft::ui {

namespace {

constexpr int kShownGroups = 500;

struct Found {
    struct Group {
        bool exact = false;
        double similarity = 1;
        QStringList lines; // "#12 instruction…", the first kept
    };
    std::vector<Group> groups; // the first kShownGroups
    qint64 groupCount = 0;
    std::vector<qint64> remove; // every example after the first of its group
};

} // namespace

DatasetDedupDialog::DatasetDedupDialog(DatasetSession* session, qint64 datasetId, QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_datasetId(datasetId)
{
    setWindowTitle(tr("Remove duplicates"));
    setObjectName(QStringLiteral("dedupDialog"));
    m_near = new QCheckBox(tr("Near duplicates too, at similarity"), this);
    m_near->setObjectName(QStringLiteral("nearDuplicates"));
    m_near->setChecked(true);
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setObjectName(QStringLiteral("dedupThreshold"));
    m_threshold->setRange(0.5, 1.0);
    m_threshold->setSingleStep(0.05);
    m_threshold->setValue(0.8);
    m_find = new QPushButton(tr("Find"), this);
    m_find->setObjectName(QStringLiteral("findDuplicates"));
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("dedupSummary"));
    m_summary->setWordWrap(true);
    m_groups = new QTreeWidget(this);
    m_groups->setObjectName(QStringLiteral("duplicateGroups"));
    m_groups->setHeaderLabels({tr("Group / example (the first is kept)")});
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_apply = buttons->addButton(tr("Remove duplicates"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("applyDedup"));
    m_apply->setEnabled(false);
    auto* row = new QHBoxLayout;
    row->addWidget(m_near);
    row->addWidget(m_threshold);
    row->addStretch(1);
    row->addWidget(m_find);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_progress);
    layout->addWidget(m_summary);
    layout->addWidget(m_groups, 1);
    layout->addWidget(buttons);
    resize(680, 480);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_find, &QPushButton::clicked, this, &DatasetDedupDialog::find);
    connect(m_apply, &QPushButton::clicked, this, &DatasetDedupDialog::apply);
    connect(m_near, &QCheckBox::toggled, m_threshold, &QWidget::setEnabled);
    find();
}

DatasetDedupDialog::~DatasetDedupDialog()
{
    if (m_control)
        m_control->cancelled = true;
}

void DatasetDedupDialog::find()
{
    if (m_control) { // the button cancels while it runs
        m_control->cancelled = true;
        return;
    }
    m_groups->clear();
    m_remove.clear();
    m_apply->setEnabled(false);
    m_summary->setText(tr("Looking for duplicates…"));
    m_progress->setValue(0);
    m_progress->show();
    m_find->setText(tr("Cancel"));
    DedupSettings settings;
    settings.nearDuplicates = m_near->isChecked();
    settings.threshold = m_threshold->value();
    const QString database = m_session->databasePath();
    const qint64 datasetId = m_datasetId;
    auto* timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this] {
        if (m_control)
            m_progress->setValue(m_control->permille());
    });
    timer->start(100);
    m_control = startTask<Found>(
        this, m_session->pool(),
        [database, datasetId, settings](TaskControl& control) {
            const std::vector<StoredExample> stored = ExampleStore(threadConnection(database)).examples(datasetId);
            std::vector<ExampleRecord> records;
            records.reserve(stored.size());
            for (const StoredExample& example : stored)
                records.push_back(example.record);
            const std::vector<DuplicateGroup> groups = findDuplicates(records, settings, control.callback());
            if (control.cancelled)
                throw Error(QStringLiteral("cancelled"));
            Found found;
            found.groupCount = static_cast<qint64>(groups.size());
            for (const DuplicateGroup& group : groups) {
                for (size_t i = 1; i < group.indices.size(); ++i)
                    found.remove.push_back(stored[size_t(group.indices[i])].id);
                if (found.groups.size() >= size_t(kShownGroups))
                    continue;
                Found::Group shown;
                shown.exact = group.exact;
                shown.similarity = group.similarity;
                for (const int64_t index : group.indices) {
                    const ExampleRecord& record = records[size_t(index)];
                    const QString text = record.isMultiTurn() ? record.turns.front().content : record.instruction;
                    shown.lines << QStringLiteral("#%1 %2").arg(index + 1).arg(text.left(120).simplified());
                }
                found.groups.push_back(shown);
            }
            return found;
        },
        [this, timer](TaskOutcome<Found> outcome) {
            m_control.reset();
            timer->deleteLater();
            m_progress->hide();
            m_find->setText(tr("Find"));
            if (!outcome.value) {
                m_summary->setText(outcome.cancelled ? tr("Cancelled.") : tr("Failed: %1").arg(outcome.error));
                emit reportReady();
                return;
            }
            const Found& found = *outcome.value;
            for (const Found::Group& group : found.groups) {
                auto* item = new QTreeWidgetItem(
                    m_groups, {group.exact ? tr("exact duplicates")
                                           : tr("near duplicates (similarity ≥ %1)").arg(group.similarity, 0, 'f', 2)});
                for (int i = 0; i < group.lines.size(); ++i)
                    new QTreeWidgetItem(item, {(i == 0 ? tr("keep   ") : tr("remove ")) + group.lines[i]});
                item->setExpanded(true);
            }
            m_remove = found.remove;
            m_summary->setText(found.groupCount == 0
                                   ? tr("No duplicates found.")
                                   : tr("%1 group(s) of duplicates; removing keeps the first of each and deletes %n "
                                        "example(s) (undoable).",
                                        nullptr, static_cast<int>(m_remove.size()))
                                         .arg(found.groupCount));
            m_apply->setEnabled(!m_remove.empty());
            emit reportReady();
        });
    m_session->track(m_control); // cancelled when the workspace closes
}

void DatasetDedupDialog::apply()
{
    if (m_remove.empty() || m_control)
        return;
    m_session->undoStack()->push(new RemoveExamplesCommand(
        m_session, m_datasetId, m_remove, tr("Remove %n duplicate(s)", nullptr, static_cast<int>(m_remove.size()))));
    accept();
}

} // namespace ft::ui
