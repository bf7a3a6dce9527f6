// DatasetsPage on a real workspace, driven through its widgets: the dataset list and the lazily
// loaded table, editing in the editor (saved as you type), undo/redo with Ctrl+Z / Ctrl+Shift+Z,
// search and filters, bulk actions on selected rows, add, and import through the import panel
// (the shared alpaca demo, and a broken file whose error names the line).

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QThread>
#include <QTreeWidget>
#include <QUndoStack>

#include <atomic>

#include "chat/model_prompt_template.h"
#include "data/example_encoder.h"
#include "dialogs/dataset_dedup_dialog.h"
#include "dialogs/dataset_export_dialog.h"
#include "dialogs/dataset_split_dialog.h"
#include "dialogs/dataset_validate_dialog.h"
#include "dialogs/pii_mask_dialog.h"
#include "modal_helper.h"
#include "modelio/model_config.h"
#include "modelio/tokenizer.h"
#include "models/background_task.h"
#include "models/dataset_session.h"
#include "models/example_table_model.h"
#include "pages/datasets_page.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/run_store.h"
#include "support/test_support.h"
#include "ui_test_support.h"
#include "widgets/dataset_import_panel.h"
#include "widgets/dataset_stats_panel.h"
#include "widgets/example_editor.h"
#include "widgets/token_setup_picker.h"
#include "widgets/turns_editor.h"
#include <QDoubleSpinBox>

using namespace ft;
using namespace ft::ui;

namespace {

bool waitLoaded(ExampleTableModel* model)
{
    if (!model->isLoading())
        return true;
    QSignalSpy spy(model, &ExampleTableModel::loaded);
    return spy.wait(5000);
}

void clickRow(QTableView* table, int row, Qt::KeyboardModifiers modifiers = {})
{
    table->scrollTo(table->model()->index(row, 0));
    const QRect rect = table->visualRect(table->model()->index(row, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, modifiers, rect.center());
}

void chooseItem(QComboBox* box, const QString& text)
{
    QTRY_VERIFY2(box->findText(text, Qt::MatchStartsWith) >= 0, qPrintable(text)); // some lists fill from a thread
    const int index = box->findText(text, Qt::MatchStartsWith);
    box->setFocus();
    box->setCurrentIndex(index);
    emit box->activated(index); // what a user's choice in the popup emits
}

} // namespace

class TestDatasetsPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_workspaces = 0;

    // A page on a new workspace holding the sample dataset.
    std::unique_ptr<DatasetsPage> openPage()
    {
        auto page = std::make_unique<DatasetsPage>();
        page->resize(1400, 800);
        page->show();
        if (!QTest::qWaitForWindowActive(page.get()))
            qWarning("the page's window did not become active");
        const QString dir = m_dir.filePath(QStringLiteral("ws%1").arg(++m_workspaces));
        if (!page->openWorkspace(dir))
            qFatal("%s", qPrintable(page->openError()));
        if (!waitLoaded(page->exampleModel()))
            qFatal("the examples did not load");
        return page;
    }

private slots:
    void listsDatasetsAndExamples()
    {
        auto page = openPage();
        auto* list = child<QListWidget>(page.get(), "datasetList");
        QCOMPARE(list->count(), 1);
        QVERIFY(list->item(0)->text().startsWith(QStringLiteral("Sample")));
        const qint64 count = page->session()->examples().count(page->currentDatasetId());
        QVERIFY(count > 100);
        QCOMPARE(page->exampleModel()->rowCount(), int(count));
        QCOMPARE(child<QLabel>(page.get(), "exampleCount")->text(), QStringLiteral("%L1 examples").arg(count));

        clickRow(page->table(), 3);
        const StoredExample third = *page->session()->examples().example(page->exampleModel()->idAt(3));
        QCOMPARE(page->editor()->exampleId(), third.id);
        QCOMPARE(child<QPlainTextEdit>(page.get(), "instructionEdit")->toPlainText(), third.record.instruction);
        QCOMPARE(child<QPlainTextEdit>(page.get(), "responseEdit")->toPlainText(), third.record.response);
        QVERIFY(child<QLabel>(page.get(), "tokenCounts")->text().contains(QStringLiteral("alpaca")));
    }

