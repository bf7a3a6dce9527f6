// AppSettings and the themes: recent workspaces and known models (most recent first, bounded), the
// defaults, the cached throughput; the dark theme's palette and the Fusion style.

#include <QApplication>
#include <QProxyStyle>
#include <QRadioButton>
#include <QStyleOptionButton>
#include <QPalette>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>

#include "app_settings.h"
#include "theme.h"

using namespace ft::ui;

class TestAppSettings : public QObject {
    Q_OBJECT
private slots:
    void remembersRecentWorkspacesAndModels()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath(QStringLiteral("s.ini")));
        for (int i = 0; i < AppSettings::kMaxRecent + 3; ++i)
            settings.setWorkspace(QStringLiteral("/ws/%1").arg(i));
        settings.setWorkspace(QStringLiteral("/ws/5"));
        const QStringList recent = settings.recentWorkspaces();
        QCOMPARE(recent.size(), AppSettings::kMaxRecent);
        QCOMPARE(recent.first(), QStringLiteral("/ws/5"));
        QCOMPARE(recent.count(QStringLiteral("/ws/5")), 1);
        QCOMPARE(settings.workspace(), QStringLiteral("/ws/5"));
        QCOMPARE(settings.runsFolder(), QStringLiteral("/ws/5/runs"));
        settings.addKnownModel(QStringLiteral("/m/a/"));
        settings.addKnownModel(QStringLiteral("/m/b"));
        settings.addKnownModel(QStringLiteral("/m/a"));
        QCOMPARE(settings.knownModels(), (QStringList{QStringLiteral("/m/a"), QStringLiteral("/m/b")}));
        settings.removeKnownModel(QStringLiteral("/m/a"));
        QCOMPARE(settings.knownModels(), QStringList{QStringLiteral("/m/b")});
        settings.sync();
        AppSettings again(dir.filePath(QStringLiteral("s.ini")));
        QCOMPARE(again.recentWorkspaces(), recent);
    }
    void defaults()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath(QStringLiteral("s.ini")));
        QCOMPARE(settings.theme(), QStringLiteral("system"));
        QCOMPARE(settings.threads(), 0);
        QCOMPARE(settings.maxConcurrentRuns(), 1);
        QVERIFY(settings.starterModelPath().endsWith(QStringLiteral("models/starter-tiny")));
        QVERIFY(std::isnan(settings.sgemmGflops(0)));
        settings.setSgemmGflops(0, 55.5);
        QCOMPARE(settings.sgemmGflops(0), 55.5);
        QVERIFY(std::isnan(settings.sgemmGflops(2))); // measured per thread count
        settings.setTheme(QStringLiteral("purple"));
        QCOMPARE(settings.theme(), QStringLiteral("system"));
    }
    void themes()
    {
        const QColor systemWindow = QApplication::palette().color(QPalette::Window);
        applyTheme(QStringLiteral("dark"));
        QCOMPARE(currentTheme(), QStringLiteral("dark"));
        auto* proxy = qobject_cast<QProxyStyle*>(QApplication::style());
        QVERIFY(proxy); // Fusion, with rims that show on the dark palette
        QCOMPARE(proxy->baseStyle()->name().toLower(), QStringLiteral("fusion"));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
        QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 180);
        // A user could not find the radio buttons on the dark theme: Fusion's rim was as dark as the
        // field behind it. Now an unchecked option's circle has a visible rim.
        QRadioButton radio(QStringLiteral("option"));
        radio.resize(120, 30);
        const QImage image = radio.grab().toImage();
        QStyleOptionButton option;
        option.initFrom(&radio);
        const QRect indicator = radio.style()->subElementRect(QStyle::SE_RadioButtonIndicator, &option, &radio);
        int rimPixels = 0;
        for (int y = indicator.top(); y <= indicator.bottom(); ++y)
            for (int x = indicator.left(); x <= indicator.right(); ++x)
                rimPixels += QColor(image.pixel(x, y)).lightness() >= 100 ? 1 : 0;
        QVERIFY2(rimPixels >= indicator.width(), qPrintable(QStringLiteral("%1 light pixels").arg(rimPixels)));
        applyTheme(QStringLiteral("light"));
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 180);
        applyTheme(QStringLiteral("system"));
        QCOMPARE(QApplication::palette().color(QPalette::Window), systemWindow);
    }
};

QTEST_MAIN(TestAppSettings)
#include "tst_app_settings.moc"
