#include "dialogs/dataset_validate_dialog.h"

#include <map>

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include "data/validation.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/example_store.h"
#include "undo/example_commands.h"

namespace ft::ui {

namespace {

int flagOf(IssueKind kind)
{
    switch (kind) {
    case IssueKind::EmptyInstruction:
    case IssueKind::EmptyResponse:
        return FlagEmpty;
    case IssueKind::Duplicate:
        return FlagDuplicate;
    case IssueKind::TooLong:
        return FlagTooLong;
    case IssueKind::ControlCharacters:
        return FlagControlCharacters;
    case IssueKind::Pii:
        return FlagPii;
    }
    return 0;
}

constexpr int kShownFindings = 2000;

} // namespace

struct DatasetValidateDialog::Result {
    qint64 examples = 0;
    std::map<IssueKind, int64_t> counts;
    QStringList findings; // the first kShownFindings, "#12 duplicate: duplicate of #3"
    qint64 moreFindings = 0;
    std::vector<std::pair<qint64, int>> after, before; // only examples whose flags change
    int mask = 0;
};

DatasetValidateDialog::DatasetValidateDialog(DatasetSession* session, qint64 datasetId, const TokenSetup& setup,
                                             QWidget* parent)
    : QDialog(parent)
    , m_session(session)
    , m_datasetId(datasetId)
{
    setWindowTitle(tr("Validate dataset"));
    setObjectName(QStringLiteral("validateDialog"));
    m_summary = new QLabel(tr("Validating…"), this);
    m_summary->setObjectName(QStringLiteral("validationSummary"));
    m_summary->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_findings = new QListWidget(this);
    m_findings->setObjectName(QStringLiteral("validationFindings"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_apply = buttons->addButton(tr("Apply flags"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("applyValidation"));
    m_apply->setEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_progress);
    layout->addWidget(m_findings, 1);
    layout->addWidget(buttons);
    resize(640, 480);
    connect(buttons, &QDialogButtonBox::rejected, this, [this] {
        if (m_control)
            m_control->cancelled = true;
        reject();
    });
    connect(m_apply, &QPushButton::clicked, this, &DatasetValidateDialog::apply);

    const QString database = session->databasePath();
    auto* timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, [this] {
        if (m_control)
            m_progress->setValue(m_control->permille());
    });
    timer->start(100);
    m_control = startTask<Result>(
        this, session->pool(),
        [database, datasetId, setup](TaskControl& control) {
            const std::vector<StoredExample> stored = ExampleStore(threadConnection(database)).examples(datasetId);
            std::vector<ExampleRecord> records;
            records.reserve(stored.size());
            for (const StoredExample& example : stored)
                records.push_back(example.record);
            ValidationSettings settings;
            if (setup.valid() && setup.contextLength > 0) {
                settings.tokenizer = setup.tokenizer.get();
                settings.promptTemplate = &setup.promptTemplate;
                settings.maxTokens = setup.contextLength;
            }
            const ValidationReport report = validateExamples(records, settings, control.callback());
            if (report.cancelled)
                throw Error(QStringLiteral("cancelled"));
            Result result;
            result.examples = report.examples;
            result.counts = report.counts;
            result.mask = FlagEmpty | FlagControlCharacters | FlagDuplicate | FlagPii |
                          (settings.tokenizer ? int(FlagTooLong) : 0);
            std::vector<int> flags(stored.size(), 0);
            for (const ValidationFinding& finding : report.findings) {
                flags[size_t(finding.index)] |= flagOf(finding.kind);
                if (result.findings.size() < kShownFindings)
                    result.findings << QStringLiteral("#%1 %2: %3")
                                           .arg(finding.index + 1)
                                           .arg(issueKindName(finding.kind), finding.detail);
                else
                    ++result.moreFindings;
            }
            for (size_t i = 0; i < stored.size(); ++i) {
                const int before = stored[i].flags & result.mask;
                if (before != flags[i]) {
                    result.after.emplace_back(stored[i].id, flags[i]);
                    result.before.emplace_back(stored[i].id, before);
                }
            }
            return result;
        },
        [this, timer](TaskOutcome<Result> outcome) {
            m_control.reset();
            timer->stop();
            m_progress->hide();
            if (!outcome.value) {
                m_summary->setText(outcome.cancelled ? tr("Cancelled.")
                                                     : tr("Validation failed: %1").arg(outcome.error));
            } else {
                showResult(*outcome.value);
            }
            emit reportReady();
        });
    m_session->track(m_control); // cancelled when the workspace closes
}

DatasetValidateDialog::~DatasetValidateDialog()
{
    if (m_control)
        m_control->cancelled = true;
}

void DatasetValidateDialog::showResult(const Result& result)
{
    QStringList counts;
    for (const auto& [kind, count] : result.counts)
        counts << QStringLiteral("%1 %2").arg(count).arg(issueKindName(kind));
    QString text = tr("%n example(s) checked. ", nullptr, static_cast<int>(result.examples)) +
                   (counts.isEmpty() ? tr("Nothing found.") : tr("Found: %1.").arg(counts.join(QStringLiteral(", "))));
    if (!(result.mask & FlagTooLong))
        text += tr(" Lengths were not checked (choose a model for token counts).");
    text += QLatin1Char(' ') + (result.after.empty() ? tr("The flags are already up to date.")
                                                     : tr("Apply changes the flags of %n example(s) (undoable).",
                                                          nullptr, static_cast<int>(result.after.size())));
    m_summary->setText(text);
    m_findings->addItems(result.findings);
    if (result.moreFindings > 0)
        m_findings->addItem(tr("… and %1 more").arg(result.moreFindings));
    m_after = result.after;
    m_before = result.before;
    m_mask = result.mask;
    m_apply->setEnabled(!m_after.empty());
}

void DatasetValidateDialog::apply()
{
    if (m_after.empty())
        return;
    m_session->undoStack()->push(
        new SetFlagsCommand(m_session, m_datasetId, m_after, m_before, m_mask,
                            tr("Validation flags on %n example(s)", nullptr, static_cast<int>(m_after.size()))));
    accept();
}

} // namespace ft::ui
