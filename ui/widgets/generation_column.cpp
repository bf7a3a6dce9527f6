#include "widgets/generation_column.h"

#include <cmath>

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
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
    m_output->setPlaceholderText(tr("The generated text appears here as it comes."));
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
        QTextCursor cursor(m_output->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(piece);
        m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
    });
    connect(m_process, &GenerationProcess::finished, this, [this](const GenerationResult& result) {
        m_status->setText(tr("%1 tokens · %2 tokens/s · stopped: %3")
                              .arg(result.newTokens)
                              .arg(std::isfinite(result.tokensPerSecond)
                                       ? QString::number(result.tokensPerSecond, 'f', 1)
                                       : QStringLiteral("?"),
                                   result.stopReason));
        emit done();
    });
    connect(m_process, &GenerationProcess::failed, this, [this](const QString& message) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
        emit done();
    });
    connect(m_process, &GenerationProcess::cancelled, this, [this] {
        m_status->setText(tr("Cancelled."));
        emit done();
    });
}

void GenerationColumn::setCandidates(const QList<QPair<QString, QString>>& candidates)
{
    const QString current = model();
    const QSignalBlocker blocker(m_model);
    m_model->clear();
    for (const auto& [label, path] : candidates) {
        m_model->addItem(label, path);
        m_model->setItemData(m_model->count() - 1, path, Qt::ToolTipRole);
    }
    if (!current.isEmpty())
        setModel(current);
}

void GenerationColumn::setModel(const QString& path)
{
    int index = m_model->findData(path);
    if (index < 0) {
        m_model->addItem(QFileInfo(path).fileName(), path);
        index = m_model->count() - 1;
    }
    m_model->setCurrentIndex(index);
}

QString GenerationColumn::model() const { return m_model->currentData().toString(); }

QString GenerationColumn::text() const { return m_output->toPlainText(); }

void GenerationColumn::start(GenerationRequest request)
{
    m_output->clear();
    if (model().isEmpty()) {
        m_status->setText(
            QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(tr("Choose a model for this column.")));
        emit done();
        return;
    }
    try {
        request.chooseModel(model()); // an adapter runs on its base model (a small JSON file read)
    } catch (const Error& error) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.message().toHtmlEscaped()));
        emit done();
        return;
    }
    m_status->setText(tr("Generating…"));
    m_process->start(request);
}

void GenerationColumn::cancel() { m_process->cancel(); }

} // namespace ft::ui
