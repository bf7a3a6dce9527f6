#include "widgets/example_editor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include "common/error.h"
#include "data/example_encoder.h"
#include "models/dataset_session.h"
#include "undo/example_commands.h"
#include "widgets/prompt_preview.h"
#include "widgets/turns_editor.h"

namespace ft::ui {

namespace {

QPlainTextEdit* textBox(const QString& name, int lines, QWidget* parent)
{
    auto* box = new QPlainTextEdit(parent);
    box->setObjectName(name);
    box->setTabChangesFocus(true);
    box->setMinimumHeight(box->fontMetrics().lineSpacing() * lines + 12);
    return box;
}

QStringList parseTags(const QString& text)
{
    QStringList tags;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString tag = part.trimmed();
        if (!tag.isEmpty() && !tags.contains(tag))
            tags << tag;
    }
    return tags;
}

bool sameTurns(const std::vector<ChatTurn>& a, const std::vector<ChatTurn>& b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].role != b[i].role || a[i].content != b[i].content)
            return false;
    return true;
}

bool sameFields(const StoredExample& a, const StoredExample& b)
{
    return a.record.system == b.record.system && sameTurns(a.record.turns, b.record.turns) &&
           a.record.instruction == b.record.instruction && a.record.input == b.record.input &&
           a.record.response == b.record.response && a.record.rejected == b.record.rejected && a.tags == b.tags &&
           a.notes == b.notes && a.split == b.split;
}

} // namespace

ExampleEditor::ExampleEditor(DatasetSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_saveTimer(new QTimer(this))
    , m_previewTimer(new QTimer(this))
{
    m_system = textBox(QStringLiteral("systemEdit"), 2, this);
    m_instruction = textBox(QStringLiteral("instructionEdit"), 3, this);
    m_input = textBox(QStringLiteral("inputEdit"), 2, this);
    m_response = textBox(QStringLiteral("responseEdit"), 4, this);
    m_rejected = textBox(QStringLiteral("rejectedEdit"), 2, this);
    m_rejected->setPlaceholderText(tr("optional: a worse answer, for preference training (DPO)"));
    m_rejected->setToolTip(tr("With a rejected answer the example is a preference pair: DPO raises the response "
                              "over it; the other modes ignore it"));
    m_tags = new QLineEdit(this);
    m_tags->setObjectName(QStringLiteral("tagsEdit"));
    m_tags->setPlaceholderText(tr("comma-separated"));
    m_split = new QComboBox(this);
    m_split->setObjectName(QStringLiteral("splitEdit"));
    for (const Split split : {Split::Train, Split::Validation, Split::Test})
        m_split->addItem(splitName(split), static_cast<int>(split));
    m_notes = textBox(QStringLiteral("notesEdit"), 2, this);
    m_multiTurn = new QLabel(this);
    m_multiTurn->setWordWrap(true);
    m_multiTurn->setObjectName(QStringLiteral("multiTurnNote"));
    m_multiTurn->hide();
    m_turns = new TurnsEditor(this);
    m_turns->setObjectName(QStringLiteral("turnsEditor"));
    m_makeConversation = new QPushButton(tr("Make a conversation"), this);
    m_makeConversation->setObjectName(QStringLiteral("makeConversation"));
    m_makeConversation->setToolTip(tr("Keep this exchange as the first of a multi-turn conversation and add a "
                                      "second (the loss falls on every assistant turn)"));
    m_tokens = new QLabel(this);
    m_tokens->setObjectName(QStringLiteral("tokenCounts"));
    m_tokens->setWordWrap(true);
    m_preview = new QTextBrowser(this);
    m_preview->setObjectName(QStringLiteral("promptPreview"));
    m_preview->setToolTip(tr("The example formatted with the chosen template; the highlighted part carries the loss"));

    m_form = new QFormLayout;
    m_form->addRow(tr("System"), m_system);
    m_form->addRow(tr("Instruction"), m_instruction);
    m_form->addRow(tr("Input"), m_input);
    m_form->addRow(tr("Response"), m_response);
    m_form->addRow(tr("Rejected"), m_rejected);
    m_form->addRow(QString(), m_makeConversation);
    m_form->addRow(QString(), m_multiTurn);
    m_form->addRow(tr("Turns"), m_turns);
    m_form->addRow(tr("Tags"), m_tags);
    m_form->addRow(tr("Split"), m_split);
    m_form->addRow(tr("Notes"), m_notes);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_form, 3);
    layout->addWidget(m_tokens);
    layout->addWidget(m_preview, 2);

    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(kSaveDelayMs);
    connect(m_saveTimer, &QTimer::timeout, this, &ExampleEditor::flush);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(120);
    connect(m_previewTimer, &QTimer::timeout, this, &ExampleEditor::updatePreview);
    for (QPlainTextEdit* box : {m_system, m_instruction, m_input, m_response, m_rejected, m_notes})
        connect(box, &QPlainTextEdit::textChanged, this, &ExampleEditor::onFieldChanged);
    connect(m_turns, &TurnsEditor::changed, this, &ExampleEditor::onFieldChanged);
    connect(m_makeConversation, &QPushButton::clicked, this, &ExampleEditor::makeConversation);
    connect(m_tags, &QLineEdit::textEdited, this, &ExampleEditor::onFieldChanged);
    connect(m_tags, &QLineEdit::editingFinished, this, &ExampleEditor::flush);
    connect(m_split, &QComboBox::activated, this, [this] {
        onFieldChanged();
        flush(); // a choice is a finished edit
    });
    connect(m_session, &DatasetSession::examplesChanged, this, &ExampleEditor::onExamplesChanged);
    connect(m_session, &DatasetSession::closed, this, [this] { setExample(0); });
    setExample(0);
}

