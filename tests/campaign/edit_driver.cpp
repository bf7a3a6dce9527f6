// ft_edit_driver WORKSPACE FIRST COUNT: the studio's dataset edits for the kill campaign
// (scripts/kill-campaign edits). It edits as the Datasets page does: through the DatasetSession and the
// undo commands of ui/undo (a bulk action over thousands of rows runs on the session's thread pool, as
// in the studio). Edit i (from FIRST on, COUNT of them) is, by i % 4:
//   0  the notes of one example set to "edit-<i>"                       ack note <id> <i>
//   1  the tag "bulk-<i>" added to 2,000 examples                         ack tag <i> <rows>
//   2  50 new examples whose instruction starts with "ins-<i> "           ack insert <i> 50
//   3  the 50 examples that edit i-1 inserted removed                     ack delete <i-1>
// A line "ack ..." is printed (and flushed) once the edit's transaction has committed: whatever the
// campaign kills afterwards must find it there. It first makes the dataset "campaign" of 5,000
// examples when there is none (or an empty one) and prints "ready".

#include <cstdio>

#include <QApplication>
#include <QUndoStack>

#include "data/example_record.h"
#include "models/dataset_session.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "undo/example_commands.h"

using namespace ft;
using namespace ft::ui;

namespace {

constexpr int kExamples = 5000;
constexpr int kBulkRows = 2000;
constexpr int kInserted = 50;

void ack(const QString& line)
{
    std::printf("ack %s\n", qPrintable(line));
    std::fflush(stdout);
}

StoredExample example(const QString& instruction, const QString& response)
{
    StoredExample e;
    e.record.instruction = instruction;
    e.record.response = response;
    e.source = QStringLiteral("campaign");
    return e;
}

// The dataset's example ids in order.
std::vector<qint64> idsOf(DatasetSession& session, qint64 datasetId)
{
    std::vector<qint64> ids;
    for (const StoredExample& e : session.examples().examples(datasetId, {}, {}, 0, -1))
        ids.push_back(e.id);
    return ids;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: ft_edit_driver WORKSPACE FIRST COUNT\n");
        return 2;
    }
    const int first = QString::fromLocal8Bit(argv[2]).toInt();
    const int count = QString::fromLocal8Bit(argv[3]).toInt();
    DatasetSession session;
    session.open(QString::fromLocal8Bit(argv[1]));
    const auto found = session.datasets().findByName(QStringLiteral("campaign"));
    const qint64 datasetId = found ? found->id : session.datasets().create(QStringLiteral("campaign"));
    // Made in two steps, as the studio makes a dataset and then adds to it: a kill between them leaves
    // the dataset empty, and the next session fills it.
    if (session.examples().count(datasetId) == 0) {
        std::vector<StoredExample> rows;
        for (int i = 0; i < kExamples; ++i)
            rows.push_back(example(QStringLiteral("Question %1?").arg(i), QStringLiteral("Answer %1.").arg(i)));
        session.undoStack()->push(InsertExamplesCommand::add(&session, datasetId, std::move(rows)));
        std::printf("ready\n");
        std::fflush(stdout);
    }
    std::vector<qint64> ids = idsOf(session, datasetId);
    std::vector<qint64> lastInserted;
    for (int i = first; i < first + count; ++i) {
        const quint64 errors = session.errorCount();
        QString done;
        switch (i % 4) {
        case 0: {
            const qint64 id = ids[static_cast<size_t>(i * 7919) % ids.size()];
            const StoredExample before = *session.examples().example(id);
            StoredExample after = before;
            after.notes = QStringLiteral("edit-%1").arg(i, 6, 10, QLatin1Char('0'));
            session.undoStack()->push(new EditExampleCommand(&session, before, after));
            done = QStringLiteral("note %1 %2").arg(id).arg(i);
            break;
        }
        case 1: {
            std::vector<qint64> rows;
            const size_t start = static_cast<size_t>(i * 104729) % ids.size();
            for (size_t k = 0; k < kBulkRows; ++k)
                rows.push_back(ids[(start + k) % ids.size()]);
            session.undoStack()->push(new TagExamplesCommand(&session, datasetId, rows,
                                                             QStringLiteral("bulk-%1").arg(i, 6, 10, QLatin1Char('0')),
                                                             TagExamplesCommand::Action::Add));
            done = QStringLiteral("tag %1 %2").arg(i).arg(kBulkRows);
            break;
        }
        case 2: {
            std::vector<StoredExample> rows;
            for (int k = 0; k < kInserted; ++k)
                rows.push_back(example(QStringLiteral("ins-%1 row %2").arg(i, 6, 10, QLatin1Char('0')).arg(k),
                                       QStringLiteral("inserted")));
            auto* command = InsertExamplesCommand::add(&session, datasetId, std::move(rows));
            session.undoStack()->push(command);
            lastInserted = command->createdIds();
            done = QStringLiteral("insert %1 %2").arg(i).arg(kInserted);
            break;
        }
        default:
            if (lastInserted.empty())
                continue; // this session began here: nothing of its own to remove
            session.undoStack()->push(new RemoveExamplesCommand(&session, datasetId, lastInserted));
            lastInserted.clear();
            done = QStringLiteral("delete %1").arg(i - 1);
            break;
        }
        if (session.errorCount() != errors) {
            std::fprintf(stderr, "edit %d failed\n", i);
            return 1;
        }
        ack(done);
    }
    return 0;
}