    void renamesTheDatasetWithUndo()
    {
        auto page = openPage();
        auto* list = child<QListWidget>(page.get(), "datasetList");
        auto* name = child<QLineEdit>(page.get(), "datasetName");
        QCOMPARE(name->text(), QStringLiteral("Sample"));
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("Curated"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(page->session()->datasets().find(page->currentDatasetId())->name, QStringLiteral("Curated"));
        QVERIFY(list->currentItem()->text().startsWith(QStringLiteral("Curated")));
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->datasets().find(page->currentDatasetId())->name, QStringLiteral("Sample"));
        QCOMPARE(name->text(), QStringLiteral("Sample"));
        // A name that is taken is refused with the store's message; nothing changes.
        page->session()->datasets().create(QStringLiteral("Other"));
        page->session()->notifyDatasets();
        QCOMPARE(list->count(), 2);
        page->selectDataset(page->session()->datasets().findByName(QStringLiteral("Sample"))->id);
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("Other"));
        QTest::keyClick(name, Qt::Key_Return);
        QVERIFY(child<QLabel>(page.get(), "datasetsError")->isVisible());
        QCOMPARE(name->text(), QStringLiteral("Sample"));
        QVERIFY(page->session()->datasets().findByName(QStringLiteral("Sample")));
    }

    void editsSaveAndUndoWithKeys()
    {
        auto page = openPage();
        clickRow(page->table(), 2);
        const qint64 id = page->editor()->exampleId();
        QVERIFY(id > 0);
        const QString original = page->session()->examples().example(id)->record.response;
        auto* response = child<QPlainTextEdit>(page.get(), "responseEdit");
        response->setFocus();
        response->moveCursor(QTextCursor::End);
        QTest::keyClicks(response, QStringLiteral(" Edited."));
        // Saved after a short pause in typing, as one undo step.
        QTRY_COMPARE_WITH_TIMEOUT(page->session()->examples().example(id)->record.response,
                                  original + QStringLiteral(" Edited."), 3000);
        QCOMPARE(page->session()->undoStack()->count(), 1);
        QVERIFY(child<QLabel>(page.get(), "datasetsError")->isHidden());

        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->examples().example(id)->record.response, original);
        QCOMPARE(response->toPlainText(), original); // the editor follows the undo
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(page->session()->examples().example(id)->record.response, original + QStringLiteral(" Edited."));
        QCOMPARE(response->toPlainText(), original + QStringLiteral(" Edited."));

        // Tags and split from the editor.
        auto* tags = child<QLineEdit>(page.get(), "tagsEdit");
        tags->setFocus();
        tags->clear();
        QTest::keyClicks(tags, QStringLiteral("checked, math"));
        QTest::keyClick(tags, Qt::Key_Return);
        QTRY_COMPARE(page->session()->examples().example(id)->tags,
                     (QStringList{QStringLiteral("checked"), QStringLiteral("math")}));
        // The table shows what was saved.
        QTRY_COMPARE(page->exampleModel()->data(page->exampleModel()->index(2, ExampleTableModel::Tags)).toString(),
                     QStringLiteral("checked, math"));
        chooseItem(child<QComboBox>(page.get(), "splitEdit"), QStringLiteral("test"));
        QCOMPARE(page->session()->examples().example(id)->split, Split::Test);
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->examples().example(id)->split, Split::Train);
        QCOMPARE(child<QComboBox>(page.get(), "splitEdit")->currentText(), QStringLiteral("train"));
    }

    // A rejected answer typed into the editor makes the example a preference pair, as one undo step.
    void aRejectedAnswerMakesAPreferencePair()
    {
        auto page = openPage();
        clickRow(page->table(), 0);
        const qint64 id = page->editor()->exampleId();
        QVERIFY(!page->session()->examples().example(id)->record.isPreferencePair());
        auto* rejected = child<QPlainTextEdit>(page.get(), "rejectedEdit");
        QVERIFY(rejected->isVisible());
        rejected->setFocus();
        QTest::keyClicks(rejected, QStringLiteral("A worse answer."));
        QTRY_COMPARE_WITH_TIMEOUT(page->session()->examples().example(id)->record.rejected,
                                  QStringLiteral("A worse answer."), 3000);
        QVERIFY(page->session()->examples().example(id)->record.isPreferencePair());
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(!page->session()->examples().example(id)->record.isPreferencePair());
        QCOMPARE(rejected->toPlainText(), QString());
        // A conversation has no rejected answer: the field is hidden with the other pair fields.
        QTest::mouseClick(child<QPushButton>(page.get(), "makeConversation"), Qt::LeftButton);
        QVERIFY(!rejected->isVisible());
    }

    // A conversation is edited turn by turn: an exchange becomes a conversation, turns are typed into, one undo
    // step takes it back, and removing exchanges down to one makes it a plain example again.
    void conversationsAreEditedTurnByTurn()
    {
        auto page = openPage();
        clickRow(page->table(), 1);
        const qint64 id = page->editor()->exampleId();
        const ExampleRecord original = page->session()->examples().example(id)->record;
        QVERIFY(!original.isMultiTurn());
        auto* turns = child<TurnsEditor>(page.get(), "turnsEditor");
        QVERIFY(!turns->isVisible());

        QTest::mouseClick(child<QPushButton>(page.get(), "makeConversation"), Qt::LeftButton);
        QVERIFY(turns->isVisible());
        QVERIFY(!child<QPlainTextEdit>(page.get(), "responseEdit")->isVisible());
        QCOMPARE(turns->exchangeCount(), 2);
        QVERIFY(turns->turnBox(0)->toPlainText().startsWith(original.instruction));
        QCOMPARE(turns->turnBox(1)->toPlainText(), original.response);
        QTest::keyClicks(turns->turnBox(2), QStringLiteral("And in one word?"));
        turns->turnBox(3)->setFocus();
        QTest::keyClicks(turns->turnBox(3), QStringLiteral("Yes."));
        QTRY_COMPARE_WITH_TIMEOUT(page->session()->examples().example(id)->record.turns.size(), size_t(4), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(page->session()->examples().example(id)->record.turns[3].content,
                                  QStringLiteral("Yes."), 3000);
        const ExampleRecord saved = page->session()->examples().example(id)->record;
        QCOMPARE(saved.turns[2].role, ChatTurn::Role::User);
        QCOMPARE(saved.turns[2].content, QStringLiteral("And in one word?"));
        QVERIFY(saved.instruction.isEmpty());
        QVERIFY(child<QTextBrowser>(page.get(), "promptPreview")->toPlainText().contains(QStringLiteral("Yes.")));

        // One undo step takes the whole visit back; redo brings the conversation again.
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->examples().example(id)->record.response, original.response);
        QVERIFY(!page->session()->examples().example(id)->record.isMultiTurn());
        QVERIFY(!turns->isVisible());
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(page->session()->examples().example(id)->record.turns.size(), size_t(4));
        QVERIFY(turns->isVisible());

        // A third exchange, then back down to one: a plain example again.
        QTest::mouseClick(child<QPushButton>(turns, "addExchange"), Qt::LeftButton);
        QCOMPARE(turns->exchangeCount(), 3);
        QTest::mouseClick(child<QPushButton>(turns, "removeExchange"), Qt::LeftButton);
        QTest::mouseClick(child<QPushButton>(turns, "removeExchange"), Qt::LeftButton);
        QVERIFY(!child<QPushButton>(turns, "removeExchange")->isEnabled() || !turns->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!page->session()->examples().example(id)->record.isMultiTurn(), 3000);
        QCOMPARE(page->session()->examples().example(id)->record.response, original.response);
        QTRY_VERIFY(child<QPlainTextEdit>(page.get(), "responseEdit")->isVisible());
    }

    void searchesAndFilters()
    {
        auto page = openPage();
        ExampleTableModel* model = page->exampleModel();
        const qint64 datasetId = page->currentDatasetId();
        const int all = model->rowCount();
        // A word of an example's response, searched in the full-text index.
        const StoredExample example = *page->session()->examples().example(model->idAt(5));
        QString word;
        for (const QString& w : example.record.response.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            if (w.size() > word.size() && w.front().isLetter() && w.back().isLetter())
                word = w;
        QVERIFY(!word.isEmpty());
        ExampleFilter byWord;
        byWord.search = word;
        const qint64 expected = page->session()->examples().count(datasetId, byWord);
        QVERIFY(expected >= 1 && expected < all);
        auto* search = child<QLineEdit>(page.get(), "searchEdit");
        search->setFocus();
        QTest::keyClicks(search, word);
        QTRY_COMPARE(model->rowCount(), int(expected));
        QVERIFY(waitLoaded(model));
        bool found = false;
        for (int row = 0; row < model->rowCount(); ++row)
            found = found || model->idAt(row) == example.id;
        QVERIFY(found);
        search->clear();
        QTRY_COMPARE(model->rowCount(), all);

        // Move the first three rows to the test split, then filter by split.
        clickRow(page->table(), 0);
        clickRow(page->table(), 2, Qt::ShiftModifier);
        QCOMPARE(page->selectedIds().size(), size_t(3));
        chooseItem(child<QComboBox>(page.get(), "bulkSplit"), QStringLiteral("test"));
        QTest::mouseClick(child<QPushButton>(page.get(), "moveToSplit"), Qt::LeftButton);
        ExampleFilter testSplit;
        testSplit.split = Split::Test;
        QCOMPARE(page->session()->examples().count(datasetId, testSplit), 3);
        // The dataset's summary follows (it kept the old counts and version until a restart).
        const DatasetInfo info = *page->session()->datasets().find(datasetId);
        QCOMPARE(info.test, 3);
        QTRY_VERIFY2(child<QLabel>(page.get(), "datasetInfo")
                         ->text()
                         .contains(QStringLiteral("3 test; version %1").arg(info.version)),
                     qPrintable(child<QLabel>(page.get(), "datasetInfo")->text()));
        chooseItem(child<QComboBox>(page.get(), "splitFilter"), QStringLiteral("test"));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), 3);
        chooseItem(child<QComboBox>(page.get(), "splitFilter"), QStringLiteral("All splits"));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all);
    }

    void bulkActionsAndUndo()
    {
        auto page = openPage();
        ExampleTableModel* model = page->exampleModel();
        const qint64 datasetId = page->currentDatasetId();
        const int all = model->rowCount();
        clickRow(page->table(), 4);
        clickRow(page->table(), 8, Qt::ShiftModifier);
        const std::vector<qint64> ids = page->selectedIds();
        QCOMPARE(ids.size(), size_t(5));

        auto* tag = child<QLineEdit>(page.get(), "bulkTag");
        tag->setFocus();
        QTest::keyClicks(tag, QStringLiteral("reviewed"));
        QTest::mouseClick(child<QPushButton>(page.get(), "tagExamples"), Qt::LeftButton);
        ExampleFilter reviewed;
        reviewed.tags = {QStringLiteral("reviewed")};
        QCOMPARE(page->session()->examples().count(datasetId, reviewed), 5);
        chooseItem(child<QComboBox>(page.get(), "tagFilter"), QStringLiteral("reviewed"));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), 5);
        chooseItem(child<QComboBox>(page.get(), "tagFilter"), QStringLiteral("All tags"));
        QVERIFY(waitLoaded(model));

        // Delete the same rows; undo brings them back with their tags.
        clickRow(page->table(), 4);
        clickRow(page->table(), 8, Qt::ShiftModifier);
        QTest::mouseClick(child<QPushButton>(page.get(), "deleteExamples"), Qt::LeftButton);
        QCOMPARE(page->session()->examples().count(datasetId), all - 5);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all - 5);
        QTest::mouseClick(child<QPushButton>(page.get(), "undoButton"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all);
        QCOMPARE(page->session()->examples().count(datasetId, reviewed), 5);
        QCOMPARE(model->idAt(4), ids.front());
        QTest::mouseClick(child<QPushButton>(page.get(), "undoButton"), Qt::LeftButton); // the tag
        QCOMPARE(page->session()->examples().count(datasetId, reviewed), 0);

        // Duplicate one row: the copy follows it and becomes the current row.
        clickRow(page->table(), 1);
        const qint64 original = page->selectedIds().front();
        QTest::mouseClick(child<QPushButton>(page.get(), "duplicateExamples"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all + 1);
        QCOMPARE(page->session()->examples().example(model->idAt(2))->record.instruction,
                 page->session()->examples().example(original)->record.instruction);
        QVERIFY(page->editor()->exampleId() == model->idAt(2));

        // Add an empty example at the end, then type its instruction.
        QTest::mouseClick(child<QPushButton>(page.get(), "addExample"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all + 2);
        const qint64 added = model->idAt(all + 1);
        QTRY_COMPARE(page->editor()->exampleId(), added);
        auto* instruction = child<QPlainTextEdit>(page.get(), "instructionEdit");
        instruction->setFocus();
        QTest::keyClicks(instruction, QStringLiteral("A new question"));
        QTRY_COMPARE(page->session()->examples().example(added)->record.instruction, QStringLiteral("A new question"));
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier); // the typing
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier); // the add
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), all + 1);
        QVERIFY(!page->session()->examples().example(added));
    }

    void masksPersonalData()
    {
        auto page = openPage();
        clickRow(page->table(), 0);
        const qint64 id = page->editor()->exampleId();
        const QString original = page->session()->examples().example(id)->record.response;
        auto* response = child<QPlainTextEdit>(page.get(), "responseEdit");
        response->setFocus();
        response->moveCursor(QTextCursor::End);
        QTest::keyClicks(response, QStringLiteral(" Write to jane.doe@example.com from 192.168.1.20"));
        QTRY_VERIFY(page->session()->examples().example(id)->record.response.endsWith(QStringLiteral("192.168.1.20")));
        const QString typed = page->session()->examples().example(id)->record.response;
        clickRow(page->table(), 0);
        clickRow(page->table(), 3, Qt::ShiftModifier);
        const auto openPreview = [&]() -> PiiMaskDialog* {
            QTest::mouseClick(child<QPushButton>(page.get(), "maskPii"), Qt::LeftButton);
            PiiMaskDialog* dialog = nullptr;
            for (int i = 0; i < 250 && !(dialog && dialog->isVisible()); ++i) { // the examples are read on a thread
                QTest::qWait(20);
                dialog = page->findChild<PiiMaskDialog*>();
            }
            return dialog && dialog->isVisible() ? dialog : nullptr;
        };

        // A preview first: counts per type with their placeholders, and the field before and after.
        QSignalSpy done(page.get(), &DatasetsPage::bulkActionDone);
        PiiMaskDialog* dialog = openPreview();
        QVERIFY(dialog);
        QVERIFY(dialog->isModal());
        auto* counts = child<QTableWidget>(dialog, "piiCounts");
        QCOMPARE(counts->rowCount(), 2);
        QStringList rows;
        for (int row = 0; row < counts->rowCount(); ++row)
            rows << QStringLiteral("%1 %2 %3")
                        .arg(counts->item(row, 0)->text(), counts->item(row, 1)->text(), counts->item(row, 2)->text());
        QCOMPARE(rows, (QStringList{QStringLiteral("email [EMAIL] 1"), QStringLiteral("ip-address [IP_ADDRESS] 1")}));
        QVERIFY(child<QLabel>(dialog, "piiSummary")
                    ->text()
                    .startsWith(QStringLiteral("2 item(s) of personal data in 1 of the 4 selected")));
        auto* preview = child<QTableWidget>(dialog, "piiPreview");
        QCOMPARE(preview->rowCount(), 1);
        QVERIFY(preview->item(0, 0)->text().endsWith(QStringLiteral("response")));
        QCOMPARE(preview->item(0, 1)->text(), typed);
        QCOMPARE(preview->item(0, 2)->text(), original + QStringLiteral(" Write to [EMAIL] from [IP_ADDRESS]"));
        // Cancel: nothing changes.
        QTest::keyClick(dialog, Qt::Key_Escape);
        QVERIFY(done.wait(5000) || done.size() == 1);
        QCOMPARE(page->session()->examples().example(id)->record.response, typed);
        QVERIFY(!page->session()->isBusy());

        // Mask: applied as one undo step.
        const int undoBefore = page->session()->undoStack()->count();
        dialog = openPreview();
        QVERIFY(dialog);
        QTest::mouseClick(dialog->maskButton(), Qt::LeftButton);
        QTRY_COMPARE(done.size(), 2);
        const QString masked = page->session()->examples().example(id)->record.response;
        QCOMPARE(masked, original + QStringLiteral(" Write to [EMAIL] from [IP_ADDRESS]"));
        QCOMPARE(page->session()->undoStack()->count(), undoBefore + 1);
        QVERIFY(child<QLabel>(page.get(), "datasetsStatus")->text().contains(QStringLiteral("Masked 2 item")));
        clickRow(page->table(), 0);
        QCOMPARE(page->editor()->exampleId(), id);
        QCOMPARE(child<QPlainTextEdit>(page.get(), "responseEdit")->toPlainText(), masked);
        page->activateWindow(); // the dialog had the focus
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->examples().example(id)->record.response, typed);
    }

    void validatesAndFlagsWithUndo()
    {
        auto page = openPage();
        ExampleTableModel* model = page->exampleModel();
        const qint64 datasetId = page->currentDatasetId();
        ExampleFilter duplicates;
        duplicates.flagsAny = FlagDuplicate;
        QCOMPARE(page->session()->examples().count(datasetId, duplicates), 0);
        clickRow(page->table(), 0);
        const qint64 original = model->idAt(0);
        QTest::mouseClick(child<QPushButton>(page.get(), "duplicateExamples"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        const qint64 copy = model->idAt(1);
        QVERIFY(copy != original);

        QTest::mouseClick(child<QPushButton>(page.get(), "validateDataset"), Qt::LeftButton);
        auto* dialog = page->findChild<DatasetValidateDialog*>();
        QVERIFY(dialog);
        QSignalSpy ready(dialog, &DatasetValidateDialog::reportReady);
        QVERIFY(ready.wait(10000));
        const QString summary = child<QLabel>(dialog, "validationSummary")->text();
        QVERIFY2(summary.contains(QStringLiteral("duplicate")), qPrintable(summary));
        QVERIFY(dialog->changedExamples() >= 2);
        QCOMPARE(page->session()->examples().count(datasetId, duplicates), 0); // nothing written before Apply
        QTest::mouseClick(child<QPushButton>(dialog, "applyValidation"), Qt::LeftButton);
        const qint64 flagged = page->session()->examples().count(datasetId, duplicates);
        QVERIFY(flagged >= 1); // the copy (a duplicate of an earlier example); the sample may hold others
        QVERIFY(!(page->session()->examples().example(original)->flags & FlagDuplicate)); // the first occurrence stays
        QVERIFY(page->session()->examples().example(copy)->flags & FlagDuplicate);
        chooseItem(child<QComboBox>(page.get(), "flagFilter"), QStringLiteral("Duplicate"));
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), int(flagged));
        QCOMPARE(
            model->data(model->index(0, ExampleTableModel::Flags)).toString().contains(QStringLiteral("duplicate")),
            true);
        page->activateWindow(); // the dialog had the focus
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        page->table()->setFocus();
        QTest::keyClick(page->table(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(page->session()->examples().count(datasetId, duplicates), 0);
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), 0);
    }

    // A curation dialog holds example ids of its workspace: opening another closes it, so that
    // Apply can never write them into a different database.
    void anotherWorkspaceClosesTheDialogs()
    {
        auto page = openPage();
        QTest::mouseClick(child<QPushButton>(page.get(), "splitDataset"), Qt::LeftButton);
        QPointer<DatasetSplitDialog> dialog = page->findChild<DatasetSplitDialog*>();
        QVERIFY(dialog);
        QVERIFY(page->openWorkspace(m_dir.filePath(QStringLiteral("ws%1").arg(++m_workspaces))));
        QTRY_VERIFY(dialog.isNull());
    }
    void anotherWorkspaceCancelsRunningJobs()
    {
        // A job of the workspace (as statistics or dedup over a big dataset) that would run for
        // 30 seconds unless cancelled: opening another workspace cancels it instead of waiting.
        auto page = openPage();
        bool cancelled = false;
        std::atomic<bool> ranItsCourse{false}; // the job ended by its 30 seconds, not by the cancel
        auto control = startTask<int>(
            page.get(), page->session()->pool(),
            [&ranItsCourse](TaskControl& job) {
                QElapsedTimer timer;
                timer.start();
                while (!job.cancelled && timer.elapsed() < 30000)
                    QThread::msleep(5);
                ranItsCourse = !job.cancelled;
                return 0;
            },
            [&](TaskOutcome<int> outcome) { cancelled = outcome.cancelled; });
        page->session()->track(control);
        QVERIFY(page->openWorkspace(m_dir.filePath(QStringLiteral("ws%1").arg(++m_workspaces))));
        QVERIFY(control->cancelled);
        QVERIFY2(!ranItsCourse, "opening the other workspace waited for the job to finish");
        QTRY_VERIFY(cancelled);
    }

    void splitsWithAPreview()
    {
        auto page = openPage();
        const qint64 datasetId = page->currentDatasetId();
        const qint64 all = page->session()->examples().count(datasetId);
        QTest::mouseClick(child<QPushButton>(page.get(), "splitDataset"), Qt::LeftButton);
        auto* dialog = page->findChild<DatasetSplitDialog*>();
        QVERIFY(dialog);
        QSignalSpy ready(dialog, &DatasetSplitDialog::previewReady);
        QVERIFY(ready.wait(5000));
        // A test share of a half: about half the examples move, shown before anything changes.
        auto* test = child<QDoubleSpinBox>(dialog, "testFraction");
        test->setFocus();
        test->selectAll();
        QTest::keyClicks(test, QStringLiteral("0.5"));
        QTRY_VERIFY(dialog->moving() > all / 4);
        const QString preview = child<QLabel>(dialog, "splitPreview")->text();
        QVERIFY2(preview.contains(QStringLiteral("move")), qPrintable(preview));
        ExampleFilter testSplit;
        testSplit.split = Split::Test;
        const qint64 testBefore = page->session()->examples().count(datasetId, testSplit);
        QTest::mouseClick(child<QPushButton>(dialog, "applySplit"), Qt::LeftButton);
        const qint64 testAfter = page->session()->examples().count(datasetId, testSplit);
        QVERIFY(testAfter > all / 3 && testAfter < 2 * all / 3);
        QVERIFY(preview.contains(QStringLiteral("test %L1 → %L2").arg(testBefore).arg(testAfter)));
        page->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        QTest::mouseClick(child<QPushButton>(page.get(), "undoButton"), Qt::LeftButton);
        QCOMPARE(page->session()->examples().count(datasetId, testSplit), testBefore);
    }

    void exportsASplit()
    {
        auto page = openPage();
        const qint64 datasetId = page->currentDatasetId();
        // Two examples in the test split, exported on their own.
        clickRow(page->table(), 0);
        clickRow(page->table(), 1, Qt::ShiftModifier);
        chooseItem(child<QComboBox>(page.get(), "bulkSplit"), QStringLiteral("test"));
        QTest::mouseClick(child<QPushButton>(page.get(), "moveToSplit"), Qt::LeftButton);
        ExampleFilter testSplit;
        testSplit.split = Split::Test;
        const qint64 expected = page->session()->examples().count(datasetId, testSplit);
        QCOMPARE(expected, 2);
        QTest::mouseClick(child<QPushButton>(page.get(), "exportDataset"), Qt::LeftButton);
        auto* dialog = page->findChild<DatasetExportDialog*>();
        QVERIFY(dialog);
        auto* path = child<QLineEdit>(dialog, "exportPath");
        const QString target = m_dir.filePath(QStringLiteral("test-export.csv"));
        path->setFocus();
        path->selectAll();
        QTest::keyClicks(path, target);
        QCOMPARE(child<QComboBox>(dialog, "exportFormat")->currentText(), QStringLiteral("csv")); // from the suffix
        chooseItem(child<QComboBox>(dialog, "exportSplit"), QStringLiteral("test"));
        QSignalSpy exported(dialog, &DatasetExportDialog::exported);
        QTest::mouseClick(child<QPushButton>(dialog, "exportButton"), Qt::LeftButton);
        QVERIFY(exported.wait(5000));
        QCOMPARE(exported.first().at(1).toLongLong(), expected);
        QFile file(target);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readLine().startsWith("instruction"));
        QVERIFY(child<QLabel>(dialog, "exportResult")->text().contains(QStringLiteral("Wrote")));
        // A folder that does not exist: the error names the file, nothing is written.
        QSignalSpy failed(dialog, &DatasetExportDialog::failed);
        path->selectAll();
        QTest::keyClicks(path, m_dir.filePath(QStringLiteral("no/such/folder/x.jsonl")));
        QTest::mouseClick(child<QPushButton>(dialog, "exportButton"), Qt::LeftButton);
        QVERIFY(failed.wait(5000));
        QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("x.jsonl")),
                 qPrintable(failed.first().at(0).toString()));
    }

    void removesDuplicatesWithAPreview()
    {
        auto page = openPage();
        ExampleTableModel* model = page->exampleModel();
        const qint64 datasetId = page->currentDatasetId();
        // Two copies of row 3: a group of three (at least), the original kept.
        clickRow(page->table(), 3);
        const qint64 original = model->idAt(3);
        QTest::mouseClick(child<QPushButton>(page.get(), "duplicateExamples"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        clickRow(page->table(), 3);
        QTest::mouseClick(child<QPushButton>(page.get(), "duplicateExamples"), Qt::LeftButton);
        QVERIFY(waitLoaded(model));
        const qint64 before = page->session()->examples().count(datasetId);

        QTest::mouseClick(child<QPushButton>(page.get(), "dedupDataset"), Qt::LeftButton);
        auto* dialog = page->findChild<DatasetDedupDialog*>();
        QVERIFY(dialog);
        QSignalSpy ready(dialog, &DatasetDedupDialog::reportReady);
        QVERIFY(ready.wait(10000));
        QVERIFY(dialog->toRemove() >= 2);
        QVERIFY(child<QTreeWidget>(dialog, "duplicateGroups")->topLevelItemCount() >= 1);
        QCOMPARE(page->session()->examples().count(datasetId), before); // nothing removed before Apply
        const int removing = dialog->toRemove();
        QTest::mouseClick(child<QPushButton>(dialog, "applyDedup"), Qt::LeftButton);
        QCOMPARE(page->session()->examples().count(datasetId), before - removing);
        QVERIFY(page->session()->examples().example(original)); // the first of its group stays
        QVERIFY(waitLoaded(model));
        QCOMPARE(model->rowCount(), int(before - removing));
        page->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        QTest::mouseClick(child<QPushButton>(page.get(), "undoButton"), Qt::LeftButton);
        QCOMPARE(page->session()->examples().count(datasetId), before);
    }

    void usesTheDatasetForTraining()
    {
        auto page = openPage();
        const qint64 datasetId = page->currentDatasetId();
        QVERIFY(datasetId > 0);
        QSignalSpy use(page.get(), &DatasetsPage::useForTrainingRequested);
        QTest::mouseClick(child<QPushButton>(page.get(), "useForTraining"), Qt::LeftButton);
        QCOMPARE(use.size(), 1);
        QCOMPARE(use.first().at(0).toLongLong(), datasetId);
    }

    void deletesADatasetAfterAsking()
    {
        auto page = openPage();
        auto* list = child<QListWidget>(page.get(), "datasetList");
        const qint64 sample = page->currentDatasetId();
        const qint64 examples = page->session()->examples().count(sample);
        // A second dataset, and a run that trained on the sample.
        const qint64 other = page->session()->datasets().create(QStringLiteral("other"));
        StoredExample example;
        example.record.instruction = QStringLiteral("Stay?");
        example.record.response = QStringLiteral("Yes.");
        page->session()->examples().add(other, example);
        NewRun newRun;
        newRun.name = QStringLiteral("trained on the sample");
        newRun.datasetId = sample;
        const qint64 runId = RunStore(page->session()->database(), page->session()->workspacePath()).createRun(newRun);
        page->session()->notifyDatasets();
        QCOMPARE(list->count(), 2);
        QVERIFY(page->selectDataset(sample));
        QTest::mouseClick(child<QPushButton>(page.get(), "splitDataset"), Qt::LeftButton);
        QPointer<DatasetSplitDialog> splitDialog = page->findChild<DatasetSplitDialog*>();
        QVERIFY(splitDialog);
        auto* action = child<QAction>(page.get(), "deleteDatasetAction");
        QVERIFY(list->actions().contains(action)); // the list's context menu
        QCOMPARE(action->shortcut(), QKeySequence(QKeySequence::Delete));

        // Cancel keeps it; the question names the dataset and its examples.
        QString question;
        onModal([&](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            question = box ? box->text() : QString();
            QTest::keyClick(modal, Qt::Key_Escape);
        });
        list->setFocus();
        QTest::keyClick(list, Qt::Key_Delete);
        QVERIFY2(question.contains(QStringLiteral("\"Sample\"")) &&
                     question.contains(QStringLiteral("its %L1 example").arg(examples)),
                 qPrintable(question));
        QCOMPARE(list->count(), 2);
        QVERIFY(splitDialog); // still open: nothing was deleted

        // Delete removes it and its examples; the run keeps its history (name and version of the dataset).
        onModal([](QWidget* modal) {
            auto* box = qobject_cast<QMessageBox*>(modal);
            QVERIFY(box);
            QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
        });
        page->activateWindow(); // the question had the focus
        QVERIFY(QTest::qWaitForWindowActive(page.get()));
        list->setFocus();
        QTest::keyClick(list, Qt::Key_Delete);
        QCOMPARE(list->count(), 1);
        QVERIFY(list->item(0)->text().startsWith(QStringLiteral("other")));
        QVERIFY(!page->session()->datasets().find(sample));
        QCOMPARE(page->session()->examples().count(sample), 0);
        QVERIFY(waitLoaded(page->exampleModel()));
        QCOMPARE(page->currentDatasetId(), other);
        QCOMPARE(page->exampleModel()->rowCount(), 1);
        const auto run = RunStore(page->session()->database(), page->session()->workspacePath()).run(runId);
        QVERIFY(run);
        QVERIFY(!run->datasetId.has_value());
        QCOMPARE(run->datasetName, QStringLiteral("Sample"));
        QVERIFY(child<QLabel>(page.get(), "datasetsStatus")->text().contains(QStringLiteral("Deleted the dataset")));
        QTRY_VERIFY(splitDialog.isNull()); // the split dialog of the deleted dataset closed
    }

    void countsTokensForTheChosenModel()
    {
        QString error;
        const QString model = ft::test::makeTinyModel(m_dir.filePath(QStringLiteral("tiny")), &error);
        QVERIFY2(!model.isEmpty(), qPrintable(error));
        auto page = openPage();
        page->setModels({model});
        chooseItem(child<QComboBox>(page.get(), "tokenModel"), QStringLiteral("tiny"));
        QTRY_VERIFY_WITH_TIMEOUT(page->tokenPicker()->setup().valid(), 10000);
        clickRow(page->table(), 0);
        const StoredExample example = *page->session()->examples().example(page->exampleModel()->idAt(0));
        const ModelConfig config = ModelConfig::fromFile(QDir(model).filePath(QStringLiteral("config.json")));
        const auto tokenizer = Tokenizer::fromModelFolder(model, &config);
        const TokenizedExample encoded = encodeExample(*tokenizer, PromptTemplate::builtin(QStringLiteral("alpaca")),
                                                       example.record, LossOn::Response, 0);
        const qint64 total = encoded.promptTokens + encoded.responseTokens;
        QTRY_VERIFY2(child<QLabel>(page.get(), "tokenCounts")
                         ->text()
                         .startsWith(QStringLiteral("%1 tokens: %2 prompt").arg(total).arg(encoded.promptTokens)),
                     qPrintable(child<QLabel>(page.get(), "tokenCounts")->text()));
        // The table's Tokens column is counted on a thread, the same way.
        QTRY_COMPARE(page->exampleModel()->data(page->exampleModel()->index(0, ExampleTableModel::Tokens)).toLongLong(),
                     total);
        // Typing changes the count at once (well, after the preview's short delay).
        auto* response = child<QPlainTextEdit>(page.get(), "responseEdit");
        response->setFocus();
        response->moveCursor(QTextCursor::End);
        QTest::keyClicks(response, QStringLiteral(" and many more words here"));
        QTRY_VERIFY(
            !child<QLabel>(page.get(), "tokenCounts")->text().startsWith(QStringLiteral("%1 tokens").arg(total)));
        // The loss-carrying part is highlighted in the preview.
        QVERIFY(
            child<QTextBrowser>(page.get(), "promptPreview")->toHtml().contains(QStringLiteral("background-color")));

        // Statistics: the histogram of token lengths with the context cut-off line.
        DatasetStatsPanel* stats = page->statsPanel();
        QSignalSpy computed(stats, &DatasetStatsPanel::computed);
        QTest::mouseClick(child<QPushButton>(stats, "computeStats"), Qt::LeftButton);
        QVERIFY(computed.wait(20000));
        QVERIFY(stats->barCount() > 0);
        QCOMPARE(stats->cutOff(), double(page->tokenPicker()->setup().contextLength));
        QVERIFY(page->tokenPicker()->setup().contextLength > 0);
        const QString summary = child<QLabel>(stats, "statsSummary")->text();
        QVERIFY2(summary.contains(QStringLiteral("%L1 examples").arg(page->exampleModel()->rowCount())),
                 qPrintable(summary));
        QVERIFY(summary.contains(QStringLiteral("longer than the context")));
    }

    // A folder with its own chat template (the Qwen3 fixture: tokenizer.json and tokenizer_config.json)
    // offers "model", picks it, and counts with it; a folder without one withdraws it.
    // "Tokens for" ▸ Model… opens in the models folder of the settings (where the starter model is),
    // not the home folder.
    void modelDialogOpensInTheModelsFolder()
    {
        auto page = openPage();
        const QString models = m_dir.filePath(QStringLiteral("models-folder"));
        QVERIFY(QDir().mkpath(models));
        page->setModelsFolder(models);
        QString opened;
        onModal([&](QWidget* modal) {
            if (auto* dialog = qobject_cast<QFileDialog*>(modal))
                opened = dialog->directory().absolutePath();
            modal->close();
        });
        QTest::mouseClick(child<QPushButton>(page.get(), "tokenModelBrowse"), Qt::LeftButton);
        QCOMPARE(opened, QDir(models).absolutePath());
    }

    void countsWithTheModelsOwnTemplate()
    {
        FT_REQUIRE_SHARED();
        const QString folder = ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/qwen3"));
        auto page = openPage();
        page->setModels({folder});
        auto* templates = child<QComboBox>(page.get(), "tokenTemplate");
        chooseItem(child<QComboBox>(page.get(), "tokenModel"), QStringLiteral("qwen3"));
        QTRY_VERIFY_WITH_TIMEOUT(page->tokenPicker()->setup().valid(), 20000);
        QCOMPARE(templates->currentText(), QStringLiteral("model"));
        QCOMPARE(page->tokenPicker()->setup().promptTemplate.name, QStringLiteral("model"));
        clickRow(page->table(), 0);
        const StoredExample example = *page->session()->examples().example(page->exampleModel()->idAt(0));
        const auto tokenizer = Tokenizer::fromModelFolder(folder);
        const TokenizedExample encoded =
            encodeExample(*tokenizer, modelPromptTemplate(folder), example.record, LossOn::Response, 0);
        QTRY_VERIFY2(child<QLabel>(page.get(), "tokenCounts")
                         ->text()
                         .startsWith(QStringLiteral("%1 tokens: %2 prompt")
                                         .arg(encoded.promptTokens + encoded.responseTokens)
                                         .arg(encoded.promptTokens)),
                     qPrintable(child<QLabel>(page.get(), "tokenCounts")->text()));
        QVERIFY(
            child<QTextBrowser>(page.get(), "promptPreview")->toPlainText().contains(QStringLiteral("<|im_start|>")));

        chooseItem(child<QComboBox>(page.get(), "tokenModel"), QStringLiteral("(no model: no counts)"));
        QTRY_COMPARE(templates->findText(QStringLiteral("model")), -1);
        QCOMPARE(templates->currentText(), QStringLiteral("alpaca"));
    }

    void importsTheAlpacaDemo()
    {
        FT_REQUIRE_SHARED();
        const QString path = ft::test::sharedPath(QStringLiteral("datasets/alpaca_en_demo.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const int records = static_cast<int>(QJsonDocument::fromJson(file.readAll()).array().size());
        QVERIFY(records > 0);

        auto page = openPage();
        page->offerImport({path});
        QCOMPARE(page->pendingFiles(), QStringList{path});
        auto* importButton = child<QPushButton>(page.get(), "importButton");
        QTRY_VERIFY(importButton->isEnabled()); // detected on a thread
        QVERIFY(child<QLabel>(page.get(), "importExplanation")->text().contains(QStringLiteral("alpaca")));
        QCOMPARE(child<QComboBox>(page.get(), "importFormat")->currentText(), QStringLiteral("alpaca"));
        QTRY_VERIFY(child<QTableWidget>(page.get(), "importPreview")->rowCount() > 0);
        QCOMPARE(child<QLineEdit>(page.get(), "importName")->text(), QStringLiteral("alpaca_en_demo"));

        QSignalSpy imported(page->importPanel(), &DatasetImportPanel::imported);
        QTest::mouseClick(importButton, Qt::LeftButton);
        QVERIFY(imported.wait(20000));
        QCOMPARE(imported.first().at(1).toLongLong(), qint64(records));
        auto* list = child<QListWidget>(page.get(), "datasetList");
        QCOMPARE(list->count(), 2);
        QCOMPARE(page->currentDatasetId(), imported.first().at(0).toLongLong());
        QVERIFY(list->currentItem()->text().startsWith(QStringLiteral("alpaca_en_demo")));
        QVERIFY(waitLoaded(page->exampleModel()));
        QTRY_COMPARE(page->exampleModel()->rowCount(), records);
        QVERIFY(page->exampleModel()
                    ->data(page->exampleModel()->index(0, 0))
                    .toString()
                    .startsWith(QStringLiteral("Describe a process")));
    }

    void importErrorNamesTheRecord()
    {
        const QString path = m_dir.filePath(QStringLiteral("broken.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"instruction\": \"a\", \"response\": \"b\"}\n{\"instruction\": \"c\", \"response\": "
                   "\"d\"}\n{\"instruction\": \"e\", "
                   "\"response\": \n{\"instruction\": \"f\", \"response\": \"g\"}\n");
        file.close();
        auto page = openPage();
        page->offerImport({path});
        auto* importButton = child<QPushButton>(page.get(), "importButton");
        QTRY_VERIFY(importButton->isEnabled());
        auto* errors = child<QListWidget>(page.get(), "importErrors");
        QSignalSpy imported(page->importPanel(), &DatasetImportPanel::imported);
        QTest::mouseClick(importButton, Qt::LeftButton);
        QTRY_VERIFY(!page->importPanel()->isImporting());
        QCOMPARE(imported.size(), 0);
        QTRY_VERIFY(errors->count() > 0);
        QVERIFY2(errors->item(errors->count() - 1)->text().contains(QStringLiteral("broken.jsonl:3")),
                 qPrintable(errors->item(errors->count() - 1)->text()));
        QCOMPARE(child<QListWidget>(page.get(), "datasetList")->count(), 1); // nothing was imported

        // Skipping bad records imports the rest and lists the skipped one.
        QTest::mouseClick(child<QCheckBox>(page.get(), "skipBadRecords"), Qt::LeftButton, {}, QPoint(6, 6));
        QTest::mouseClick(importButton, Qt::LeftButton);
        QVERIFY(imported.wait(5000));
        QCOMPARE(imported.first().at(1).toLongLong(), 3);
        QVERIFY(errors->isVisible());
        QVERIFY(errors->item(0)->text().contains(QStringLiteral("broken.jsonl:3")));
    }
};

QTEST_MAIN(TestDatasetsPage)
#include "tst_datasets_page.moc"
