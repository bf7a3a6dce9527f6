#include "widgets/generation_column.h"

#include <cmath>

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QToolButton>
#include <QVBoxLayout>

#include "common/error.h"

namespace ft::ui {

GenerationColumn::GenerationColumn(QWidget* parent)
    : QFrame(parent)
    , m_model(new QComboBox(this))
    , m_browse(new QToolButton(this))
    , m_remove(new QToolButton(this))
    , m_output(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
    , m_process(new GenerationProcess(this))
{
    setFrameShape(QFrame::StyledPanel);
    m_model->setObjectName(QStringLiteral("columnModel"));
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(16);
    m_model->setPlaceholderText(tr("Choose a model…"));
    m_browse->setText(tr("…"));
    m_browse->setToolTip(tr("Choose a model folder"));
    m_remove->setText(tr("✕"));
    m_remove->setToolTip(tr("Remove this column"));
    m_output->setObjectName(QStringLiteral("columnOutput"));
    m_output->setReadOnly(true);
    m_output->setPlaceholderText(tr("The conversation with this model appears here, its answers as they come."));
    m_status->setObjectName(QStringLiteral("columnStatus"));
    m_status->setWordWrap(true);
    auto* top = new QHBoxLayout;
    top->addWidget(m_model, 1);
    top->addWidget(m_browse);
    top->addWidget(m_remove);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_output, 1);
    layout->addWidget(m_status);

    connect(m_browse, &QToolButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Model folder"), QFileInfo(model()).absolutePath());
        if (!folder.isEmpty())
            setModel(folder);
    });
    connect(m_remove, &QToolButton::clicked, this, &GenerationColumn::removeRequested);
    connect(m_process, &GenerationProcess::textArrived, this, [this](const QString& piece) {
        m_lastAnswer += piece;
        QTextCursor cursor(m_output->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(piece, QTextCharFormat());
        m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
    });
    connect(m_process, &GenerationProcess::finished, this, [this](const GenerationResult& result) {
        m_lastAnswer = result.text;
        if (result.text.trimmed().isEmpty()) {
            // An empty answer is no turn of a conversation (nor of a dataset example made from it).
            answerEnded(result.stopReason == QLatin1String("context")
                            ? tr("(no answer: the conversation no longer fits the model's context; start a New chat)")
                            : tr("(no answer; this message is not part of the conversation)"));
        } else {
            if (m_turns.empty()) // raw text takes no system prompt
                m_system = result.promptTemplate == QLatin1String("none") ? QString() : m_pendingSystem;
            m_turns.push_back({ChatTurn::Role::User, m_pendingMessage});
            m_turns.push_back({ChatTurn::Role::Assistant, result.text});
            answerEnded({});
        }
        m_status->setText(tr("%1 tokens · %2 tokens/s · stopped: %3")
                              .arg(result.newTokens)
                              .arg(std::isfinite(result.tokensPerSecond)
                                       ? QString::number(result.tokensPerSecond, 'f', 1)
                                       : QStringLiteral("?"),
                                   result.stopReason));
        emit done();
    });
    connect(m_process, &GenerationProcess::failed, this, [this](const QString& message) {
        answerEnded(m_lastAnswer.isEmpty() ? tr("(no answer; this message is not part of the conversation)")
                                           : tr("(failed; this message is not part of the conversation)"));
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
        emit done();
    });
    connect(m_process, &GenerationProcess::cancelled, this, [this] {
        // What was seen is kept: a cancelled answer with text stays in the conversation as it stands.
        if (!m_lastAnswer.trimmed().isEmpty()) {
            if (m_turns.empty())
                m_system = m_pendingSystem;
            m_turns.push_back({ChatTurn::Role::User, m_pendingMessage});
            m_turns.push_back({ChatTurn::Role::Assistant, m_lastAnswer});
            answerEnded(tr("(stopped)"));
        } else {
            answerEnded(tr("(cancelled; this message is not part of the conversation)"));
        }
        m_status->setText(tr("Cancelled."));
        emit done();
    });
}

void GenerationColumn::setCandidates(const QList<ModelChoice>& candidates)
{
    const QString current = model();
    const QString currentCheckpoint = checkpoint();
    const QSignalBlocker blocker(m_model);
    m_model->clear();
    for (const ModelChoice& choice : candidates) {
        m_model->addItem(choice.label, choice.path);
        m_model->setItemData(m_model->count() - 1, choice.checkpoint, Qt::UserRole + 1);
        m_model->setItemData(m_model->count() - 1, choice.path, Qt::ToolTipRole);
    }
    if (!current.isEmpty())
        setModel(current, currentCheckpoint);
}

void GenerationColumn::setModel(const QString& path, const QString& checkpoint)
{
    int index = -1;
    for (int i = 0; i < m_model->count() && index < 0; ++i)
        if (m_model->itemData(i).toString() == path && m_model->itemData(i, Qt::UserRole + 1).toString() == checkpoint)
            index = i;
    if (index < 0) {
        const QString name = QFileInfo(path).fileName();
        m_model->addItem(checkpoint.isEmpty() ? name : QStringLiteral("%1 · %2").arg(name, checkpoint), path);
        index = m_model->count() - 1;
        m_model->setItemData(index, checkpoint, Qt::UserRole + 1);
        m_model->setItemData(index, path, Qt::ToolTipRole);
    }
    m_model->setCurrentIndex(index);
}

QString GenerationColumn::model() const { return m_model->currentData().toString(); }

QString GenerationColumn::checkpoint() const { return m_model->currentData(Qt::UserRole + 1).toString(); }

QString GenerationColumn::modelLabel() const { return m_model->currentText(); }

QString GenerationColumn::transcript() const { return m_output->toPlainText(); }

void GenerationColumn::clearConversation()
{
    if (isRunning())
        return;
    m_turns.clear();
    m_pendingMessage.clear();
    m_system.clear();
    m_lastAnswer.clear();
    m_output->clear();
    m_status->clear();
}

void GenerationColumn::appendTurnHeading(const QString& who)
{
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_output->document()->isEmpty())
        cursor.insertText(QStringLiteral("\n\n"), QTextCharFormat());
    QTextCharFormat heading;
    heading.setFontWeight(QFont::Bold);
    cursor.insertText(who + QLatin1Char('\n'), heading);
}

