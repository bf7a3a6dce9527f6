// Help > User guide shows docs/gui.md as a user reads it: a clean title, no build commands or paths, no
// test or source-file notes, no image the window cannot show, and no table with empty columns; every
// page's section is there.

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "user_guide.h"

class TestUserGuide : public QObject {
    Q_OBJECT
private slots:
    void theGuideIsForUsers()
    {
        QFile file(QStringLiteral(":/docs/gui.md")); // the copy built into the studio
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString source = QString::fromUtf8(file.readAll());
        QVERIFY(source.contains(QLatin1String("build/app/gui/ftstudio"))); // the developers' parts are there
        const QString guide = ft::ui::userGuideMarkdown(source);
        QVERIFY(guide.startsWith(QStringLiteral("# FineTune Studio — user guide\n")));
        for (const char* forbidden : {"build/", "scripts/", "ninja", "ctest", "tests/", "tst_", "core/", "![", "<!--"})
            QVERIFY2(!guide.contains(QLatin1String(forbidden)), forbidden);
        static const QRegularExpression emptyCell(QStringLiteral("\\|\\s*\\|\\s*$"),
                                                  QRegularExpression::MultilineOption);
        QVERIFY2(!emptyCell.match(guide).hasMatch(), qPrintable(emptyCell.match(guide).captured(0)));
        for (const char* section : {"## The window", "## Train", "## Monitor", "## Runs", "## Datasets",
                                    "## Playground", "## Troubleshooting"})
            QVERIFY2(guide.contains(QLatin1String(section)), section);
    }

    void developerBlocksAndSourceReferencesGo()
    {
        const QString text = QStringLiteral("# The studio\nkeep\n<!-- developers -->\nbuild/x\n<!-- /developers -->\n"
                                            "measured (`core/runs/x.h`) here\n![shot](a.png)\nend");
        QCOMPARE(ft::ui::userGuideMarkdown(text),
                 QStringLiteral("# FineTune Studio — user guide\nkeep\n\nmeasured here\nend"));
    }
};

QTEST_MAIN(TestUserGuide)
#include "tst_user_guide.moc"
