#include "user_guide.h"

#include <QRegularExpression>
#include <QStringList>

namespace ft::ui {

QString userGuideMarkdown(const QString& guiMarkdown)
{
    static const QRegularExpression developers(QStringLiteral("<!-- developers -->.*?<!-- /developers -->"),
                                               QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression image(QStringLiteral("!\\[[^\\]]*\\]\\([^)]*\\)\\n?"));
    // " (`core/runs/x.h`)", " (`tests/ui/tst_x.cpp`, ...)": where the code is, not what the user does.
    static const QRegularExpression sourceReference(
        QStringLiteral(" \\(`(?:core|store|ui|app|tests|bench|runs)/[^`]*`[^()]*\\)"));
    QString text = guiMarkdown;
    text.remove(developers);
    text.remove(image);
    text.remove(sourceReference);
    QStringList lines = text.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.first().startsWith(QLatin1String("# ")))
        lines.first() = QStringLiteral("# FineTune Studio — user guide");
    return lines.join(QLatin1Char('\n'));
}

} // namespace ft::ui
