#include "engine/distributed.h"

#include <thread>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <QStringList>

#include "common/error.h"

namespace ft {

namespace {

int environmentInt(const char* name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    if (!ok && qEnvironmentVariableIsSet(name))
        throw Error(QStringLiteral("environment variable %1=\"%2\" is not an integer")
                        .arg(QLatin1String(name), qEnvironmentVariable(name)));
    return ok ? value : fallback;
}

std::string key(const char* prefix, int rank) { return std::string(prefix) + "/" + std::to_string(rank); }

} // namespace

std::optional<DistributedEnvironment> DistributedEnvironment::fromEnvironment()
{
    if (!qEnvironmentVariableIsSet("WORLD_SIZE"))
        return std::nullopt;
    DistributedEnvironment env;
    env.worldSize = environmentInt("WORLD_SIZE", 1);
    env.rank = environmentInt("RANK", 0);
    env.localRank = environmentInt("LOCAL_RANK", env.rank);
    env.localWorldSize = environmentInt("LOCAL_WORLD_SIZE", env.worldSize);
    if (qEnvironmentVariableIsSet("MASTER_ADDR"))
        env.masterAddress = qEnvironmentVariable("MASTER_ADDR");
    env.masterPort = environmentInt("MASTER_PORT", 29500);
    if (env.worldSize < 1 || env.rank < 0 || env.rank >= env.worldSize)
        throw Error(QStringLiteral("RANK=%1 and WORLD_SIZE=%2 are inconsistent (expected 0 <= RANK < WORLD_SIZE)")
                        .arg(env.rank)
                        .arg(env.worldSize));
    if (env.masterPort <= 0 || env.masterPort > 65535)
        throw Error(QStringLiteral("MASTER_PORT=%1 is not a TCP port").arg(env.masterPort));
    return env;
}

DistributedGroup::DistributedGroup(const DistributedEnvironment& environment)
    : m_environment(environment)
{
}

DistributedGroup::~DistributedGroup() = default;

std::unique_ptr<DistributedGroup> DistributedGroup::join(const DistributedEnvironment& environment,
                                                         std::chrono::milliseconds timeout)
{
    std::unique_ptr<DistributedGroup> group(new DistributedGroup(environment));
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<uint16_t>(environment.masterPort);
        options.isServer = environment.rank == 0;
        options.numWorkers = static_cast<size_t>(environment.worldSize);
        options.waitWorkers = true;
        options.timeout = timeout;
        auto tcpStore = c10::make_intrusive<c10d::TCPStore>(environment.masterAddress.toStdString(), options);
        group->m_store = c10::make_intrusive<c10d::PrefixStore>("ftstudio", tcpStore);

        auto glooOptions = c10d::ProcessGroupGloo::Options::create(timeout);
        // The interface that reaches the master; on one machine that is loopback.
        const bool local = environment.masterAddress == QLatin1String("127.0.0.1") ||
                           environment.masterAddress == QLatin1String("localhost");
        glooOptions->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                             : c10d::ProcessGroupGloo::createDefaultDevice());
        glooOptions->threads = 2;
        group->m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(group->m_store, environment.rank,
                                                                     environment.worldSize, glooOptions);
    } catch (const std::exception& error) {
        throw Error(QStringLiteral("rank %1 of %2 could not join the process group at %3:%4: %5")
                        .arg(environment.rank)
                        .arg(environment.worldSize)
                        .arg(environment.masterAddress)
                        .arg(environment.masterPort)
                        .arg(QString::fromUtf8(error.what()).section(QLatin1Char('\n'), 0, 0)));
    }
    return group;
}

void DistributedGroup::wait(const std::vector<c10::intrusive_ptr<c10d::Work>>& works)
{
    for (const auto& work : works)
        work->wait();
}

