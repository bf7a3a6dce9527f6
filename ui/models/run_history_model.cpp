#include "models/run_history_model.h"

#include <cmath>

#include <QColor>
#include <QDir>
#include <QFileInfo>

#include "ui_format.h"

namespace ft::ui {

namespace {

QString metric(const RunSummary& run, const QString& name)
{
    const auto it = run.evalMetrics.constFind(name);
    return it == run.evalMetrics.constEnd() || !std::isfinite(*it) ? QStringLiteral("–") : QString::number(*it, 'f', 3);
}

} // namespace

RunHistoryModel::RunHistoryModel(RunHistory* history, QObject* parent)
    : QAbstractTableModel(parent)
    , m_history(history)
{
    reload();
    connect(history, &RunHistory::runInserted, this, [this](int index) {
        if (!m_history || index < 0 || index > m_rows.size() || m_history->runCount() != m_rows.size() + 1) {
            beginResetModel();
            reload();
            endResetModel();
            return;
        }
        beginInsertRows({}, index, index);
        m_rows.insert(index, m_history->runAt(index));
        endInsertRows();
    });
    connect(history, &RunHistory::runChanged, this, [this](int index) {
        if (!m_history || index < 0 || index >= m_rows.size())
            return;
        m_rows[index] = m_history->runAt(index);
        emit dataChanged(this->index(index, 0), this->index(index, ColumnCount - 1));
    });
    connect(history, &RunHistory::runRemoved, this, [this](int index) {
        if (index < 0 || index >= m_rows.size())
            return;
        beginRemoveRows({}, index, index);
        m_rows.remove(index);
        endRemoveRows();
    });
    connect(history, &RunHistory::runsReset, this, [this] {
        beginResetModel();
        reload();
        endResetModel();
    });
}

void RunHistoryModel::reload()
{
    m_rows.clear();
    if (!m_history)
        return;
    for (int i = 0; i < m_history->runCount(); ++i)
        m_rows.append(m_history->runAt(i));
}

int RunHistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunHistoryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Mode:
        return tr("Mode");
    case BaseModel:
        return tr("Base model");
    case Dataset:
        return tr("Data");
    case Progress:
        return tr("Step");
    case Loss:
        return tr("Loss");
    case BestValLoss:
        return tr("Best val loss");
    case Bleu:
        return tr("BLEU");
    case RougeL:
        return tr("ROUGE-L");
    case Tags:
        return tr("Tags");
    case Tokens:
        return tr("Tokens");
    case Time:
        return tr("Time");
    case Created:
        return tr("Created");
    default:
        return {};
    }
}

QVariant RunHistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunSummary& r = m_rows.at(index.row());
    if (role == KeyRole)
        return r.key;
    if (role == RunDirRole)
        return r.runDir;
    if (role == RunIdRole)
        return r.runId;
    if (role == JobIdRole)
        return r.jobId;
    if (role == Qt::ToolTipRole) {
        QStringList lines{r.message.isEmpty() ? QDir::toNativeSeparators(r.runDir) : r.message};
        if (!r.evaluation.isEmpty()) {
            QStringList numbers;
            for (auto it = r.evalMetrics.cbegin(); it != r.evalMetrics.cend(); ++it)
                numbers << QStringLiteral("%1 %2").arg(it.key(), QString::number(it.value(), 'g', 4));
            lines << tr("Evaluation (%1): %2").arg(r.evaluation, numbers.join(QStringLiteral(", ")));
        }
        if (!r.notes.isEmpty())
            lines << tr("Notes: %1").arg(r.notes);
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::ForegroundRole && index.column() == Status) {
        if (r.status == QLatin1String("failed") || r.status == QLatin1String("interrupted"))
            return QColor(0xc0, 0x39, 0x2b);
        if (r.status == QLatin1String("finished"))
            return QColor(0x1e, 0x84, 0x49);
        return {};
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Progress:
            return r.step;
        case Loss:
            return std::isfinite(r.lastLoss) ? r.lastLoss : 1e300;
        case BestValLoss:
            return std::isfinite(r.bestValLoss) ? r.bestValLoss : 1e300;
        case Bleu:
            return r.evalMetrics.value(QStringLiteral("bleu"), -1.0);
        case RougeL:
            return r.evalMetrics.value(QStringLiteral("rouge-l"), -1.0);
        case Tokens:
            return r.tokens;
        case Time:
            return r.elapsedSeconds;
        case Created:
            return r.created;
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return r.name;
    case Status:
        return r.status;
    case Mode:
        return r.mode;
    case BaseModel:
        return modelDisplayName(r.baseModel); // "stories260K/hf", not "hf"
    case Dataset:
        return r.runId > 0 ? r.dataset : QFileInfo(r.dataset).fileName();
    case Progress:
        return r.totalSteps > 0 ? QStringLiteral("%1 / %2").arg(r.step).arg(r.totalSteps) : QString::number(r.step);
    case Loss:
        return formatLoss(r.lastLoss);
    case BestValLoss:
        return formatLoss(r.bestValLoss);
    case Bleu:
        return metric(r, QStringLiteral("bleu"));
    case RougeL:
        return metric(r, QStringLiteral("rouge-l"));
    case Tags:
        return r.tags.join(QStringLiteral(", "));
    case Tokens:
        return formatCount(static_cast<double>(r.tokens));
    case Time:
        return formatClock(r.elapsedSeconds);
    case Created:
        return r.created.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    default:
        return {};
    }
}

} // namespace ft::ui
