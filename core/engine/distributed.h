#pragma once
// Data-parallel training on PyTorch's own distributed back end (c10d): a process group over Gloo
// (CPU) joined from the standard variables torchrun and Slurm scripts set — RANK, WORLD_SIZE,
// LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include <QString>

namespace c10d {
class Store;
class ProcessGroup;
class Work;
} // namespace c10d

namespace ft {

struct DistributedEnvironment {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    QString masterAddress = QStringLiteral("127.0.0.1");
    int masterPort = 29500;

    // From the environment; nullopt when WORLD_SIZE is unset. Throws ft::Error for inconsistent values.
    static std::optional<DistributedEnvironment> fromEnvironment();
};

class DistributedGroup {
public:
    // Connects to the rendezvous (rank 0 hosts the TCP store) and builds the Gloo process group.
    // `timeout` bounds every collective: a peer that stops answering fails the run after it.
    static std::unique_ptr<DistributedGroup> join(const DistributedEnvironment& environment,
                                                  std::chrono::milliseconds timeout);
    ~DistributedGroup();

    int rank() const { return m_environment.rank; }
    int worldSize() const { return m_environment.worldSize; }
    bool isMain() const { return m_environment.rank == 0; }

    // Sums the tensors over all ranks, in place, in flat buckets of about `bucketBytes` each (all
    // buckets in flight at once).
    void allReduceSum(const std::vector<torch::Tensor>& tensors, int64_t bucketBytes = 32ll << 20);
    double allReduceSum(double value);
    int64_t allReduceMax(int64_t value);
    void broadcastFromMain(const std::vector<torch::Tensor>& tensors);
    void barrier();

    // Failure reporting through the store: a rank that fails writes why before it exits; a rank that
    // sees a collective fail asks which peers are still alive and names the ones that are not.
    void reportFailure(const QString& message);
    QString describePeerFailure(const QString& error);

private:
    explicit DistributedGroup(const DistributedEnvironment& environment);
    void wait(const std::vector<c10::intrusive_ptr<c10d::Work>>& works);

    DistributedEnvironment m_environment;
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<c10d::ProcessGroup> m_group;
};

} // namespace ft