void DistributedGroup::allReduceSum(const std::vector<torch::Tensor>& tensors, int64_t bucketBytes)
{
    // Tensors of one dtype are packed into flat buckets so that few large messages carry them.
    std::vector<std::vector<torch::Tensor>> buckets;
    int64_t filled = bucketBytes;
    for (const torch::Tensor& tensor : tensors) {
        const int64_t bytes = tensor.numel() * tensor.element_size();
        if (filled + bytes > bucketBytes || buckets.back().front().scalar_type() != tensor.scalar_type()) {
            buckets.emplace_back();
            filled = 0;
        }
        buckets.back().push_back(tensor);
        filled += bytes;
    }
    std::vector<torch::Tensor> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (const auto& bucket : buckets) {
        std::vector<torch::Tensor> flat{torch::cat([&] {
            std::vector<torch::Tensor> views;
            for (const auto& t : bucket)
                views.push_back(t.reshape({-1}));
            return views;
        }())};
        works.push_back(m_group->allreduce(flat, c10d::AllreduceOptions{}));
        flats.push_back(flat.front());
    }
    wait(works);
    for (size_t b = 0; b < buckets.size(); ++b) {
        int64_t offset = 0;
        for (const torch::Tensor& t : buckets[b]) {
            torch::NoGradGuard noGrad;
            const_cast<torch::Tensor&>(t).copy_(flats[b].narrow(0, offset, t.numel()).view(t.sizes()));
            offset += t.numel();
        }
    }
}

double DistributedGroup::allReduceSum(double value)
{
    std::vector<torch::Tensor> tensor{torch::full({1}, value, torch::kFloat64)};
    wait({m_group->allreduce(tensor)});
    return tensor.front().item<double>();
}

int64_t DistributedGroup::allReduceMax(int64_t value)
{
    std::vector<torch::Tensor> tensor{torch::full({1}, value, torch::kInt64)};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::MAX;
    wait({m_group->allreduce(tensor, options)});
    return tensor.front().item<int64_t>();
}

void DistributedGroup::broadcastFromMain(const std::vector<torch::Tensor>& tensors)
{
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (const torch::Tensor& tensor : tensors) {
        std::vector<torch::Tensor> one{tensor.detach()};
        works.push_back(m_group->broadcast(one, c10d::BroadcastOptions{}));
    }
    wait(works);
}

void DistributedGroup::barrier() { m_group->barrier()->wait(); }

void DistributedGroup::reportFailure(const QString& message)
{
    try {
        const QByteArray bytes = message.toUtf8();
        m_store->set(key("failure", rank()), std::vector<uint8_t>(bytes.begin(), bytes.end()));
    } catch (const std::exception&) {
        // The store lives in rank 0; if it is gone there is no one to tell.
    }
}

QString DistributedGroup::describePeerFailure(const QString& error)
{
    // Every rank still alive after a failed collective checks in; after a grace period the ranks that
    // did not, and the reasons failed ranks left, name the culprit.
    QStringList explanations;
    try {
        m_store->set(key("alive", rank()), {1});
        std::this_thread::sleep_for(std::chrono::seconds(2));
        for (int r = 0; r < worldSize(); ++r) {
            if (r == rank())
                continue;
            if (m_store->check({key("failure", r)})) {
                const auto bytes = m_store->get(key("failure", r));
                explanations << QStringLiteral("rank %1 failed: %2")
                                    .arg(r)
                                    .arg(QString::fromUtf8(reinterpret_cast<const char*>(bytes.data()),
                                                           static_cast<qsizetype>(bytes.size())));
            } else if (!m_store->check({key("alive", r)})) {
                explanations << QStringLiteral("rank %1 stopped responding").arg(r);
            }
        }
    } catch (const std::exception&) {
        explanations << QStringLiteral("rank 0 (which hosts the rendezvous) stopped responding");
    }
    if (explanations.isEmpty())
        explanations << QStringLiteral("a collective operation failed");
    return QStringLiteral("%1 (%2)").arg(explanations.join(QStringLiteral("; ")),
                                         error.section(QLatin1Char('\n'), 0, 0).left(200));
}

} // namespace ft
