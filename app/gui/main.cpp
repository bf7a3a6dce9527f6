// ftstudio: the desktop studio.

#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

#include "app_settings.h"
#include "common/app_paths.h"
#include "event_loop_probe.h"
#include "main_window.h"
#include "pages/monitor_page.h"
#include "pages/playground_page.h"
#include "pages/runs_page.h"
#include "pages/train_page.h"
#include "plural_forms.h"
#include "screenshots.h"
#include "theme.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FineTune Studio"));
    QApplication::setApplicationName(QStringLiteral("ftstudio"));
    QApplication::setApplicationDisplayName(QStringLiteral("FineTune Studio"));
    QApplication::setApplicationVersion(ft::appVersion());
    QApplication::setDesktopFileName(QStringLiteral("org.finetunestudio.ftstudio"));
    ft::ui::installPluralForms(app); // "1 run is training", not "1 run(s) are training"

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FineTune Studio: fine-tune language models on your own data."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("workspace"), QStringLiteral("Open this workspace folder."), QStringLiteral("DIR")},
        {QStringLiteral("settings"), QStringLiteral("Keep the settings in this INI file instead of the user's."),
         QStringLiteral("FILE")},
        {QStringLiteral("no-first-start"), QStringLiteral("Do not offer to create the starter model.")},
        {QStringLiteral("open-run"), QStringLiteral("Show this run folder (its events.jsonl) in the monitor."),
         QStringLiteral("DIR")},
        {QStringLiteral("screenshots"),
         QStringLiteral("Save a PNG of each page into DIR and quit (works offscreen: QT_QPA_PLATFORM=offscreen)."),
         QStringLiteral("DIR")},
        {QStringLiteral("screenshot-size"), QStringLiteral("The window's size for --screenshots (default 1280x860)."),
         QStringLiteral("WxH"), QStringLiteral("1280x860")},
        {QStringLiteral("screenshot-dpo-run"),
         QStringLiteral("With --screenshots: also show this DPO run folder in the monitor (monitor-dpo.png)."),
         QStringLiteral("DIR")},
    });
    parser.process(app);

    ft::ui::AppSettings settings(parser.value(QStringLiteral("settings")));
    ft::ui::applyTheme(settings.theme());
    ft::ui::MainWindowOptions options;
    options.offerStarterModel =
        !parser.isSet(QStringLiteral("no-first-start")) && !parser.isSet(QStringLiteral("screenshots"));
    options.measureThroughput = !parser.isSet(QStringLiteral("screenshots"));
    ft::ui::MainWindow window(&settings, options);
    if (parser.isSet(QStringLiteral("workspace")))
        window.openWorkspace(parser.value(QStringLiteral("workspace")));
    if (parser.isSet(QStringLiteral("open-run")))
        window.monitorPage()->openRunFolder(parser.value(QStringLiteral("open-run")));

    // FT_LATENCY_PROBE=1: print how long the event loop was ever blocked, when the studio quits.
    ft::ui::EventLoopProbe probe;
    const bool measure = qEnvironmentVariable("FT_LATENCY_PROBE") == QLatin1String("1");
    if (measure)
        probe.start();
    if (parser.isSet(QStringLiteral("screenshots"))) {
        const QStringList size = parser.value(QStringLiteral("screenshot-size")).split(QLatin1Char('x'));
        const int width = size.value(0).toInt(), height = size.value(1).toInt();
        if (size.size() != 2 || width < 320 || height < 240) {
            std::fprintf(stderr, "ftstudio: --screenshot-size expects WIDTHxHEIGHT, e.g. 1024x680\n");
            return 2;
        }
        window.resize(width, height);
    }
    window.show();
    if (parser.isSet(QStringLiteral("screenshots"))) {
        // Give the model inspection and the run folder (both on worker threads) a moment, then grab each page.
        const QString dir = parser.value(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        const QString dpoRun = parser.value(QStringLiteral("screenshot-dpo-run"));
        QTimer::singleShot(2500, &window, [&window, &settings, dir, dpoRun] {
            ft::ui::saveScreenshots(window, dir, settings.runsFolder(), dpoRun);
            QApplication::quit();
        });
    }
    const int status = app.exec();
    if (measure)
        std::fprintf(stderr, "%s\n", qPrintable(probe.summary()));
    return status;
}