void ExampleEditor::setExample(qint64 id)
{
    flush();
    ++m_mergeKey; // a new visit: its saves are a new undo step
    m_current.reset();
    if (id > 0 && m_session->isOpen()) {
        try {
            m_current = m_session->examples().example(id);
        } catch (const Error& error) {
            m_session->reportError(error.message());
        }
    }
    load();
}

void ExampleEditor::load()
{
    m_loading = true;
    const bool has = m_current.has_value();
    const bool multi = has && m_current->record.isMultiTurn();
    setEnabled(has);
    const ExampleRecord record = has ? m_current->record : ExampleRecord{};
    m_system->setPlainText(record.system);
    m_instruction->setPlainText(multi ? QString() : record.instruction);
    m_input->setPlainText(multi ? QString() : record.input);
    m_response->setPlainText(multi ? QString() : record.response);
    m_rejected->setPlainText(multi ? QString() : record.rejected);
    m_turns->setTurns(multi ? record.turns : std::vector<ChatTurn>{});
    showConversation(multi);
    m_tags->setText(has ? m_current->tags.join(QStringLiteral(", ")) : QString());
    m_split->setCurrentIndex(has ? m_split->findData(static_cast<int>(m_current->split)) : 0);
    m_notes->setPlainText(has ? m_current->notes : QString());
    m_loading = false;
    updatePreview();
}

StoredExample ExampleEditor::edited() const
{
    StoredExample example = *m_current;
    example.record.system = m_system->toPlainText();
    if (m_conversation) {
        example.record.turns = m_turns->turns();
        example.record.instruction.clear();
        example.record.input.clear();
        example.record.response.clear();
        example.record.rejected.clear();
        if (example.record.turns.size() == 2) { // one exchange left: a plain example again, as import makes it
            example.record.instruction = example.record.turns[0].content;
            example.record.response = example.record.turns[1].content;
            example.record.turns.clear();
        }
    } else {
        example.record.turns.clear();
        example.record.instruction = m_instruction->toPlainText();
        example.record.input = m_input->toPlainText();
        example.record.response = m_response->toPlainText();
        // Blank is none: only a typed answer makes the example a pair.
        const QString rejected = m_rejected->toPlainText();
        example.record.rejected = rejected.trimmed().isEmpty() ? QString() : rejected;
    }
    example.tags = parseTags(m_tags->text());
    example.split = static_cast<Split>(m_split->currentData().toInt());
    example.notes = m_notes->toPlainText();
    return example;
}