void GenerationColumn::answerEnded(const QString& note)
{
    if (note.isEmpty())
        return;
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    QTextCharFormat italic;
    italic.setFontItalic(true);
    cursor.insertText((m_lastAnswer.isEmpty() ? QString() : QStringLiteral(" ")) + note, italic);
}

bool GenerationColumn::start(GenerationRequest request, const QString& message)
{
    if (model().isEmpty()) {
        m_status->setText(
            QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(tr("Choose a model for this column.")));
        emit done();
        return false;
    }
    try {
        if (checkpoint().isEmpty())
            request.chooseModel(model()); // an adapter runs on its base model (a small JSON file read)
        else
            request.model = model(), request.checkpoint = checkpoint();
    } catch (const Error& error) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.message().toHtmlEscaped()));
        emit done();
        return false;
    }
    request.history = m_turns;
    if (!m_turns.empty())
        request.system = m_system; // the conversation keeps the system prompt it began with
    m_pendingSystem = request.promptTemplate.isEmpty() ? QString() : request.system; // raw text takes none
    request.prompt = message;
    m_pendingMessage = message;
    m_lastAnswer.clear();
    appendTurnHeading(tr("You"));
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(message, QTextCharFormat());
    appendTurnHeading(modelLabel());
    m_status->setText(tr("Generating…"));
    m_process->start(request);
    return true;
}

void GenerationColumn::cancel() { m_process->cancel(); }

} // namespace ft::ui
