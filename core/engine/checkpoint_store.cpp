#include "engine/checkpoint_store.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"
#include "engine/tensor_convert.h"
#include "modelio/safetensors_writer.h"

namespace ft {

QJsonObject TrainingState::toJson() const
{
    QJsonObject json{{QStringLiteral("format"), QStringLiteral("ftstudio-checkpoint")},
                     {QStringLiteral("version"), CheckpointStore::kFormatVersion},
                     {QStringLiteral("step"), static_cast<qint64>(step)},
                     {QStringLiteral("epoch"), static_cast<qint64>(epoch)},
                     {QStringLiteral("micro_batch"), static_cast<qint64>(microBatch)},
                     {QStringLiteral("tokens_seen"), static_cast<qint64>(tokensSeen)},
                     {QStringLiteral("elapsed_seconds"), elapsedSeconds},
                     {QStringLiteral("best_val_loss"), bestValLoss},
                     {QStringLiteral("best_step"), static_cast<qint64>(bestStep)},
                     {QStringLiteral("evals_without_improvement"), static_cast<qint64>(evalsWithoutImprovement)},
                     {QStringLiteral("rng_state"), QString::fromLatin1(rngState.toBase64())}};
    if (valLoss)
        json[QStringLiteral("val_loss")] = *valLoss;
    return json;
}

TrainingState TrainingState::fromJson(const QJsonObject& json, const QString& origin)
{
    if (json.value(QStringLiteral("format")).toString() != QLatin1String("ftstudio-checkpoint"))
        throw Error(QStringLiteral("%1: not a FineTune Studio checkpoint state").arg(origin));
    const qint64 version = requireInt(json, QStringLiteral("version"), origin);
    if (version > CheckpointStore::kFormatVersion)
        throw Error(QStringLiteral("%1: checkpoint format version %2 is newer than this program understands (%3)")
                        .arg(origin)
                        .arg(version)
                        .arg(CheckpointStore::kFormatVersion));
    TrainingState state;
    state.step = requireInt(json, QStringLiteral("step"), origin);
    state.epoch = requireInt(json, QStringLiteral("epoch"), origin);
    state.microBatch = requireInt(json, QStringLiteral("micro_batch"), origin);
    state.tokensSeen = requireInt(json, QStringLiteral("tokens_seen"), origin);
    state.elapsedSeconds = optionalDouble(json, QStringLiteral("elapsed_seconds"), 0.0, origin);
    state.bestValLoss = optionalDouble(json, QStringLiteral("best_val_loss"), 0.0, origin);
    state.bestStep = optionalInt(json, QStringLiteral("best_step"), -1, origin);
    state.evalsWithoutImprovement = optionalInt(json, QStringLiteral("evals_without_improvement"), 0, origin);
    if (json.contains(QStringLiteral("val_loss")))
        state.valLoss = requireDouble(json, QStringLiteral("val_loss"), origin);
    state.rngState = QByteArray::fromBase64(json.value(QStringLiteral("rng_state")).toString().toLatin1());
    return state;
}

CheckpointStore::CheckpointStore(const QString& runDir)
    : m_runDir(runDir)
    , m_dir(RunFolder(runDir).checkpointsPath())
{
}

namespace {

QString stepName(int64_t step) { return QStringLiteral("step-%1").arg(step, 8, 10, QLatin1Char('0')); }

QByteArray generatorState()
{
    const at::Tensor state = at::detail::getDefaultCPUGenerator().get_state();
    return QByteArray(static_cast<const char*>(state.data_ptr()), static_cast<qsizetype>(state.numel()));
}

void restoreGeneratorState(const QByteArray& bytes)
{
    if (bytes.isEmpty())
        return;
    at::Tensor state = torch::empty({bytes.size()}, torch::kUInt8);
    std::memcpy(state.data_ptr(), bytes.constData(), static_cast<size_t>(bytes.size()));
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(state);
}

} // namespace

// LibTorch's own file writer throws from its destructor when a write fails (a full disk), which
// ends the process with std::terminate: LibTorch writes through a function that never fails for it
// instead, and the first failed write is reported once it is done.
void writeOptimizerState(torch::optim::Optimizer& optimizer, const QString& path)
{
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    struct Closer { // also when LibTorch throws while serializing
        int fd;
        ~Closer()
        {
            if (fd >= 0)
                ::close(fd);
        }
    } file{fd};
    int failure = 0; // the errno of the first failed write
    archive.save_to([&](const void* data, size_t size) -> size_t {
        const char* bytes = static_cast<const char*>(data);
        for (size_t done = 0; failure == 0 && done < size;) {
            const ssize_t written = ::write(fd, bytes + done, size - done);
            if (written < 0 && errno != EINTR)
                failure = errno;
            else if (written == 0)
                failure = EIO; // no progress and no reason: never loop on it
            else if (written > 0)
                done += static_cast<size_t>(written);
        }
        return size;
    });
    // On the disk before the checkpoint folder is renamed into place, as the files QSaveFile writes.
    if (failure == 0 && ::fsync(fd) != 0 && errno != EINVAL)
        failure = errno;
    file.fd = -1;
    if (::close(fd) != 0 && failure == 0)
        failure = errno;
    if (failure != 0)
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, QString::fromLocal8Bit(std::strerror(failure))));
}

