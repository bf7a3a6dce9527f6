#pragma once
// Shortcuts that hold each key once. A QAction given the same key twice (a standard key whose binding on
// this platform is also listed explicitly, as Ctrl+Q is QKeySequence::Quit under X11) makes Qt report an
// "Ambiguous shortcut overload" and trigger nothing; the offscreen platform has other bindings, so only a
// real display shows it (tests/ui/tst_x11_smoke).

#include <initializer_list>

#include <QAction>
#include <QKeySequence>
#include <QList>

namespace ft::ui {

// The platform's bindings of `standard`, then each of `extra` that is not among them.
inline QList<QKeySequence> shortcutsWith(QKeySequence::StandardKey standard, std::initializer_list<QKeySequence> extra)
{
    QList<QKeySequence> keys = QKeySequence::keyBindings(standard);
    for (const QKeySequence& key : extra)
        if (!key.isEmpty() && !keys.contains(key))
            keys << key;
    return keys;
}

} // namespace ft::ui
