// ModeSelector: three choices; a click chooses one (and says which), setMode() only shows it.

#include <QLabel>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTest>

#include "ui_test_support.h"
#include "widgets/mode_selector.h"

using namespace ft::ui;

class TestModeSelector : public QObject {
    Q_OBJECT
private slots:
    void clickChoosesAMode()
    {
        ModeSelector selector;
        selector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&selector));
        QSignalSpy chosen(&selector, &ModeSelector::modeChosen);
        clickIndicator(selector.button(QStringLiteral("qlora")));
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.first().at(0).toString(), QStringLiteral("qlora"));
        QCOMPARE(selector.mode(), QStringLiteral("qlora"));
        clickIndicator(selector.button(QStringLiteral("full")));
        QCOMPARE(chosen.last().at(0).toString(), QStringLiteral("full"));
        QVERIFY(!selector.button(QStringLiteral("qlora"))->isChecked());
    }
    void setModeShowsWithoutChoosing()
    {
        ModeSelector selector;
        QSignalSpy chosen(&selector, &ModeSelector::modeChosen);
        selector.setMode(QStringLiteral("instruction"));
        QCOMPARE(selector.mode(), QStringLiteral("instruction"));
        selector.setMode(QStringLiteral("freeze")); // a preset the three choices do not show
        QCOMPARE(selector.mode(), QString());
        QVERIFY(!selector.findChild<QLabel*>(QStringLiteral("modeOther"))->isHidden());
        QVERIFY(chosen.isEmpty());
    }
    void explainsEachMode()
    {
        ModeSelector selector;
        QString text;
        for (QLabel* label : selector.findChildren<QLabel*>())
            text += label->text() + QLatin1Char(' ');
        for (const char* word :
             {"every weight", "LoRA", "NF4", "Memory", "Time", "Overfitting risk", "rejected answer"})
            QVERIFY2(text.contains(QLatin1String(word)), word);
    }
};

QTEST_MAIN(TestModeSelector)
#include "tst_mode_selector.moc"
