#pragma once
// A hyperparameter sweep: a base training configuration, the values to try for a few of its settings,
// how trials are chosen (the whole grid, or a seeded random sample of it), how long each trial trains,
// the objective (the best validation loss, lower is better; or an evaluation metric of each finished
// trial's best checkpoint, higher is better) and whether clearly worse trials stop early (the median
// rule, on the validation loss whatever the objective). What the studio's Sweep dialog and `ftstudio-cli sweep` agree
// on; the record of a sweep being run is runs/sweep_record.h.

#include <optional>
#include <vector>

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "contract/train_config.h"

namespace ft {

struct SweepParameter {
    QString key;       // a TrainConfig JSON key: "learning_rate", "lora_rank", ...
    QJsonArray values; // the values tried, in order
};

struct SweepSpec {
    QString name;
    std::vector<SweepParameter> parameters;
    QString method = QStringLiteral("grid"); // "grid" | "random"
    int maxTrials = 0;                       // grid: 0 means the whole grid; random: how many (default 8)
    quint64 seed = 42;                       // random: which combinations
    qint64 stepsPerTrial = 0;                // > 0: each trial's max_steps; 0: the base configuration's length
    // "median": at each evaluation, a trial whose validation loss is worse than the median of the
    // finished trials' at the same step (at least two of them) stops there. "none": every trial runs out.
    QString pruning = QStringLiteral("median");
    // What picks the best trial: "val_loss" (the lowest best validation loss), or a metric of
    // `ftstudio-cli eval` on the first `objectiveExamples` validation examples (0: all) of each finished
    // trial's best checkpoint: "bleu", "rouge-l", "exact-match" or "f1" (the highest; needs a workspace).
    QString objective = QStringLiteral("val_loss");
    // Trials trained at once, at most (1..16); fewer where the resource estimate says they do not fit
    // the machine's memory together (runs/sweep_fit.h).
    int parallel = 1;
    int objectiveExamples = 32;

    bool objectiveIsEvaluation() const { return objective != QLatin1String("val_loss"); }
    // Whether `a` is a better objective value than `b` (lower for val_loss, higher for the metrics).
    bool better(double a, double b) const;
    static QStringList objectives(); // "val_loss", "bleu", "rouge-l", "exact-match", "f1"

    QJsonObject toJson() const;
    static SweepSpec fromJson(const QJsonObject& json, const QString& origin);
    // Checks the spec and every trial's configuration against `base` (each combination, before anything
    // runs); throws ft::Error naming the setting.
    void validate(const TrainConfig& base) const;
};

// "lr=1e-4,3e-4,1e-3" -> {learning_rate, [0.0001, 0.0003, 0.001]}. Short names: lr, r / lora_r (lora_rank),
// alpha (lora_alpha), dropout (lora_dropout), warmup (warmup_steps), batch (batch_size), epochs, wd
// (weight_decay). Values are numbers, true/false, or text. Throws ft::Error saying what was expected.
SweepParameter parseSweepParameter(const QString& text);

// How many combinations the parameters make (saturating at kMaxSweepGrid + 1).
constexpr qint64 kMaxSweepGrid = 100000;
qint64 sweepGridSize(const SweepSpec& spec);

// The settings each trial overrides, in trial order: the grid's combinations with the first parameter
// varying slowest, or `maxTrials` distinct combinations drawn with `seed`. Throws ft::Error for a grid
// of more than kMaxSweepGrid combinations.
std::vector<QJsonObject> sweepTrialSettings(const SweepSpec& spec);

// "0.0003", "true", "cosine": one swept value as people read (and --param takes) it.
QString sweepValueText(const QJsonValue& value);
// "learning_rate=0.0003 lora_rank=16": a trial's settings as people read them.
QString sweepSettingsText(const QJsonObject& settings);

// A trial's configuration: the base with the trial's settings (and steps) applied. Throws ft::Error
// naming the setting when a value does not fit it.
TrainConfig sweepTrialConfig(const TrainConfig& base, const QJsonObject& settings, const SweepSpec& spec);

// The median rule: whether a trial at `valLoss` should stop, given the validation losses of the finished
// trials at the same step. Needs at least `minimumOthers` of them; stops when strictly worse than their
// median.
bool medianRuleStops(double valLoss, std::vector<double> othersAtStep, int minimumOthers = 2);

} // namespace ft
