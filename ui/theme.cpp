#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QProxyStyle>
#include <QStyleOption>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace ft::ui {

namespace {

struct SystemLook {
    QString style;
    QPalette palette;
    bool saved = false;
};

SystemLook& systemLook()
{
    static SystemLook look;
    if (!look.saved && qApp) {
        look.style = qApp->style() ? qApp->style()->name() : QString();
        look.palette = QApplication::palette();
        look.saved = true;
    }
    return look;
}

QString g_current = QStringLiteral("system");

// Fusion draws the rims of radio buttons and check boxes in the window colour made darker, which on
// the dark palette is about the colour of the field behind them: the circles and boxes disappear
// and a checked option is hard to find. This draws Fusion's indicator, then a rim in a light grey.
class DarkFusionStyle : public QProxyStyle {
public:
    DarkFusionStyle()
        : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion")))
    {
    }
    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        if (element != PE_IndicatorRadioButton && element != PE_IndicatorCheckBox)
            return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, true);
        QColor rim = option->palette.color(QPalette::Text);
        rim.setAlpha(option->state & State_Enabled ? 150 : 70);
        painter->setPen(QPen(rim, 1.0));
        painter->setBrush(Qt::NoBrush);
        const QRectF box = QRectF(option->rect).adjusted(1.0, 1.0, -1.0, -1.0);
        if (element == PE_IndicatorRadioButton)
            painter->drawEllipse(box);
        else
            painter->drawRoundedRect(box, 1.5, 1.5);
        painter->restore();
    }
};

QPalette darkPalette()
{
    QPalette p;
    const QColor window(45, 45, 48);
    const QColor base(30, 30, 32);
    const QColor text(220, 220, 220);
    const QColor disabled(127, 127, 127);
    const QColor highlight(42, 130, 218);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, highlight.lighter(130));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, window.lighter(150));
    p.setColor(QPalette::Midlight, window.lighter(120));
    p.setColor(QPalette::Mid, window.darker(120));
    p.setColor(QPalette::Dark, window.darker(150));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(80, 80, 80));
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabled);
    return p;
}

} // namespace

void applyTheme(const QString& theme)
{
    const SystemLook& look = systemLook();
    if (theme == QLatin1String("dark")) {
        QApplication::setStyle(new DarkFusionStyle);
        QApplication::setPalette(darkPalette());
        g_current = theme;
    } else if (theme == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        g_current = theme;
    } else {
        if (!look.style.isEmpty())
            QApplication::setStyle(QStyleFactory::create(look.style));
        QApplication::setPalette(look.palette);
        g_current = QStringLiteral("system");
    }
}

QString currentTheme() { return g_current; }

} // namespace ft::ui