SavedCheckpoint CheckpointStore::save(const TrainingState& givenState, const std::vector<NamedParameter>& trainable,
                                      torch::optim::Optimizer& optimizer, bool best)
{
    TrainingState state = givenState;
    state.rngState = generatorState();
    const QString name = stepName(state.step);
    const QString path = QDir(m_dir).filePath(name);
    writeFolderAtomically(path, true, [&](const QString& staging) {
        std::vector<SafetensorsOutput> tensors;
        for (const NamedParameter& p : trainable) {
            const torch::Tensor tensor = p.tensor;
            tensors.push_back({QString::fromStdString(p.name), tensorDtypeOf(tensor.scalar_type()),
                               tensor.sizes().vec(), [tensor] { return tensorBytes(tensor, tensor.scalar_type()); }});
        }
        writeSafetensors(QDir(staging).filePath(QStringLiteral("trainable.safetensors")), tensors);
        writeOptimizerState(optimizer, QDir(staging).filePath(QStringLiteral("optimizer.pt")));
        QJsonObject json = state.toJson();
        json[QStringLiteral("best")] = best;
        writeFileAtomically(QDir(staging).filePath(QStringLiteral("state.json")), QJsonDocument(json).toJson());
    });
    if (best) {
        writeFileAtomically(QDir(m_dir).filePath(QStringLiteral("best.json")),
                            QJsonDocument(QJsonObject{{QStringLiteral("checkpoint"), name},
                                                      {QStringLiteral("step"), static_cast<qint64>(state.step)},
                                                      {QStringLiteral("val_loss"), state.valLoss.value_or(0.0)}})
                                .toJson());
    }
    return {path, state.step, best, state.valLoss};
}

std::vector<SavedCheckpoint> CheckpointStore::list() const
{
    // Which folders are finished checkpoints and which is the best: the rule studio and worker share.
    std::vector<SavedCheckpoint> result;
    for (const RunCheckpoint& checkpoint : RunFolder(m_runDir).checkpoints()) {
        const QString statePath = QDir(checkpoint.path).filePath(QStringLiteral("state.json"));
        const TrainingState state = TrainingState::fromJson(readJsonObjectFile(statePath), statePath);
        result.push_back({checkpoint.path, state.step, checkpoint.best, state.valLoss});
    }
    return result;
}

std::optional<SavedCheckpoint> CheckpointStore::latest() const
{
    const auto all = list();
    if (all.empty())
        return std::nullopt;
    return all.back();
}

std::optional<SavedCheckpoint> CheckpointStore::best() const
{
    for (const SavedCheckpoint& info : list())
        if (info.best)
            return info;
    return std::nullopt;
}

void CheckpointStore::prune(int64_t keepLast)
{
    const auto all = list();
    const auto count = static_cast<int64_t>(all.size());
    for (int64_t i = 0; i < count - keepLast; ++i)
        if (!all[static_cast<size_t>(i)].best)
            QDir(all[static_cast<size_t>(i)].path).removeRecursively();
}

TrainingState CheckpointStore::load(const SavedCheckpoint& checkpoint, const std::vector<NamedParameter>& trainable,
                                    torch::optim::Optimizer* optimizer) const
{
    const QDir dir(checkpoint.path);
    const QString statePath = dir.filePath(QStringLiteral("state.json"));
    TrainingState state = TrainingState::fromJson(readJsonObjectFile(statePath), statePath);

    SafetensorsFile weights(dir.filePath(QStringLiteral("trainable.safetensors")));
    for (const NamedParameter& p : trainable) {
        const SafetensorsEntry& entry = weights.require(QString::fromStdString(p.name));
        if (entry.shape != p.tensor.sizes().vec())
            throw Error(QStringLiteral("%1: tensor \"%2\" has shape %3 but the model expects %4")
                            .arg(weights.path(), entry.name, entry.shapeText(),
                                 QString::fromStdString(c10::str(p.tensor.sizes()))));
        torch::NoGradGuard noGrad;
        p.tensor.copy_(viewEntry(weights, entry));
    }
    if (weights.entries().size() != trainable.size())
        throw Error(QStringLiteral("%1: holds %2 tensors but the run trains %3 (was the configuration changed?)")
                        .arg(weights.path())
                        .arg(weights.entries().size())
                        .arg(trainable.size()));
    if (optimizer) {
        torch::serialize::InputArchive archive;
        archive.load_from(dir.filePath(QStringLiteral("optimizer.pt")).toStdString());
        optimizer->load(archive);
        restoreGeneratorState(state.rngState);
    }
    return state;
}

} // namespace ft
