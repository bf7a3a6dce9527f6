#include "plural_forms.h"

#include <QCoreApplication>
#include <QTranslator>
#include <QtDebug>

namespace ft::ui {

bool installPluralForms(QCoreApplication& app)
{
    auto* translator = new QTranslator(&app);
    if (!translator->load(QStringLiteral(":/i18n/ftstudio_en.qm"))) {
        qWarning("the English plural forms (:/i18n/ftstudio_en.qm) are missing: counts read \"(s)\"");
        delete translator;
        return false;
    }
    return QCoreApplication::installTranslator(translator);
}

} // namespace ft::ui
