// One line of a worker's event stream, as the studio reads it.
#include "contract/run_events.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    QString error;
    ft::fuzz::refusalsAreFine([&] { (void)ft::parseWorkerEvent(ft::fuzz::bytes(data, size), &error); });
    return 0;
}
