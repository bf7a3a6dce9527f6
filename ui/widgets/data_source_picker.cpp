#include "widgets/data_source_picker.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "app_settings.h"
#include "common/error.h"
#include "data/sample_dataset.h"
#include "data/splits.h"
#include "models/background_task.h"
#include "store/database.h"

namespace ft::ui {

namespace {

const QString kNone = QStringLiteral("none");

qint64 countIn(const DatasetInfo& info, const QString& split)
{
    if (split == QLatin1String("train"))
        return info.train;
    if (split == QLatin1String("val"))
        return info.validation;
    if (split == QLatin1String("test"))
        return info.test;
    return 0;
}

QString describeSplit(const QString& split)
{
    return split == QLatin1String("val") ? QObject::tr("validation") : split;
}

} // namespace

DataSourcePicker::DataSourcePicker(AppSettings* settings, QWidget* parent)
    : QWidget(parent)
    , m_settings(settings)
{
    m_pool.setMaxThreadCount(1);
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(300);
    connect(m_refreshTimer, &QTimer::timeout, this, &DataSourcePicker::startLoad);

    m_useDataset = new QRadioButton(tr("Workspace dataset"), this);
    m_useDataset->setObjectName(QStringLiteral("sourceDataset"));
    m_useDataset->setToolTip(
        tr("Train on a dataset of the workspace: the run records it and its version, and trains on a "
           "snapshot of the chosen splits taken when it starts"));
    m_useFiles = new QRadioButton(tr("Files"), this);
    m_useFiles->setObjectName(QStringLiteral("sourceFiles"));
    m_useFiles->setToolTip(tr("Train on JSONL files"));
    auto* group = new QButtonGroup(this);
    group->addButton(m_useDataset);
    group->addButton(m_useFiles);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_useDataset);
    layout->addWidget(buildDatasetRow());
    layout->addWidget(m_useFiles);
    layout->addWidget(buildFileRows());

    // The choice of the last session; a new user starts with the workspace's datasets, a user who
    // trained on files before keeps them.
    const QString saved = m_settings->text(QStringLiteral("train/source"));
    const bool files = saved == QLatin1String("files") ||
                       (saved.isEmpty() && !m_settings->text(QStringLiteral("train/trainFile")).isEmpty());
    (files ? m_useFiles : m_useDataset)->setChecked(true);
    m_trainFile->setText(m_settings->text(QStringLiteral("train/trainFile")));
    m_valFile->setText(m_settings->text(QStringLiteral("train/valFile")));
    m_pendingId = m_settings->text(QStringLiteral("train/datasetId")).toLongLong();
    connect(group, &QButtonGroup::buttonToggled, this, [this](QAbstractButton*, bool checked) {
        if (!checked)
            return;
        m_useDataset->setEnabled(m_refusal.isEmpty() || usesDataset());
        remember();
        updateSummary();
        emit changed();
    });
    updateSummary();
}

DataSourcePicker::~DataSourcePicker()
{
    ++m_generation;
    m_pool.waitForDone();
}

QWidget* DataSourcePicker::buildDatasetRow()
{
    auto* widget = new QWidget(this);
    auto* grid = new QGridLayout(widget);
    grid->setContentsMargins(24, 0, 0, 0);
    m_dataset = new QComboBox(widget);
    m_dataset->setObjectName(QStringLiteral("datasetCombo"));
    m_dataset->setMinimumContentsLength(18);
    m_dataset->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_trainSplit = new QComboBox(widget);
    m_trainSplit->setObjectName(QStringLiteral("trainSplit"));
    m_trainSplit->setToolTip(tr("The split whose examples train"));
    m_valSplit = new QComboBox(widget);
    m_valSplit->setObjectName(QStringLiteral("valSplit"));
    m_valSplit->setToolTip(tr("The split whose examples measure the validation loss; \"none\": a seeded share of the "
                              "training split (Advanced ▸ validation share)"));
    for (const QString& split : {QStringLiteral("train"), QStringLiteral("val"), QStringLiteral("test")}) {
        m_trainSplit->addItem(split, split);
        m_valSplit->addItem(split, split);
    }
    m_valSplit->addItem(tr("none: a share of the training split"), kNone);
    for (QComboBox* box : {m_trainSplit, m_valSplit})
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents); // the counts arrive later
    m_summary = new QLabel(widget);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    grid->addWidget(m_dataset, 0, 0);
    grid->addWidget(new QLabel(tr("Train on:"), widget), 0, 1);
    grid->addWidget(m_trainSplit, 0, 2);
    grid->addWidget(new QLabel(tr("Validate on:"), widget), 0, 3);
    grid->addWidget(m_valSplit, 0, 4);
    grid->setColumnStretch(0, 1);
    grid->addWidget(m_summary, 1, 0, 1, 5);

    connect(m_dataset, qOverload<int>(&QComboBox::currentIndexChanged), this, &DataSourcePicker::onDatasetChanged);
    // Touching the dataset side selects it, unless datasets are refused (several processes; the
    // line below says why).
    connect(m_dataset, &QComboBox::activated, this, [this] {
        if (m_useDataset->isEnabled())
            setUsesDataset(true);
    });
    for (QComboBox* box : {m_trainSplit, m_valSplit}) {
        connect(box, &QComboBox::activated, this, [this] {
            if (m_useDataset->isEnabled())
                setUsesDataset(true);
        });
        connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
            remember();
            updateSummary();
            emit changed();
        });
    }
    return widget;
}

