#include "dialogs/gguf_export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "runs/cli_task.h"

namespace ft::ui {

namespace {

struct TypeChoice {
    const char* name;  // what --type takes
    const char* label; // what the user reads
};

// Most useful first: F16 keeps the weights as trained; Q8_0 halves them with no visible loss; Q4_K_M is what
// people run on small machines.
const TypeChoice kTypes[] = {
    {"f16", QT_TRANSLATE_NOOP("GgufExportDialog", "F16: half precision, the weights as trained")},
    {"q8_0", QT_TRANSLATE_NOOP("GgufExportDialog", "Q8_0: 8-bit, about half of F16, nearly lossless")},
    {"q4_k_m", QT_TRANSLATE_NOOP("GgufExportDialog", "Q4_K_M: 4-bit k-quants, small, for laptops")},
    {"q4_0", QT_TRANSLATE_NOOP("GgufExportDialog", "Q4_0: 4-bit, the older format")},
    {"bf16", QT_TRANSLATE_NOOP("GgufExportDialog", "BF16: bfloat16, F16's size with float32's range")},
    {"f32", QT_TRANSLATE_NOOP("GgufExportDialog", "F32: full precision, the largest")},
};

} // namespace

GgufExportDialog::GgufExportDialog(const QString& source, const QString& outFolder, const QString& baseName,
                                   const QString& cliPath, QWidget* parent)
    : QDialog(parent)
    , m_source(source)
    , m_outFolder(outFolder)
    , m_baseName(baseName)
    , m_process(new GgufExportProcess(this))
    , m_estimator(new CliTask(this))
{
    setWindowTitle(tr("Export to GGUF"));
    m_process->setCliPath(cliPath);
    m_estimator->setCliPath(cliPath);

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("ggufType"));
    for (const TypeChoice& choice : kTypes)
        m_type->addItem(tr(choice.label), QLatin1String(choice.name));
    m_estimate = new QLabel(tr("estimating the size…"), this);
    m_estimate->setObjectName(QStringLiteral("ggufEstimate"));
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("ggufPath"));
    m_browse = new QPushButton(tr("Browse…"), this);
    m_modelfile = new QCheckBox(tr("Write an Ollama Modelfile beside it (ollama create NAME -f Modelfile)"), this);
    m_modelfile->setObjectName(QStringLiteral("ggufModelfile"));
    m_modelfile->setChecked(true);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("ggufProgress"));
    m_progress->setVisible(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("ggufStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_export = m_buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_export->setObjectName(QStringLiteral("ggufExport"));
    m_export->setDefault(true);
    m_cancel = m_buttons->addButton(tr("Cancel export"), QDialogButtonBox::ActionRole);
    m_cancel->setObjectName(QStringLiteral("ggufCancel"));
    m_cancel->setVisible(false);

    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Type:"), m_type);
    form->addRow(tr("Size:"), m_estimate);
    form->addRow(tr("File:"), pathRow);
    form->addRow(QString(), m_modelfile);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("One file with the weights, the tokenizer and the chat template, for llama.cpp, "
                                "Ollama and LM Studio. Norms stay F32; rows that fit no block of the type "
                                "fall back to one that does."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(620, sizeHint().height());

    connect(m_type, qOverload<int>(&QComboBox::currentIndexChanged), this, &GgufExportDialog::onTypeChanged);
    connect(m_path, &QLineEdit::textEdited, this, [this] { m_pathEdited = true; });
    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString chosen =
            QFileDialog::getSaveFileName(this, tr("Export to GGUF"), outPath(), tr("GGUF files (*.gguf)"));
        if (!chosen.isEmpty()) {
            m_path->setText(chosen);
            m_pathEdited = true;
        }
    });
    connect(m_export, &QPushButton::clicked, this, &GgufExportDialog::startExport);
    connect(m_cancel, &QPushButton::clicked, m_process, &GgufExportProcess::cancel);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &GgufExportDialog::reject);
    connect(m_process, &GgufExportProcess::progress, this, [this](qint64 done, qint64 total) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
        m_progress->setFormat(
            QStringLiteral("%1 / %2").arg(QLocale().formattedDataSize(done), QLocale().formattedDataSize(total)));
    });
    connect(m_process, &GgufExportProcess::ended, this, &GgufExportDialog::onEnded);
    connect(m_estimator, &CliTask::done, this, &GgufExportDialog::onEstimates);

    onTypeChanged();
    GgufExportRequest request;
    request.source = m_source;
    m_estimator->start(request.estimateArguments());
}

