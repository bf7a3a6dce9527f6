// The dependency picture of docs/architecture.md, checked on the source tree's includes: the engine
// never reaches up into the studio's process layer, the store, the report or the GUI; the contract,
// data, modelio and common stay QtCore-only and free of LibTorch; the GUI never includes LibTorch or
// the engine, nor writes SQL. A new include that breaks a rule fails here, naming the file and line.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

namespace {

struct Include {
    QString file; // relative to the source tree
    int line = 0;
    QString header;
};

QList<Include> includesUnder(const QString& folder)
{
    // ^ # include <header> or "header"
    static const QRegularExpression includeLine(QStringLiteral("^\\s*\\x23\\s*include\\s*[<\"]([^>\"]+)[>\"]"));
    const QString root = QStringLiteral(FT_SOURCE_DIR);
    QList<Include> found;
    QDirIterator it(root + QLatin1Char('/') + folder, {QStringLiteral("*.h"), QStringLiteral("*.cpp")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            continue;
        int number = 0;
        while (!file.atEnd()) {
            ++number;
            const auto match = includeLine.match(QString::fromUtf8(file.readLine()));
            if (match.hasMatch())
                found.append({path.mid(root.size() + 1), number, match.captured(1)});
        }
    }
    return found;
}

bool isTorchHeader(const QString& header)
{
    return header.startsWith(QLatin1String("torch/")) || header.startsWith(QLatin1String("ATen/")) ||
           header.startsWith(QLatin1String("c10/")) || header.startsWith(QLatin1String("caffe2/")) ||
           header == QLatin1String("engine/torch_pch.h");
}

bool isGuiHeader(const QString& header)
{
    static const QRegularExpression gui(QStringLiteral(
        "^(QtGui|QtWidgets|QtPrintSupport)/|"
        "^Q(Widget|Painter|Image|Pixmap|Color|Font|Icon|Palette|Window|Dialog|Application|GuiApplication)\\b"));
    return gui.match(header).hasMatch();
}

// The folders of the project's own headers ("engine/x.h" -> "engine").
QString projectFolder(const QString& header)
{
    static const QStringList known{QStringLiteral("common"),   QStringLiteral("modelio"), QStringLiteral("data"),
                                   QStringLiteral("contract"), QStringLiteral("chat"),    QStringLiteral("gguf"),
                                   QStringLiteral("engine"),   QStringLiteral("store"),   QStringLiteral("runs"),
                                   QStringLiteral("report"),   QStringLiteral("ui")};
    const QString first = header.section(QLatin1Char('/'), 0, 0);
    return header.contains(QLatin1Char('/')) && known.contains(first) ? first : QString();
}

QString describe(const Include& include)
{
    return QStringLiteral("%1:%2 includes %3").arg(include.file).arg(include.line).arg(include.header);
}

} // namespace

class TestDependencyRules : public QObject {
    Q_OBJECT

private slots:
    void sourceTreeIsThere()
    {
        QVERIFY2(!includesUnder(QStringLiteral("core/engine")).isEmpty(), "no includes found under core/engine");
        QVERIFY2(!includesUnder(QStringLiteral("ui")).isEmpty(), "no includes found under ui");
    }