bool ExampleEditor::hasPendingChanges() const { return m_current && !sameFields(*m_current, edited()); }

void ExampleEditor::onFieldChanged()
{
    if (m_loading || !m_current)
        return;
    m_saveTimer->start();
    m_previewTimer->start();
}

void ExampleEditor::flush()
{
    m_saveTimer->stop();
    if (!hasPendingChanges())
        return;
    const StoredExample before = *m_current;
    const StoredExample after = edited();
    m_current = after; // before the push: the change notification must not reload the fields
    const bool collapsed = m_conversation && !after.record.isMultiTurn();
    const quint64 errors = m_session->errorCount();
    m_session->undoStack()->push(new EditExampleCommand(m_session, before, after, m_mergeKey));
    if (m_session->errorCount() != errors) {
        // Not saved (the database stayed locked, say; the error is shown): the text stays in the
        // fields as an unsaved change and is written again shortly.
        m_current = before;
        m_saveTimer->start();
        return;
    }
    if (collapsed) // the conversation is down to one exchange: show it as instruction and response
        load();
}

void ExampleEditor::showConversation(bool conversation)
{
    m_conversation = conversation;
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_instruction, m_input, m_response, m_rejected, m_makeConversation})
        m_form->setRowVisible(w, !conversation);
    m_form->setRowVisible(m_turns, conversation);
    m_form->setRowVisible(m_multiTurn, conversation);
    if (conversation)
        m_multiTurn->setText(tr("A conversation: every assistant turn carries the loss."));
}

void ExampleEditor::makeConversation()
{
    if (!m_current || m_conversation)
        return;
    const QString input = m_input->toPlainText();
    const QString user =
        input.isEmpty() ? m_instruction->toPlainText() : m_instruction->toPlainText() + QStringLiteral("\n\n") + input;
    m_turns->setTurns({{ChatTurn::Role::User, user}, {ChatTurn::Role::Assistant, m_response->toPlainText()}});
    showConversation(true);
    m_turns->addExchange(); // changed(): saved shortly, one undo step with what is typed next
}

void ExampleEditor::onExamplesChanged(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved)
{
    Q_UNUSED(datasetId);
    Q_UNUSED(rowsAddedOrRemoved);
    if (!m_current || !ids.contains(m_current->id))
        return;
    std::optional<StoredExample> now;
    try {
        now = m_session->examples().example(m_current->id);
    } catch (const Error&) {
    }
    if (!now) { // deleted
        m_saveTimer->stop();
        m_current.reset();
        load();
        return;
    }
    if (sameFields(*now, *m_current) && now->flags == m_current->flags)
        return; // our own save
    m_saveTimer->stop();
    m_current = now;
    ++m_mergeKey; // an undo or a bulk action came between: typing after it is a new step
    load();
}

void ExampleEditor::setTokenSetup(const TokenSetup& setup)
{
    m_setup = setup;
    updatePreview();
}

QString ExampleEditor::tokenSummary() const { return m_tokens->text(); }

void ExampleEditor::updatePreview()
{
    if (!m_current) {
        m_preview->clear();
        m_tokens->clear();
        return;
    }
    const ExampleRecord record = edited().record;
    m_preview->setHtml(promptPreviewHtml(m_setup.promptTemplate, record));
    if (!m_setup.valid()) {
        m_tokens->setText(tr("Template %1. Choose a model to count tokens.").arg(m_setup.promptTemplate.name));
        return;
    }
    try {
        const TokenizedExample encoded =
            encodeExample(*m_setup.tokenizer, m_setup.promptTemplate, record, LossOn::Response, 0);
        const qint64 total = encoded.promptTokens + encoded.responseTokens;
        QString text = tr("%1 tokens: %2 prompt + %3 response (loss on %3)")
                           .arg(total)
                           .arg(encoded.promptTokens)
                           .arg(encoded.responseTokens);
        if (m_setup.contextLength > 0 && total > m_setup.contextLength)
            text += tr(" — longer than the context of %1: cut off in training").arg(m_setup.contextLength);
        m_tokens->setText(text);
    } catch (const Error& error) {
        m_tokens->setText(error.message());
    }
}

} // namespace ft::ui
