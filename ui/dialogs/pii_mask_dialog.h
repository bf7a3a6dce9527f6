#pragma once
// PiiMaskDialog: what "Mask PII" would change, before it changes: how many items of each type
// (e-mail, phone, card number, ...) the selected examples hold and the placeholder each becomes, and
// the first affected examples' fields before and after. Nothing is written here: on "Mask" the page
// applies every change as one undoable step.

#include <map>
#include <vector>

#include <QDialog>

#include "data/pii.h"
#include "store/example_store.h"

class QPushButton;

namespace ft::ui {

// Found on a thread (findPiiMasking) over the selected examples.
struct PiiMasking {
    int scanned = 0;                        // examples looked at
    std::vector<ExampleTextChange> before;  // the affected examples as they are
    std::vector<ExampleTextChange> changes; // and as they would be, in the same order
    std::map<PiiType, int> counts;          // items found, by type
    int items() const;
};

struct TaskControl;

// Reads the examples `ids` of the database at `databasePath` (on the calling thread) and masks them;
// with a `control`, reports progress and stops early (a partial result) once it is cancelled.
PiiMasking findPiiMasking(const QString& databasePath, const std::vector<qint64>& ids, TaskControl* control = nullptr);

class PiiMaskDialog : public QDialog {
    Q_OBJECT
public:
    static constexpr int kPreviewExamples = 20;

    explicit PiiMaskDialog(const PiiMasking& masking, QWidget* parent = nullptr);
    QPushButton* maskButton() const { return m_mask; }

private:
    QPushButton* m_mask;
};

} // namespace ft::ui
