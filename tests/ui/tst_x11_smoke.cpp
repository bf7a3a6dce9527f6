// The studio's window under a real X server (Xvfb, the xcb platform), where the platform's standard key
// bindings differ from the offscreen ones the other GUI tests use: every page by its Ctrl+N, undo and redo
// on the Datasets page, a menu opened by its mnemonic, and Ctrl+Q closing the window, with no "Ambiguous
// shortcut" from Qt on the way (the bug a user met: Ctrl+Q listed twice, so it did nothing).
// Run by CTest under xvfb-run; without an X display it exits 77, which CTest reports as skipped.

#include <cstdio>

#include <QApplication>
#include <QListWidget>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>

#include "app_settings.h"
#include "main_window.h"

using namespace ft;
using namespace ft::ui;

namespace {

QStringList g_warnings;

void collectWarnings(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtWarningMsg || type == QtCriticalMsg)
        g_warnings << message;
    std::fprintf(stderr, "%s\n", qPrintable(message));
}

} // namespace

class TestX11Smoke : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        qputenv("FT_DATA_HOME", m_dir.filePath(QStringLiteral("data-home")).toUtf8());
        qInstallMessageHandler(collectWarnings);
    }

    void shortcutsAndMenusWorkOnARealDisplay()
    {
        AppSettings settings(m_dir.filePath(QStringLiteral("x11.ini")));
        settings.setWorkspace(m_dir.filePath(QStringLiteral("workspace")));
        MainWindowOptions options;
        options.offerStarterModel = false;
        options.measureThroughput = false;
        MainWindow window(&settings, options);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow(); // no window manager under Xvfb gives the focus
        QVERIFY(QTest::qWaitForWindowActive(&window));

        for (int i = 0; i < MainWindow::PageCount; ++i) {
            QTest::keyClick(&window, static_cast<Qt::Key>(Qt::Key_1 + i), Qt::ControlModifier);
            QCOMPARE(window.currentPage(), static_cast<MainWindow::Page>(i));
        }
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);

        // The View menu by its mnemonic, then away with Escape.
        QTest::keyClick(&window, Qt::Key_V, Qt::AltModifier);
        QTRY_VERIFY(qobject_cast<QMenu*>(QApplication::activePopupWidget()));
        QCOMPARE(qobject_cast<QMenu*>(QApplication::activePopupWidget())->title(), QStringLiteral("&View"));
        QTest::keyClick(QApplication::activePopupWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!QApplication::activePopupWidget());

        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 5000);

        QStringList ambiguous;
        for (const QString& warning : g_warnings)
            if (warning.contains(QLatin1String("Ambiguous shortcut")))
                ambiguous << warning;
        QVERIFY2(ambiguous.isEmpty(), qPrintable(ambiguous.join(QLatin1Char('\n'))));
    }
};

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY")) {
        std::fprintf(stderr, "SKIP: no X display (CTest runs this under xvfb-run; install xvfb)\n");
        return 77;
    }
    qputenv("QT_QPA_PLATFORM", "xcb");
    QApplication app(argc, argv);
    TestX11Smoke test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_x11_smoke.moc"
