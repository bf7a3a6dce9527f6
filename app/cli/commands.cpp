#include "commands.h"

#include <vector>

namespace ft::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> table = {
        {"info", "show a model's architecture, size, vocabulary and files", runInfo},
        {"generate", "generate text from a model", runGenerate},
        {"convert", "convert a llama2.c checkpoint (.bin) into a Hugging Face model folder", runConvert},
        {"model", "create models (model new --preset tiny|small OUT)", runModel},
        {"train", "fine-tune a model (the studio's training worker)", runTrain},
        {"eval", "evaluate a run's checkpoint or a model; eval compare shows outputs side by side", runEval},
        {"report", "write a report on runs (Markdown, HTML, loss-curve SVG) into a folder", runReport},
        {"bench", "benchmarks: training throughput, sgemm, generation, loading", runBench},
        {"dataset", "datasets of the workspace: import, export, list, show, curate (dataset --help)", runDataset},
        {"runs", "the run history: list, show, compare, delete (runs --help)", runRuns},
    };
    return table;
}

} // namespace ft::cli
