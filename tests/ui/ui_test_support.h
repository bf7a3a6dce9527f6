#pragma once
// Small helpers of the widget tests.

#include <QAbstractButton>
#include <QTest>

// A check box or radio button is clicked on its indicator (its centre may be empty space in a
// stretched layout, outside the area the button reacts to).
inline void clickIndicator(QAbstractButton* button)
{
    QTest::mouseClick(button, Qt::LeftButton, Qt::KeyboardModifiers(), QPoint(6, button->height() / 2));
}
