#pragma once
// Small helpers of the widget tests.

#include <QAbstractButton>
#include <QSpinBox>
#include <QTest>
#include <QWidget>

// The descendant of `parent` with this object name; a missing one ends the test program at once
// (a renamed widget is a broken test, not a skipped check).
template <typename T> T* child(QWidget* parent, const char* name)
{
    T* widget = parent->findChild<T*>(QLatin1String(name));
    if (!widget)
        qFatal("no widget %s", name);
    return widget;
}

// Types `value` into the named spin box as a user would (select all, keys, Tab to commit).
inline void typeNumber(QWidget* parent, const char* name, int value)
{
    auto* spin = child<QSpinBox>(parent, name);
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QString::number(value));
    QTest::keyClick(spin, Qt::Key_Tab);
    QCOMPARE(spin->value(), value);
}

// A check box or radio button is clicked on its indicator (its centre may be empty space in a
// stretched layout, outside the area the button reacts to).
inline void clickIndicator(QAbstractButton* button)
{
    QTest::mouseClick(button, Qt::LeftButton, Qt::KeyboardModifiers(), QPoint(6, button->height() / 2));
}