QWidget* DataSourcePicker::buildFileRows()
{
    auto* widget = new QWidget(this);
    auto* grid = new QGridLayout(widget);
    grid->setContentsMargins(24, 0, 0, 0);
    m_trainFile = new QLineEdit(widget);
    m_trainFile->setObjectName(QStringLiteral("trainFile"));
    m_trainFile->setPlaceholderText(tr("JSONL: {\"instruction\", \"input\"?, \"response\", \"system\"?} per line"));
    auto* browseTrain = new QToolButton(widget);
    browseTrain->setText(tr("Choose…"));
    auto* sample = new QToolButton(widget);
    sample->setObjectName(QStringLiteral("useSampleData"));
    sample->setText(tr("Sample dataset"));
    sample->setToolTip(tr("The ~200 varied instruction/response pairs that come with the studio"));
    m_valFile = new QLineEdit(widget);
    m_valFile->setObjectName(QStringLiteral("valFile"));
    m_valFile->setPlaceholderText(tr("optional: without it, a seeded share of the training data validates"));
    auto* browseVal = new QToolButton(widget);
    browseVal->setText(tr("Choose…"));
    grid->addWidget(new QLabel(tr("Training data"), widget), 0, 0);
    grid->addWidget(m_trainFile, 0, 1);
    grid->addWidget(browseTrain, 0, 2);
    grid->addWidget(sample, 0, 3);
    grid->addWidget(new QLabel(tr("Validation data"), widget), 1, 0);
    grid->addWidget(m_valFile, 1, 1);
    grid->addWidget(browseVal, 1, 2);
    grid->setColumnStretch(1, 1);

    connect(browseTrain, &QToolButton::clicked, this, [this] {
        const QString path = browseJsonl(tr("Training data"));
        if (!path.isEmpty())
            setTrainFile(path);
    });
    connect(browseVal, &QToolButton::clicked, this, [this] {
        const QString path = browseJsonl(tr("Validation data"));
        if (!path.isEmpty())
            setValFile(path);
    });
    connect(sample, &QToolButton::clicked, this, [this] {
        try {
            setTrainFile(sampleDatasetPath());
        } catch (const Error& error) {
            emit statusMessage(error.message());
        }
    });
    for (QLineEdit* edit : {m_trainFile, m_valFile}) {
        connect(edit, &QLineEdit::textEdited, this, [this] { setUsesDataset(false); });
        connect(edit, &QLineEdit::textChanged, this, [this] {
            remember();
            emit changed();
        });
    }
    return widget;
}

QString DataSourcePicker::browseJsonl(const QString& title)
{
    const QString path = QFileDialog::getOpenFileName(this, title, m_settings->dataFilesFolder(),
                                                      tr("JSON Lines (*.jsonl *.json);;All files (*)"));
    if (!path.isEmpty())
        m_settings->setDataFilesFolder(QFileInfo(path).absolutePath());
    return path;
}

void DataSourcePicker::setDatabasePath(const QString& path)
{
    if (path == m_databasePath && !m_datasets.empty())
        return;
    if (path != m_databasePath) {
        if (!m_databasePath.isEmpty()) {
            // Another workspace: its ids mean other datasets. (The first one may restore the last session's choice.)
            m_pendingId = 0;
            m_shownId = 0;
            m_choiceLost = false;
            m_settings->setText(QStringLiteral("train/datasetId"), QString());
        }
        m_databasePath = path;
        fillDatasets({});
    }
    startLoad();
}

void DataSourcePicker::refreshDatasets()
{
    if (m_databasePath.isEmpty())
        return;
    if (!isVisible()) {
        m_stale = true; // edits on the Datasets page: read (and measure) again when the Train page is shown
        return;
    }
    m_refreshTimer->start();
}

