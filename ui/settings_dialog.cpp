#include "settings_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "app_settings.h"
#include "common/cpu_threads.h"
#include "theme.h"

namespace ft::ui {

namespace {

QWidget* folderRow(QLineEdit* edit, QWidget* parent, const QString& title)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QToolButton(row);
    browse->setText(QObject::tr("Choose…"));
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    QObject::connect(browse, &QToolButton::clicked, row, [edit, parent, title] {
        const QString folder = QFileDialog::getExistingDirectory(parent, title, edit->text());
        if (!folder.isEmpty())
            edit->setText(folder);
    });
    return row;
}

} // namespace

SettingsDialog::SettingsDialog(AppSettings* settings, QWidget* parent)
    : QDialog(parent)
    , m_settings(settings)
{
    setWindowTitle(tr("Settings"));
    m_threads = new QSpinBox(this);
    m_threads->setObjectName(QStringLiteral("settingsThreads"));
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all physical cores (%1)").arg(physicalCoreCount()));
    m_threads->setValue(settings->threads());
    m_concurrent = new QSpinBox(this);
    m_concurrent->setObjectName(QStringLiteral("settingsConcurrent"));
    m_concurrent->setRange(1, 16);
    m_concurrent->setValue(settings->maxConcurrentRuns());
    m_concurrent->setToolTip(tr("Runs that train at the same time; the others wait in the queue"));
    m_modelsFolder = new QLineEdit(settings->modelsFolder(), this);
    m_dataFolder = new QLineEdit(settings->dataFilesFolder(), this);
    m_theme = new QComboBox(this);
    m_theme->setObjectName(QStringLiteral("settingsTheme"));
    m_theme->addItem(tr("System"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(m_theme->findData(settings->theme()));

    auto* form = new QFormLayout;
    form->addRow(tr("Compute threads for new runs"), m_threads);
    form->addRow(tr("Runs at once"), m_concurrent);
    form->addRow(tr("Models folder"), folderRow(m_modelsFolder, this, tr("Models folder")));
    form->addRow(tr("Data files folder"), folderRow(m_dataFolder, this, tr("Data files folder")));
    form->addRow(tr("Theme"), m_theme);
    auto* buttons =
        new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("The workspace (run folders) is chosen with File ▸ Open workspace."), this));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &SettingsDialog::apply);
}

void SettingsDialog::apply()
{
    m_settings->setThreads(m_threads->value());
    m_settings->setMaxConcurrentRuns(m_concurrent->value());
    m_settings->setModelsFolder(m_modelsFolder->text().trimmed());
    m_settings->setDataFilesFolder(m_dataFolder->text().trimmed());
    m_settings->setTheme(m_theme->currentData().toString());
    applyTheme(m_settings->theme());
    m_settings->sync();
}

} // namespace ft::ui
