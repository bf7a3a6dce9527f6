// Every dataset format reader (JSON array splitter, JSONL, Alpaca, Dolly, ShareGPT, OpenAI, CSV/TSV,
// text, the studio's JSONL) and format detection. The first byte picks the format and whether bad
// records are skipped; the rest is the file.
#include "data/dataset_format.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QStringList names = ft::datasetFormatNames();
    const int choice = data[0] % (names.size() + 1); // the last: detected
    const bool skipBad = (data[0] / 16) % 2 == 1;
    const QString path = ft::fuzz::writeInput(data + 1, size - 1, QStringLiteral("dataset"));
    ft::fuzz::refusalsAreFine([&] {
        ft::ImportOptions options;
        if (choice == names.size()) {
            options = ft::detectDatasetFormat(path).options();
        } else {
            options.format = *ft::datasetFormatFromName(names[choice]);
            options.mapping.instruction = QStringLiteral("instruction");
            options.mapping.response = QStringLiteral("output");
        }
        options.skipBadRecords = skipBad;
        const std::unique_ptr<ft::DatasetReader> reader = ft::openDatasetReader(path, options);
        ft::ImportedExample example;
        while (reader->next(&example)) {
        }
    });
    return 0;
}