    // Which of the project's folders each layer may include; LibTorch and the GUI libraries apart.
    void layersIncludeOnlyWhatTheyMay_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<bool>("torchAllowed");
        QTest::addColumn<bool>("guiAllowed");
        const QStringList base{QStringLiteral("common")};
        QTest::newRow("common") << "core/common" << base << false << false;
        QTest::newRow("modelio") << "core/modelio" << QStringList{"common", "modelio"} << false << false;
        QTest::newRow("data") << "core/data" << QStringList{"common", "modelio", "data"} << false << false;
        QTest::newRow("contract") << "core/contract" << QStringList{"common", "modelio", "data", "contract"} << false
                                  << false;
        QTest::newRow("chat") << "core/chat" << QStringList{"common", "data", "chat"} << false << false;
        QTest::newRow("gguf") << "core/gguf" << QStringList{"common", "modelio", "data", "chat", "gguf"} << false
                              << false;
        QTest::newRow("engine") << "core/engine"
                                << QStringList{"common", "modelio", "data", "contract", "chat", "engine"} << true
                                << false;
        QTest::newRow("store") << "core/store" << QStringList{"common", "modelio", "data", "contract", "store"} << false
                               << false;
        QTest::newRow("report") << "core/report" << QStringList{"common", "data", "contract", "store", "report"}
                                << false << false;
        QTest::newRow("runs") << "core/runs"
                              << QStringList{"common", "modelio", "data", "contract", "chat", "store", "runs"} << false
                              << false;
        QTest::newRow("ui") << "ui" << QStringList{"common", "modelio", "data",   "contract", "chat",
                                                   "store",  "runs",    "report", "ui"}
                            << false << true;
        QTest::newRow("gui main") << "app/gui"
                                  << QStringList{"common", "modelio", "data", "contract", "store", "runs", "ui"}
                                  << false << true;
        QTest::newRow("command line") << "app/cli" << QStringList{"common", "modelio", "data", "contract", "chat",
                                                                  "gguf",   "store",   "runs", "report"}
                                      << false << false;
        QTest::newRow("engine program") << "app/engine"
                                        << QStringList{"common", "modelio", "data",  "contract", "chat",
                                                       "gguf",   "engine",  "store", "runs",     "report"}
                                        << true << false;
    }

    void layersIncludeOnlyWhatTheyMay()
    {
        QFETCH(QString, folder);
        QFETCH(QStringList, allowed);
        QFETCH(bool, torchAllowed);
        QFETCH(bool, guiAllowed);
        QStringList broken;
        for (const Include& include : includesUnder(folder)) {
            const QString layer = projectFolder(include.header);
            if (!layer.isEmpty() && !allowed.contains(layer))
                broken << describe(include);
            if (!torchAllowed && isTorchHeader(include.header))
                broken << describe(include) + QStringLiteral(" (LibTorch)");
            if (!guiAllowed && isGuiHeader(include.header))
                broken << describe(include) + QStringLiteral(" (Qt GUI)");
        }
        QVERIFY2(broken.isEmpty(), qPrintable(broken.join(QLatin1Char('\n'))));
    }

    // The engine's kernels know nothing of models, training or Qt: LibTorch and the C++ library only.
    void kernelsStandAlone()
    {
        QStringList broken;
        for (const Include& include : includesUnder(QStringLiteral("core/engine/kernels"))) {
            const bool own = include.header.startsWith(QLatin1String("engine/kernels/"));
            if (!own && (!projectFolder(include.header).isEmpty() || include.header.startsWith(QLatin1Char('Q'))))
                broken << describe(include);
        }
        QVERIFY2(broken.isEmpty(), qPrintable(broken.join(QLatin1Char('\n'))));
    }

    // SQL lives in the store (and the report's collector): the GUI asks the store, it writes no queries.
    void theGuiWritesNoSql()
    {
        QStringList broken;
        for (const Include& include : includesUnder(QStringLiteral("ui")))
            if (include.header.startsWith(QLatin1String("QSql")) && include.header != QLatin1String("QSqlDatabase"))
                broken << describe(include);
        QVERIFY2(broken.isEmpty(), qPrintable(broken.join(QLatin1Char('\n'))));
    }

    // The rule's checker itself: a broken include is found.
    void findsABrokenInclude()
    {
        QVERIFY(isTorchHeader(QStringLiteral("torch/torch.h")));
        QVERIFY(isTorchHeader(QStringLiteral("ATen/Parallel.h")));
        QVERIFY(isGuiHeader(QStringLiteral("QWidget")));
        QVERIFY(isGuiHeader(QStringLiteral("QtGui/QImage")));
        QVERIFY(!isGuiHeader(QStringLiteral("QJsonObject")));
        QCOMPARE(projectFolder(QStringLiteral("runs/run_queue.h")), QStringLiteral("runs"));
        QCOMPARE(projectFolder(QStringLiteral("train_events.h")), QString());
    }
};

QTEST_APPLESS_MAIN(TestDependencyRules)
#include "tst_dependency_rules.moc"