void DataSourcePicker::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        startLoad();
    }
}

// A re-read still waiting when the page hides waits for the page to be shown again.
void DataSourcePicker::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    if (m_refreshTimer->isActive()) {
        m_refreshTimer->stop();
        m_stale = true;
    }
}

bool DataSourcePicker::isRefreshPending() const { return m_refreshTimer->isActive() || m_stale; }

void DataSourcePicker::startLoad()
{
    m_refreshTimer->stop();
    m_stale = false;
    const quint64 generation = ++m_generation;
    if (m_databasePath.isEmpty()) {
        m_loading = false;
        fillDatasets({});
        return;
    }
    m_loading = true;
    updateSummary();
    emit changed();
    const QString database = m_databasePath;
    using List = std::vector<DatasetInfo>;
    startTask<List>(
        this, &m_pool, [database](TaskControl&) { return DatasetStore(threadConnection(database)).list(); },
        [this, generation](TaskOutcome<List> outcome) {
            if (generation != m_generation)
                return;
            m_loading = false;
            if (!outcome.value) {
                emit statusMessage(tr("Cannot read the workspace's datasets: %1").arg(outcome.error));
                fillDatasets({});
                return;
            }
            fillDatasets(*outcome.value);
            m_pendingId = 0; // a dataset asked for that is not there (deleted) is forgotten
        });
}

void DataSourcePicker::fillDatasets(const std::vector<DatasetInfo>& datasets)
{
    const qint64 wanted = m_pendingId > 0 ? m_pendingId : m_shownId;
    m_datasets = datasets;
    {
        const QSignalBlocker blocker(m_dataset);
        m_dataset->clear();
        for (const DatasetInfo& info : m_datasets)
            m_dataset->addItem(tr("%1 (%L2 examples)").arg(info.name).arg(info.examples), info.id);
        int at = m_dataset->findData(wanted);
        if (at < 0 && !m_datasets.empty()) {
            // The dataset chosen is gone (deleted): no other one is chosen behind the user's back.
            if (wanted > 0 || m_choiceLost)
                m_choiceLost = true;
            else
                at = 0; // nothing chosen yet: the first one
        }
        m_dataset->setCurrentIndex(at);
    }
    if (m_dataset->currentData().toLongLong() != m_shownId)
        onDatasetChanged();
    else {
        fillSplits();
        updateSummary();
        emit changed();
    }
}

void DataSourcePicker::fillSplits()
{
    const auto info = dataset();
    for (QComboBox* box : {m_trainSplit, m_valSplit}) {
        for (int i = 0; i < box->count(); ++i) {
            const QString split = box->itemData(i).toString();
            if (split == kNone)
                continue;
            box->setItemText(i, info ? tr("%1 (%L2)").arg(split).arg(countIn(*info, split)) : split);
        }
    }
}

void DataSourcePicker::onDatasetChanged()
{
    // Another dataset: train on its train split, validate on its validation split when it has one.
    const auto info = dataset();
    m_shownId = info ? info->id : 0;
    if (info)
        m_choiceLost = false;
    {
        const QSignalBlocker trainBlocker(m_trainSplit);
        const QSignalBlocker valBlocker(m_valSplit);
        fillSplits();
        const QString savedTrain = m_settings->text(QStringLiteral("train/trainSplit"), QStringLiteral("train"));
        const QString savedVal = m_settings->text(QStringLiteral("train/valSplit"));
        const bool same = info && info->id == m_settings->text(QStringLiteral("train/datasetId")).toLongLong();
        m_trainSplit->setCurrentIndex(std::max(0, m_trainSplit->findData(same ? savedTrain : QStringLiteral("train"))));
        const QString val =
            same && !savedVal.isEmpty() ? savedVal : (info && info->validation > 0 ? QStringLiteral("val") : kNone);
        m_valSplit->setCurrentIndex(std::max(0, m_valSplit->findData(val)));
    }
    remember();
    updateSummary();
    emit changed();
}

void DataSourcePicker::updateSummary()
{
    QString text;
    if (m_databasePath.isEmpty())
        text = tr("No workspace is open.");
    else if (m_loading && m_datasets.empty())
        text = tr("Reading the workspace's datasets…");
    else if (m_choiceLost && !dataset())
        text = tr("The dataset chosen before is no longer in the workspace: choose one.");
    else if (const auto info = dataset())
        text = tr("Version %1: %L2 train, %L3 validation, %L4 test examples. The chosen splits are frozen into the run "
                  "folder when the run starts; the run records the dataset and this version.")
                   .arg(info->version)
                   .arg(info->train)
                   .arg(info->validation)
                   .arg(info->test);
    else
        text = tr("The workspace has no datasets: import one on the Datasets page.");
    if (!m_refusal.isEmpty())
        text = m_refusal;
    m_summary->setText(text);
}