QString GgufExportDialog::type() const { return m_type->currentData().toString(); }

QString GgufExportDialog::outPath() const { return m_path->text().trimmed(); }

void GgufExportDialog::onTypeChanged()
{
    if (!m_pathEdited)
        m_path->setText(QDir(m_outFolder).filePath(QStringLiteral("%1-%2.gguf").arg(m_baseName, type())));
    updateEstimateText();
}

void GgufExportDialog::onEstimates(const CliTaskResult& result)
{
    m_sizes = result.ok ? parseGgufEstimates(result.out) : QMap<QString, qint64>{};
    m_estimateError = result.ok ? QString() : result.message;
    updateEstimateText();
    emit estimatesReady();
}

void GgufExportDialog::updateEstimateText()
{
    if (m_estimator->isRunning())
        return;
    const qint64 bytes = m_sizes.value(type().toUpper(), 0);
    if (bytes > 0)
        m_estimate->setText(tr("about %1").arg(QLocale().formattedDataSize(bytes)));
    else
        m_estimate->setText(m_estimateError.isEmpty() ? tr("unknown")
                                                      : tr("unknown: %1").arg(m_estimateError.left(300)));
}

void GgufExportDialog::setBusy(bool busy)
{
    for (QWidget* w : std::initializer_list<QWidget*>{m_type, m_path, m_browse, m_modelfile, m_export})
        w->setEnabled(!busy);
    m_cancel->setVisible(busy);
    m_progress->setVisible(busy || m_progress->value() > 0);
}

void GgufExportDialog::startExport()
{
    if (m_process->isRunning())
        return;
    const QString path = outPath();
    if (path.isEmpty() || !path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) {
        m_status->setText(tr("Choose a file name ending in .gguf."));
        return;
    }
    const QFileInfo target(path);
    if (!target.absoluteDir().exists() && !QDir().mkpath(target.absolutePath())) {
        m_status->setText(tr("%1: the folder cannot be created.").arg(target.absolutePath()));
        return;
    }
    GgufExportRequest request;
    request.source = m_source;
    request.outPath = target.absoluteFilePath();
    request.type = type();
    request.modelfile = m_modelfile->isChecked();
    m_progress->setRange(0, 0); // until the first report
    m_progress->setValue(0);
    m_status->setText(target.exists() ? tr("Exporting; %1 will be replaced when the export ends.").arg(path)
                                      : tr("Exporting…"));
    setBusy(true);
    m_process->start(request);
}

void GgufExportDialog::onEnded(const GgufExportEnd& end)
{
    setBusy(false);
    m_progress->setRange(0, 1000);
    if (end.status == QLatin1String("finished")) {
        m_progress->setValue(1000);
        QString text = tr("Wrote %1 (%2).").arg(end.path, QLocale().formattedDataSize(end.bytes));
        if (!end.modelfile.isEmpty())
            text +=
                QLatin1Char(' ') + tr("For Ollama: ollama create %1 -f %2").arg(m_baseName.toLower(), end.modelfile);
        if (!end.fallbacks.isEmpty())
            text += QLatin1Char(' ') + tr("%n tensor(s) in another type (rows that fit no block).", nullptr,
                                          static_cast<int>(end.fallbacks.size()));
        m_status->setText(text);
    } else {
        m_progress->setValue(0);
        m_progress->setVisible(false);
        m_status->setText(end.status == QLatin1String("cancelled") ? tr("Cancelled: nothing was written.")
                                                                   : tr("The export failed: %1").arg(end.message));
    }
    emit exportEnded(end);
    if (m_closeWhenEnded)
        QDialog::reject();
}

void GgufExportDialog::reject()
{
    if (m_process->isRunning()) {
        m_closeWhenEnded = true;
        m_status->setText(tr("Cancelling…"));
        m_process->cancel();
        return;
    }
    QDialog::reject();
}

} // namespace ft::ui
