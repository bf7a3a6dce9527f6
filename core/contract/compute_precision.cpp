#include "contract/compute_precision.h"

#include "common/cpu_bf16.h"
#include "common/error.h"

namespace ft {

namespace {
const char* const kOverrideVariable = "FT_COMPUTE_DTYPE";
}

ComputeDtypeDefault computeDtypeDefaultFor(bool cpuHasNativeBf16, const QString& environmentOverride)
{
    const QString chosen = environmentOverride.trimmed();
    if (!chosen.isEmpty()) {
        if (chosen != QLatin1String("float32") && chosen != QLatin1String("bfloat16"))
            throw Error(QStringLiteral("$%1 is \"%2\": expected float32 or bfloat16 (or unset, for this machine's "
                                       "default)")
                            .arg(QLatin1String(kOverrideVariable), chosen));
        return {chosen, QStringLiteral("set by $%1").arg(QLatin1String(kOverrideVariable))};
    }
    if (cpuHasNativeBf16)
        return {QStringLiteral("bfloat16"),
                QStringLiteral("this CPU multiplies bfloat16 in hardware (AVX-512 BF16 or AMX)")};
    return {QStringLiteral("float32"),
            QStringLiteral("this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX): bf16 would be emulated")};
}

ComputeDtypeDefault defaultComputeDtype()
{
    return computeDtypeDefaultFor(cpuHasNativeBf16(), qEnvironmentVariable(kOverrideVariable));
}

void applyDefaultComputeDtype(QJsonObject& settings)
{
    const QString key = QStringLiteral("compute_dtype");
    const auto named = settings.constFind(key);
    if (named == settings.constEnd() || named->isNull())
        settings[key] = defaultComputeDtype().dtype;
}

} // namespace ft
