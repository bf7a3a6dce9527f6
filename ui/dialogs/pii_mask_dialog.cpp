#include "dialogs/pii_mask_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "models/background_task.h"
#include "store/database.h"

namespace ft::ui {

namespace {

// The fields of an example that masking changed: (field, before, after).
struct FieldChange {
    QString field;
    QString before;
    QString after;
};

std::vector<FieldChange> changedFields(const ExampleRecord& before, const ExampleRecord& after)
{
    std::vector<FieldChange> fields;
    const auto compare = [&](const QString& name, const QString& a, const QString& b) {
        if (a != b)
            fields.push_back({name, a, b});
    };
    compare(QObject::tr("system"), before.system, after.system);
    compare(QObject::tr("instruction"), before.instruction, after.instruction);
    compare(QObject::tr("input"), before.input, after.input);
    compare(QObject::tr("response"), before.response, after.response);
    for (size_t i = 0; i < before.turns.size() && i < after.turns.size(); ++i)
        compare(QObject::tr("turn %1 (%2)")
                    .arg(i + 1)
                    .arg(before.turns[i].role == ChatTurn::Role::User ? QObject::tr("user") : QObject::tr("assistant")),
                before.turns[i].content, after.turns[i].content);
    return fields;
}

QTableWidgetItem* cell(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(text);
    return item;
}

} // namespace

int PiiMasking::items() const
{
    int total = 0;
    for (const auto& [type, count] : counts)
        total += count;
    return total;
}

PiiMasking findPiiMasking(const QString& databasePath, const std::vector<qint64>& ids, TaskControl* control)
{
    PiiMasking masking;
    const std::vector<StoredExample> examples = ExampleStore(threadConnection(databasePath)).examplesById(ids);
    for (const StoredExample& example : examples) {
        if (control) {
            if (control->cancelled)
                break;
            control->done = masking.scanned;
            control->total = static_cast<qint64>(examples.size());
        }
        ++masking.scanned;
        const PiiMaskResult result = maskPii(example.record);
        if (!result.changed)
            continue;
        masking.before.push_back({example.id, example.record});
        masking.changes.push_back({example.id, result.masked});
        for (const auto& [type, count] : result.counts)
            masking.counts[type] += count;
    }
    return masking;
}

PiiMaskDialog::PiiMaskDialog(const PiiMasking& masking, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("piiMaskDialog"));
    setWindowTitle(tr("Mask personal data"));
    const int examples = static_cast<int>(masking.changes.size());

    auto* summary =
        new QLabel(tr("%1 item(s) of personal data in %n of the %2 selected example(s) would become placeholders. "
                      "Nothing changes until you press Mask; Undo (Ctrl+Z) reverts it as one step.",
                      nullptr, examples)
                       .arg(masking.items())
                       .arg(masking.scanned),
                   this);
    summary->setObjectName(QStringLiteral("piiSummary"));
    summary->setWordWrap(true);

    auto* counts = new QTableWidget(static_cast<int>(masking.counts.size()), 3, this);
    counts->setObjectName(QStringLiteral("piiCounts"));
    counts->setHorizontalHeaderLabels({tr("Type"), tr("Becomes"), tr("Found")});
    counts->verticalHeader()->hide();
    counts->horizontalHeader()->setStretchLastSection(true);
    int row = 0;
    for (const auto& [type, count] : masking.counts) {
        counts->setItem(row, 0, cell(piiTypeName(type)));
        counts->setItem(row, 1, cell(piiPlaceholder(type)));
        counts->setItem(row, 2, cell(QString::number(count)));
        ++row;
    }
    counts->setMaximumHeight(counts->horizontalHeader()->height() + 8 +
                             row * counts->verticalHeader()->defaultSectionSize());

    auto* preview = new QTableWidget(0, 3, this);
    preview->setObjectName(QStringLiteral("piiPreview"));
    preview->setHorizontalHeaderLabels({tr("Field"), tr("Before"), tr("After")});
    preview->verticalHeader()->hide();
    preview->setWordWrap(true);
    preview->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    preview->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    const int shown = std::min(examples, kPreviewExamples);
    for (int i = 0; i < shown; ++i) {
        for (const FieldChange& change :
             changedFields(masking.before[size_t(i)].record, masking.changes[size_t(i)].record)) {
            const int at = preview->rowCount();
            preview->insertRow(at);
            preview->setItem(at, 0, cell(tr("#%1 %2").arg(masking.changes[size_t(i)].id).arg(change.field)));
            preview->setItem(at, 1, cell(change.before));
            preview->setItem(at, 2, cell(change.after));
        }
    }
    preview->resizeRowsToContents();
    auto* previewLabel =
        new QLabel(examples > shown ? tr("The first %1 of %2 examples that change:").arg(shown).arg(examples)
                                    : tr("The examples that change:"),
                   this);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_mask = buttons->addButton(tr("Mask %n example(s)", nullptr, examples), QDialogButtonBox::AcceptRole);
    m_mask->setObjectName(QStringLiteral("applyMask"));
    m_mask->setEnabled(examples > 0);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addWidget(counts);
    layout->addWidget(previewLabel);
    layout->addWidget(preview, 1);
    layout->addWidget(buttons);
    resize(820, 520);
}

} // namespace ft::ui
