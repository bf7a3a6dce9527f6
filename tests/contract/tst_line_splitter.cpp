// The worker's stdout as bytes: partial lines joined, over-long lines dropped whole.

#include <QTest>

#include "contract/line_splitter.h"

using namespace ft;

class TestLineSplitter : public QObject {
    Q_OBJECT
private slots:
    void splitterJoinsPartialLines()
    {
        LineSplitter splitter;
        QVERIFY(splitter.feed("{\"a\":").isEmpty());
        QVERIFY(splitter.feed("1").isEmpty());
        const QList<QByteArray> lines = splitter.feed("}\r\n\n{\"b\":2}\n{\"c\"");
        QCOMPARE(lines, (QList<QByteArray>{"{\"a\":1}", "{\"b\":2}"})); // CR stripped, blank line skipped
        QCOMPARE(splitter.takeRest(), QByteArray("{\"c\""));
        QVERIFY(splitter.takeRest().isEmpty());
    }
    void splitterDropsOverlongLines()
    {
        LineSplitter splitter(64);
        QVERIFY(splitter.feed(QByteArray(40, 'x')).isEmpty());
        QVERIFY(splitter.feed(QByteArray(40, 'y')).isEmpty());   // over the limit: dropped so far
        QVERIFY(splitter.feed(QByteArray(1000, 'z')).isEmpty()); // still the same line: nothing kept
        const QList<QByteArray> lines = splitter.feed("tail of the long line\nnext\n");
        QCOMPARE(lines, QList<QByteArray>{"next"});
        QCOMPARE(splitter.droppedLines(), 1);
        // One chunk holding a long line between two good ones.
        const QList<QByteArray> more = splitter.feed("a\n" + QByteArray(200, 'q') + "\nb\n");
        QCOMPARE(more, (QList<QByteArray>{"a", "b"}));
        QCOMPARE(splitter.droppedLines(), 2);
    }
};

QTEST_APPLESS_MAIN(TestLineSplitter)
#include "tst_line_splitter.moc"
