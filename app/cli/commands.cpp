#include "commands.h"

#include <cstring>
#include <vector>

namespace ft::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> table = {
        {"info", "show a model's architecture, size, vocabulary and files", runInfo},
        {"generate", "generate text from a model", nullptr},
        {"convert", "convert a llama2.c checkpoint (.bin) into a Hugging Face model folder", nullptr},
        {"model", "create models (model new --preset tiny|small OUT)", nullptr},
        {"train", "fine-tune a model (the studio's training worker)", nullptr},
        {"eval", "evaluate a run's checkpoint or a model; eval compare shows outputs side by side", nullptr},
        {"export", "export a model or a run's checkpoint to GGUF (llama.cpp, Ollama, LM Studio)", nullptr},
        {"report", "write a report on runs (Markdown, HTML, loss-curve SVG) into a folder", runReport},
        {"bench", "benchmarks: training throughput, sgemm, generation, loading", nullptr},
        {"dataset", "datasets of the workspace: import, export, list, show, curate (dataset --help)", runDataset},
        {"runs", "the run history: list, show, compare, delete (runs --help)", runRuns},
        {"sweep", "a hyperparameter sweep: trials of a configuration, the best by validation loss; sweep show",
         runSweepCommand},
    };
    return table;
}

bool isEngineCommand(const char* name, const char* subcommand)
{
    if (!name)
        return false;
    if (std::strcmp(name, "dataset") == 0)
        return subcommand && std::strcmp(subcommand, "generate") == 0;
    for (const Command& command : commands())
        if (std::strcmp(name, command.name) == 0)
            return command.run == nullptr;
    return false;
}

} // namespace ft::cli
