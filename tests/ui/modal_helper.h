#pragma once
// Acting on a modal dialog that the code under test opens with exec(): `onModal(work)` runs `work`
// on the dialog once it is the active modal widget (polled from the nested event loop).

#include <functional>

#include <QApplication>
#include <QTimer>
#include <QWidget>

inline void onModal(std::function<void(QWidget*)> work, int attempts = 250)
{
    QTimer::singleShot(20, qApp, [work, attempts] {
        if (QWidget* modal = QApplication::activeModalWidget()) {
            work(modal);
            return;
        }
        if (attempts > 0)
            onModal(work, attempts - 1);
    });
}
