// ftstudio-cli sweep CONFIG --param KEY=V1,V2 ...: a hyperparameter sweep, each trial an ordinary run
// trained by a worker of its own; `sweep --resume DIR` goes on with one; `sweep show DIR` prints one.

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "cli_common.h"
#include "cli_workspace.h"
#include "commands.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/compute_precision.h"
#include "contract/sweep_spec.h"
#include "runs/cli_locator.h"
#include "runs/run_queue.h"
#include "runs/sweep_record.h"
#include "runs/sweep_runner.h"

namespace ft::cli {

namespace {

QString trialLine(const SweepSpec& spec, const SweepTrial& t, size_t total)
{
    QString line =
        QStringLiteral("trial %1/%2 %3: %4").arg(t.index).arg(total).arg(sweepSettingsText(t.settings), t.status);
    if (t.objective)
        line += QStringLiteral(", best val loss %1").arg(*t.objective, 0, 'f', 4) +
                (t.bestStep ? QStringLiteral(" (step %1)").arg(*t.bestStep) : QString());
    if (t.metric)
        line += QStringLiteral(", %1 %2").arg(spec.objective).arg(*t.metric, 0, 'f', 4);
    if (!t.message.isEmpty() && t.status != QLatin1String("finished"))
        line += QStringLiteral(" — ") + t.message;
    return line;
}

void printSummary(const SweepRecord& record, bool json)
{
    if (json) {
        QJsonObject object = record.toJson();
        object[QStringLiteral("folder")] = record.folder();
        printJson(object);
        return;
    }
    out() << "Sweep " << record.spec().name << " (" << record.folder() << ")\n";
    for (const SweepTrial& t : record.trials())
        out() << "  " << trialLine(record.spec(), t, record.trials().size()) << "\n";
    const QString objective = record.spec().objectiveIsEvaluation()
                                  ? QStringLiteral("%1 (first %2 validation examples)")
                                        .arg(record.spec().objective)
                                        .arg(record.spec().objectiveExamples)
                                  : QStringLiteral("validation loss");
    if (const std::optional<int> best = record.bestTrial()) {
        const SweepTrial& t = record.trials()[static_cast<size_t>(*best)];
        out() << "best: trial " << t.index << " (" << sweepSettingsText(t.settings) << "), " << objective << " "
              << QString::number(*record.objectiveValue(t), 'f', 4) << ", run " << t.runDir << "\n";
    } else {
        out() << "no trial has a " << objective << " yet\n";
    }
}

// Runs the record's remaining trials to the end, printing each as it starts and ends.
int runSweep(SweepRecord record, bool json)
{
    RunQueue queue;
    queue.setCliPath(QCoreApplication::applicationFilePath());
    queue.setMaxConcurrent(record.spec().parallel); // the runner keeps to what fits, at most this
    SweepRunner runner(&queue, std::move(record));
    const size_t total = runner.record().trials().size();
    QEventLoop loop;
    QString failure;
    QObject::connect(&runner, &SweepRunner::trialStarted, [&](int index, int) {
        if (!json)
            err() << trialLine(runner.record().spec(), runner.record().trials()[static_cast<size_t>(index - 1)], total)
                  << " (" << runner.record().trials()[static_cast<size_t>(index - 1)].runDir << ")\n";
    });
    QObject::connect(&runner, &SweepRunner::trialChanged, [&](int index) {
        const SweepTrial& t = runner.record().trials()[static_cast<size_t>(index - 1)];
        if (!json && t.isDone())
            err() << trialLine(runner.record().spec(), t, total) << "\n";
    });
    QObject::connect(&runner, &SweepRunner::finished, &loop, &QEventLoop::quit);
    QObject::connect(&runner, &SweepRunner::paused, &loop, [&] {
        failure =
            QStringLiteral("a trial was stopped; `sweep --resume %1` goes on with it").arg(runner.record().folder());
        loop.quit();
    });
    QObject::connect(&runner, &SweepRunner::failed, [&](const QString& message) {
        failure = message;
        loop.quit();
    });
    runner.start();
    if (!json && !runner.parallelReason().isEmpty())
        err() << "note: " << runner.parallelReason() << "\n";
    if (runner.isRunning())
        loop.exec();
    printSummary(runner.record(), json);
    if (!failure.isEmpty()) {
        err() << "error: " << failure << "\n";
        return 1;
    }
    return 0;
}

int runSweepShow(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print the sweep record as JSON.")});
    if (!parseArguments(parser, args,
                        QStringLiteral("Show a sweep: each trial's settings, status and best validation "
                                       "loss, and the best trial.")))
        return 0;
    const QStringList positional = requirePositional(parser, 1, QStringLiteral("DIR"));
    printSummary(SweepRecord::load(positional[0]), parser.isSet(QStringLiteral("json")));
    return 0;
}

} // namespace

int runSweepCommand(const QStringList& args)
{
    if (args.size() > 1 && args[1] == QLatin1String("show"))
        return runSweepShow(QStringList{args[0] + QStringLiteral(" show")} + args.mid(2));
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("param"),
                      QStringLiteral("A setting and the values to try, e.g. lr=1e-4,3e-4,1e-3 or lora_rank=8,16 "
                                     "(repeatable; short names: lr, r, alpha, dropout, warmup, batch, wd)."),
                      QStringLiteral("KEY=V1,V2")});
    parser.addOption({QStringLiteral("method"),
                      QStringLiteral("grid (default: every combination) or random (--trials of them, seeded)."),
                      QStringLiteral("M")});
    parser.addOption({QStringLiteral("trials"), QStringLiteral("At most this many trials (random: default 8)."),
                      QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("seed"), QStringLiteral("Which combinations random draws (default 42)."), QStringLiteral("S")});
    parser.addOption({QStringLiteral("steps"), QStringLiteral("Optimizer steps per trial (default: the config's)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("pruning"),
                      QStringLiteral("median (default: a trial worse than the median of the finished ones at the "
                                     "same evaluation stops there) or none."),
                      QStringLiteral("RULE")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("The sweep's name (trials are \"NAME #1\", ...)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("dataset"),
                      QStringLiteral("Train every trial on this workspace dataset (its train and val splits)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("runs"),
                      QStringLiteral("Folder of the trials' runs and of sweeps/ (default: the workspace's runs/ with "
                                     "--workspace or --dataset, else runs/ here)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("objective"),
                      QStringLiteral("What picks the best trial: val_loss (default: the lowest best validation loss), "
                                     "or bleu, rouge-l, exact-match or f1 of `eval` on each finished trial's best "
                                     "checkpoint (the highest; needs --workspace or --dataset)."),
                      QStringLiteral("METRIC")});
    parser.addOption({QStringLiteral("objective-examples"),
                      QStringLiteral("With a metric objective: the validation examples evaluated (the first N, "
                                     "default 32; 0: all)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("parallel"),
                      QStringLiteral("Trials trained at once, at most (default 1; fewer when the memory estimate "
                                     "says they do not fit together)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("resume"),
                      QStringLiteral("Go on with the sweep in DIR: finished trials are kept."), QStringLiteral("DIR")});
    addWorkspaceOptions(parser);
    if (!parseArguments(parser, args,
                        QStringLiteral("Run a hyperparameter sweep: CONFIG (a training configuration, as for train) "
                                       "with the --param values tried in turn, each trial an ordinary run. The best "
                                       "trial has the lowest validation loss, or the highest --objective metric. "
                                       "`sweep show DIR` prints a sweep.")))
        return 0;
    const bool json = jsonRequested(parser);
    if (parser.isSet(QStringLiteral("resume"))) {
        requirePositional(parser, 0, QStringLiteral("no CONFIG with --resume"));
        // A sweep goes on as it was started: its record holds what it tries and how it picks.
        for (const char* option : {"param", "method", "trials", "seed", "steps", "pruning", "name", "objective",
                                   "objective-examples", "parallel", "dataset", "runs"})
            if (parser.isSet(QLatin1String(option)))
                throw UsageError{QStringLiteral("--%1 cannot change a sweep being resumed: it goes on with the "
                                                "settings in its sweep.json")
                                     .arg(QLatin1String(option))};
        return runSweep(SweepRecord::load(parser.value(QStringLiteral("resume"))), json);
    }
    const QStringList positional = requirePositional(parser, 1, QStringLiteral("CONFIG"));
    QJsonObject baseSettings = readJsonObjectFile(positional[0]);
    applyDefaultComputeDtype(baseSettings); // as `train` does: every trial computes in the same precision
    const TrainConfig base = TrainConfig::fromJson(baseSettings, positional[0]);

    SweepSpec spec;
    for (const QString& text : parser.values(QStringLiteral("param")))
        spec.parameters.push_back(parseSweepParameter(text));
    spec.name = parser.isSet(QStringLiteral("name")) ? parser.value(QStringLiteral("name"))
                                                     : QFileInfo(positional[0]).completeBaseName();
    if (parser.isSet(QStringLiteral("method")))
        spec.method = parser.value(QStringLiteral("method"));
    if (parser.isSet(QStringLiteral("pruning")))
        spec.pruning = parser.value(QStringLiteral("pruning"));
    bool ok = true;
    if (parser.isSet(QStringLiteral("trials")))
        spec.maxTrials = parser.value(QStringLiteral("trials")).toInt(&ok);
    if (ok && parser.isSet(QStringLiteral("steps")))
        spec.stepsPerTrial = parser.value(QStringLiteral("steps")).toLongLong(&ok);
    if (ok && parser.isSet(QStringLiteral("seed")))
        spec.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (ok && parser.isSet(QStringLiteral("parallel")))
        spec.parallel = parser.value(QStringLiteral("parallel")).toInt(&ok);
    if (ok && parser.isSet(QStringLiteral("objective-examples")))
        spec.objectiveExamples = parser.value(QStringLiteral("objective-examples")).toInt(&ok);
    if (!ok)
        throw UsageError{
            QStringLiteral("--trials, --steps, --seed, --parallel and --objective-examples take whole numbers")};
    if (parser.isSet(QStringLiteral("objective")))
        spec.objective = parser.value(QStringLiteral("objective"));

    RunData data;
    QString runsDir = parser.value(QStringLiteral("runs"));
    if (parser.isSet(QStringLiteral("workspace")) || parser.isSet(QStringLiteral("dataset"))) {
        const Workspace workspace = openWorkspace(parser);
        data.workspace = workspace.path();
        if (runsDir.isEmpty())
            runsDir = workspace.runsPath();
        if (parser.isSet(QStringLiteral("dataset"))) {
            const QString name = parser.value(QStringLiteral("dataset"));
            const std::optional<DatasetInfo> dataset = DatasetStore(workspace.database()).findByName(name);
            if (!dataset)
                throw Error(QStringLiteral("no dataset \"%1\" in %2").arg(name, workspace.path()));
            data.datasetId = dataset->id;
            data.datasetName = dataset->name;
        }
    }
    if (runsDir.isEmpty())
        runsDir = QDir::current().filePath(QStringLiteral("runs"));
    if (data.datasetId == 0)
        base.validate(); // the files must exist; a dataset's are written into each trial's folder
    SweepRecord record = SweepRecord::create(runsDir, spec, base, data);
    if (!json)
        err() << "sweep " << record.folder() << ": " << record.trials().size() << " trials\n";
    return runSweep(std::move(record), json);
}

} // namespace ft::cli
