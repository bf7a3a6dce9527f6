#include "modelio/bpe_word_cache.h"

namespace ft {

BpeWordCache::BpeWordCache() = default; // shards allocate their entries on the first store

bool BpeWordCache::lookup(std::string_view word, uint64_t hash, std::vector<int32_t>& out) const
{
    Shard& shard = m_shards[hash % kShards];
    const size_t base = size_t(hash >> 8);
    std::lock_guard<std::mutex> lock(shard.guard);
    if (shard.entries.empty())
        return false;
    for (size_t probe = 0; probe < kProbes; ++probe) {
        const Slot& slot = shard.entries[(base + probe) % kSlotsPerShard];
        if (!slot.used)
            return false;
        if (slot.hash == hash && slot.word == word) {
            out.insert(out.end(), slot.ids.begin(), slot.ids.end());
            return true;
        }
    }
    return false;
}

void BpeWordCache::store(std::string_view word, uint64_t hash, const int32_t* ids, size_t count) const
{
    if (word.size() > kMaxWordBytes)
        return;
    Shard& shard = m_shards[hash % kShards];
    const size_t base = size_t(hash >> 8);
    std::lock_guard<std::mutex> lock(shard.guard);
    if (shard.entries.empty())
        shard.entries.resize(kSlotsPerShard);
    for (size_t probe = 0; probe < kProbes; ++probe) {
        Slot& slot = shard.entries[(base + probe) % kSlotsPerShard];
        if (slot.used) {
            if (slot.hash == hash && slot.word == word)
                return;
            continue;
        }
        slot.used = true;
        slot.hash = hash;
        slot.word.assign(word.data(), word.size());
        slot.ids.assign(ids, ids + count);
        return;
    }
}

} // namespace ft
