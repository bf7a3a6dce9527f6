// English plurals: the studio's messages that count with %n read "1 run is training." and "2 runs are
// training.", never "(s)", once installPluralForms() has loaded the compiled resources/translations file;
// and every such message in the sources is in that file (else: run scripts/update-plurals).

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QXmlStreamReader>

#include "plural_forms.h"

namespace {

struct PluralMessage {
    QString context;
    QString source;
    QStringList forms; // singular, plural
};

QList<PluralMessage> readTs()
{
    QFile file(QStringLiteral(FT_SOURCE_DIR "/resources/translations/ftstudio_en.ts"));
    QList<PluralMessage> messages;
    if (!file.open(QIODevice::ReadOnly))
        return messages;
    QXmlStreamReader xml(&file);
    QString context;
    PluralMessage current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            current = {context, {}, {}};
        else if (xml.name() == QLatin1String("source"))
            current.source = xml.readElementText();
        else if (xml.name() == QLatin1String("numerusform")) {
            current.forms << xml.readElementText();
            if (current.forms.size() == 2)
                messages << current;
        }
    }
    return messages;
}

QString withCount(QString form, int n)
{
    return form.replace(QLatin1String("%Ln"), QString::number(n)).replace(QLatin1String("%n"), QString::number(n));
}

} // namespace

class TestPlurals : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(ft::ui::installPluralForms(*QCoreApplication::instance())); }

    void countsReadAsEnglish()
    {
        QCOMPARE(QCoreApplication::translate("ft::ui::MainWindow", "%n run(s) are training.", nullptr, 1),
                 QStringLiteral("1 run is training."));
        QCOMPARE(QCoreApplication::translate("ft::ui::MainWindow", "%n run(s) are training.", nullptr, 3),
                 QStringLiteral("3 runs are training."));
        QCOMPARE(QCoreApplication::translate("ft::ui::CompareDialog", "%n setting(s) differ", nullptr, 1),
                 QStringLiteral("1 setting differs"));
        QCOMPARE(QCoreApplication::translate("ExampleCommands", "Delete %n example(s)", nullptr, 2),
                 QStringLiteral("Delete 2 examples"));
    }

    void everyMessageHasBothForms()
    {
        const QList<PluralMessage> messages = readTs();
        QVERIFY(messages.size() >= 30);
        for (const PluralMessage& m : messages) {
            for (int n : {1, 2}) {
                const QString text = QCoreApplication::translate(m.context.toUtf8().constData(),
                                                                 m.source.toUtf8().constData(), nullptr, n);
                QVERIFY2(!text.contains(QLatin1String("(s)")), qPrintable(m.context + QStringLiteral(": ") + text));
                QCOMPARE(text, withCount(m.forms[n == 1 ? 0 : 1], n));
            }
        }
    }

    // A new message with %n that is not in the file would read "(s)" again.
    void theFileCoversTheSources()
    {
        QSet<QString> known;
        for (const PluralMessage& m : readTs())
            known.insert(m.source);
        // tr( and its string literal, which may be several adjacent literals over lines.
        static const QRegularExpression call(QStringLiteral("tr\\(((?:\\s*\"(?:[^\"\\\\]|\\\\.)*\")+)"));
        static const QRegularExpression literal(QStringLiteral("\"((?:[^\"\\\\]|\\\\.)*)\""));
        QStringList missing;
        for (const char* folder : {"ui", "app/gui", "core/runs"}) {
            QDirIterator it(QStringLiteral(FT_SOURCE_DIR "/") + QLatin1String(folder), {QStringLiteral("*.cpp")},
                            QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile file(it.next());
                QVERIFY(file.open(QIODevice::ReadOnly));
                const QString text = QString::fromUtf8(file.readAll());
                for (auto match = call.globalMatch(text); match.hasNext();) {
                    QString source;
                    const QString literals = match.next().captured(1);
                    for (auto part = literal.globalMatch(literals); part.hasNext();)
                        source += part.next().captured(1);
                    source.replace(QLatin1String("\\\""), QLatin1String("\""));
                    if (source.contains(QLatin1String("%n")) || source.contains(QLatin1String("%Ln")))
                        if (!known.contains(source))
                            missing << source;
                }
            }
        }
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("not in resources/translations/ftstudio_en.ts (run "
                                                              "scripts/update-plurals): ") +
                                               missing.join(QStringLiteral(" | "))));
    }
};

QTEST_GUILESS_MAIN(TestPlurals)
#include "tst_plurals.moc"