void DataSourcePicker::remember()
{
    m_settings->setText(QStringLiteral("train/source"),
                        usesDataset() ? QStringLiteral("dataset") : QStringLiteral("files"));
    m_settings->setText(QStringLiteral("train/trainFile"), m_trainFile->text());
    m_settings->setText(QStringLiteral("train/valFile"), m_valFile->text());
    if (const auto info = dataset()) {
        m_settings->setText(QStringLiteral("train/datasetId"), QString::number(info->id));
        m_settings->setText(QStringLiteral("train/trainSplit"), trainSplit());
        m_settings->setText(QStringLiteral("train/valSplit"), valSplit());
    }
}

bool DataSourcePicker::usesDataset() const { return m_useDataset->isChecked(); }

void DataSourcePicker::setUsesDataset(bool useDataset) { (useDataset ? m_useDataset : m_useFiles)->setChecked(true); }

std::optional<DatasetInfo> DataSourcePicker::dataset() const
{
    const qint64 id = m_dataset->currentData().toLongLong();
    for (const DatasetInfo& info : m_datasets)
        if (info.id == id)
            return info;
    return std::nullopt;
}

QString DataSourcePicker::trainSplit() const { return m_trainSplit->currentData().toString(); }
QString DataSourcePicker::valSplit() const { return m_valSplit->currentData().toString(); }

void DataSourcePicker::chooseDataset(qint64 id)
{
    setUsesDataset(true);
    const int at = m_dataset->findData(id);
    if (at >= 0) {
        m_dataset->setCurrentIndex(at);
        m_pendingId = 0;
    } else {
        m_pendingId = id;
    }
    if (!m_databasePath.isEmpty())
        startLoad(); // fresh counts (and the dataset, when it is new)
}

QString DataSourcePicker::trainFile() const { return m_trainFile->text().trimmed(); }
QString DataSourcePicker::valFile() const { return m_valFile->text().trimmed(); }

void DataSourcePicker::setTrainFile(const QString& path)
{
    setUsesDataset(false);
    m_trainFile->setText(path);
}

void DataSourcePicker::setValFile(const QString& path)
{
    setUsesDataset(false);
    m_valFile->setText(path);
}

void DataSourcePicker::setDatasetRefusal(const QString& reason)
{
    if (reason == m_refusal)
        return;
    m_refusal = reason;
    // While a dataset cannot be used, it cannot be chosen either; a dataset chosen before stays
    // chosen and the reason is the launch problem, so the choice is not changed behind the user's back.
    m_useDataset->setEnabled(reason.isEmpty() || usesDataset());
    m_useDataset->setToolTip(reason.isEmpty()
                                 ? tr("Train on a dataset of the workspace: the run records it and its version, and "
                                      "trains on a snapshot of the chosen splits taken when it starts")
                                 : reason);
    updateSummary();
    emit changed();
}

QString DataSourcePicker::problem() const
{
    if (!usesDataset())
        return trainFile().isEmpty() ? tr("Choose the training data (a JSONL file) or a workspace dataset.")
                                     : QString();
    if (!m_refusal.isEmpty())
        return m_refusal;
    if (m_databasePath.isEmpty())
        return tr("No workspace is open: train on files, or open a workspace.");
    const auto info = dataset();
    if (!info && m_choiceLost)
        return tr("The dataset chosen before is no longer in the workspace: choose one.");
    if (!info)
        return m_loading ? tr("Reading the workspace's datasets…")
                         : tr("Choose a dataset (the workspace has none: import one on the Datasets page, or train on "
                              "files).");
    const QString train = trainSplit();
    const QString val = valSplit();
    if (train == val)
        return tr("The training and validation splits are both \"%1\": choose two different splits.")
            .arg(describeSplit(train));
    if (countIn(*info, train) == 0)
        return tr("The dataset \"%1\" has no examples in the %2 split: choose another split to train on, or move "
                  "examples "
                  "there on the Datasets page (Split…).")
            .arg(info->name, describeSplit(train));
    if (val != kNone && countIn(*info, val) == 0)
        return tr("The dataset \"%1\" has no examples in the %2 split chosen for validation: choose another split, or "
                  "\"none\" to validate on a share of the training split.")
            .arg(info->name, describeSplit(val));
    return {};
}

} // namespace ft::ui
