#pragma once
// What a user cannot read: the texts of a window that are cut off by the widget that shows them.
// A label without word wrap narrower than its text, a button narrower than its caption, a table
// header section narrower than its title, a combo box narrower than its current choice, a plot's axis
// title longer than its axis. Hidden widgets
// are not counted; a label showing a text it elides on purpose (its tool tip is the whole
// text) is left to the widget.

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractScrollArea>
#include <QScrollBar>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QStringList>
#include <QStyle>
#include <QStyleOptionHeader>
#include <QTextDocument>
#include <QWidget>

#include <qcustomplot.h>

namespace ft::test {

inline QString describe(const QWidget* widget, const QString& text)
{
    QString name = widget->objectName();
    for (const QObject* p = widget->parent(); name.isEmpty() && p; p = p->parent())
        if (!p->objectName().isEmpty())
            name = QStringLiteral("in ") + p->objectName();
    return QStringLiteral("%1 \"%2\" (%3)")
        .arg(QString::fromLatin1(widget->metaObject()->className()), text.left(40), name);
}

inline QStringList clippedTexts(QWidget* window)
{
    QStringList clipped;
    for (QWidget* widget : window->findChildren<QWidget*>()) {
        if (!widget->isVisible())
            continue;
        if (auto* label = qobject_cast<QLabel*>(widget)) {
            if (label->wordWrap() || label->text().isEmpty() || label->toolTip() == label->text())
                continue;
            const int need = label->minimumSizeHint().width();
            if (label->width() + 1 < need)
                clipped << QStringLiteral("%1: %2 px of %3").arg(describe(label, label->text())).arg(label->width()).arg(need);
        } else if (auto* button = qobject_cast<QAbstractButton*>(widget)) {
            if (button->text().isEmpty())
                continue;
            const int need = button->sizeHint().width();
            if (button->width() + 1 < need)
                clipped << QStringLiteral("%1: %2 px of %3").arg(describe(button, button->text())).arg(button->width()).arg(need);
        } else if (auto* scroll = qobject_cast<QAbstractScrollArea*>(widget);
                   scroll && !qobject_cast<QAbstractItemView*>(widget) && scroll->horizontalScrollBar()->isVisible()) {
            // A page in a scroll area that scrolls sideways is wider than the window: its labels are not cut,
            // but the user has to scroll to read them.
            clipped << QStringLiteral("%1: scrolls sideways (%2 px of content in %3 px)")
                           .arg(describe(scroll, QString()))
                           .arg(scroll->horizontalScrollBar()->maximum() + scroll->viewport()->width())
                           .arg(scroll->viewport()->width());
        } else if (auto* plot = qobject_cast<QCustomPlot*>(widget)) {
            for (QCPAxisRect* rect : plot->axisRects())
                for (QCPAxis* axis : rect->axes()) {
                    if (!axis->visible() || axis->label().isEmpty())
                        continue;
                    const int need = QFontMetrics(axis->labelFont()).horizontalAdvance(axis->label());
                    const int have = axis->orientation() == Qt::Horizontal ? rect->width() : rect->height();
                    if (have < need)
                        clipped << QStringLiteral("%1: axis title %2 px of %3").arg(describe(plot, axis->label())).arg(have).arg(need);
                }
        } else if (auto* combo = qobject_cast<QComboBox*>(widget)) {
            if (combo->isEditable() || combo->currentText().isEmpty())
                continue;
            QStyleOptionComboBox option;
            option.initFrom(combo);
            const QSize text(combo->fontMetrics().horizontalAdvance(combo->currentText()), combo->fontMetrics().height());
            const int need = combo->style()->sizeFromContents(QStyle::CT_ComboBox, &option, text, combo).width();
            if (combo->width() + 1 < need)
                clipped << QStringLiteral("%1: %2 px of %3").arg(describe(combo, combo->currentText())).arg(combo->width()).arg(need);
        } else if (auto* header = qobject_cast<QHeaderView*>(widget)) {
            if (!header->model() || header->orientation() != Qt::Horizontal)
                continue;
            for (int section = 0; section < header->count(); ++section) {
                if (header->isSectionHidden(section) || header->sectionSize(section) == 0)
                    continue;
                const QString title = header->model()->headerData(section, Qt::Horizontal).toString();
                if (title.isEmpty())
                    continue;
                // The section's content size for its title alone (margins; no room for a sort indicator).
                const int need = header->fontMetrics().horizontalAdvance(title) +
                                 2 * header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
                if (header->sectionSize(section) < need)
                    clipped << QStringLiteral("%1: %2 px of %3")
                                   .arg(describe(header, title))
                                   .arg(header->sectionSize(section))
                                   .arg(need);
            }
        }
    }
    return clipped;
}

} // namespace ft::test
