// The precision new runs compute in when their settings name none: bfloat16 where the CPU multiplies
// bf16 in hardware, float32 elsewhere, $FT_COMPUTE_DTYPE over both.

#include <QFile>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include "common/cpu_bf16.h"
#include "common/error.h"
#include "contract/compute_precision.h"
#include "support/scoped_environment.h"

using namespace ft;

namespace {

// The kernel's own list of this CPU's features (first processor), or empty where there is none.
QSet<QByteArray> kernelCpuFlags()
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (!cpuinfo.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    for (const QByteArray& line : cpuinfo.readAll().split('\n')) {
        if (!line.startsWith("flags"))
            continue;
        const QList<QByteArray> flags = line.mid(line.indexOf(':') + 1).simplified().split(' ');
        return QSet<QByteArray>(flags.begin(), flags.end());
    }
    return {};
}

} // namespace

class TestComputePrecision : public QObject {
    Q_OBJECT
private slots:
    void theMachineDecides()
    {
        QCOMPARE(computeDtypeDefaultFor(true, {}).dtype, QStringLiteral("bfloat16"));
        QCOMPARE(computeDtypeDefaultFor(false, {}).dtype, QStringLiteral("float32"));
        QVERIFY(computeDtypeDefaultFor(true, {}).reason.contains(QLatin1String("AVX-512 BF16")));
        QVERIFY(computeDtypeDefaultFor(false, {}).reason.contains(QLatin1String("emulated")));
    }

    void theEnvironmentOverridesTheMachine()
    {
        QCOMPARE(computeDtypeDefaultFor(true, QStringLiteral("float32")).dtype, QStringLiteral("float32"));
        QCOMPARE(computeDtypeDefaultFor(false, QStringLiteral("bfloat16")).dtype, QStringLiteral("bfloat16"));
        QVERIFY(computeDtypeDefaultFor(false, QStringLiteral("bfloat16"))
                    .reason.contains(QLatin1String("FT_COMPUTE_DTYPE")));
    }

    void aMistypedOverrideIsNamed()
    {
        try {
            computeDtypeDefaultFor(true, QStringLiteral("bf16"));
            QFAIL("an override that is neither float32 nor bfloat16 was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("$FT_COMPUTE_DTYPE is \"bf16\"")),
                     qPrintable(error.message()));
            QVERIFY(error.message().contains(QLatin1String("float32 or bfloat16")));
        }
    }

    // cpuid against the kernel's reading of it: avx512_bf16 or amx_bf16 in /proc/cpuinfo.
    void theCpuCheckAgreesWithTheKernel()
    {
        const QSet<QByteArray> flags = kernelCpuFlags();
        if (flags.isEmpty())
            QSKIP("no /proc/cpuinfo flags on this machine");
        const bool kernelSays =
            flags.contains("avx512f") && (flags.contains("avx512_bf16") || flags.contains("amx_bf16"));
        QCOMPARE(cpuHasNativeBf16(), kernelSays);
        qInfo("this CPU: %s", kernelSays ? "bfloat16 in hardware" : "no bfloat16 instructions");
    }

    void settingsThatNameAPrecisionKeepIt()
    {
        const test::ScopedEnvironment unset("FT_COMPUTE_DTYPE", QByteArray());
        const QString machine = cpuHasNativeBf16() ? QStringLiteral("bfloat16") : QStringLiteral("float32");
        QCOMPARE(defaultComputeDtype().dtype, machine);

        QJsonObject none;
        applyDefaultComputeDtype(none);
        QCOMPARE(none.value(QStringLiteral("compute_dtype")).toString(), machine);

        QJsonObject null{{QStringLiteral("compute_dtype"), QJsonValue::Null}};
        applyDefaultComputeDtype(null);
        QCOMPARE(null.value(QStringLiteral("compute_dtype")).toString(), machine);

        for (const QString& chosen : {QStringLiteral("float32"), QStringLiteral("bfloat16")}) {
            QJsonObject named{{QStringLiteral("compute_dtype"), chosen}};
            applyDefaultComputeDtype(named);
            QCOMPARE(named.value(QStringLiteral("compute_dtype")).toString(), chosen);
        }
    }

    void theEnvironmentReachesTheSettings()
    {
        for (const QByteArray& chosen : {QByteArray("float32"), QByteArray("bfloat16")}) {
            const test::ScopedEnvironment set("FT_COMPUTE_DTYPE", chosen);
            QJsonObject none;
            applyDefaultComputeDtype(none);
            QCOMPARE(none.value(QStringLiteral("compute_dtype")).toString(), QString::fromLatin1(chosen));
        }
        const test::ScopedEnvironment wrong("FT_COMPUTE_DTYPE", "fp16");
        QJsonObject none;
        QVERIFY_THROWS_EXCEPTION(Error, applyDefaultComputeDtype(none));
    }
};

QTEST_MAIN(TestComputePrecision)
#include "tst_compute_precision.moc"
