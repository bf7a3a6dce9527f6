#pragma once
// A thread-safe cache of BPE results per word (pre-token). Sharded, each shard behind its own
// mutex; fixed capacity and no eviction (a full neighbourhood drops the insert), like Hugging Face's
// cache. Only words up to kMaxWordBytes are cached.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

class BpeWordCache {
public:
    static constexpr size_t kMaxWordBytes = 256;

    BpeWordCache();
    // Appends the cached ids of `word` to `out`; false on a miss.
    bool lookup(std::string_view word, uint64_t hash, std::vector<int32_t>& out) const;
    void store(std::string_view word, uint64_t hash, const int32_t* ids, size_t count) const;

private:
    static constexpr size_t kShards = 32;
    static constexpr size_t kSlotsPerShard = 4096;
    static constexpr size_t kProbes = 8;
    struct Slot {
        uint64_t hash = 0;
        bool used = false;
        std::string word;
        std::vector<int32_t> ids;
    };
    struct Shard {
        std::mutex guard;
        std::vector<Slot> entries;
    };
    mutable std::array<Shard, kShards> m_shards;
};

} // namespace ft
