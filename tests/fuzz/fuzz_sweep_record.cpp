// sweep.json, as `sweep --resume` and the studio's Resume… read it (a file anyone may have edited).
#include "common/json_file.h"
#include "fuzz_support.h"
#include "runs/sweep_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ft::fuzz::refusalsAreFine([&] {
        const QJsonObject json = ft::parseJsonObject(ft::fuzz::bytes(data, size), QStringLiteral("sweep.json"));
        const ft::SweepRecord record =
            ft::SweepRecord::fromJson(json, QStringLiteral("/sweep"), QStringLiteral("sweep.json"));
        (void)record.bestTrial();
        (void)record.finishedLossesAt(1, 1);
        (void)record.toJson();
    });
    return 0;
}
