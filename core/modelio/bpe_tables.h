#pragma once
// The two hash tables BPE lookups go through: token text -> id (string views, no allocation per
// lookup) and (left id, right id) -> (merge rank, merged id). Open addressing, linear probing.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

uint64_t hashBytes(std::string_view bytes);

class StringIdMap {
public:
    void reserve(size_t count);
    void insert(std::string_view key, int32_t id); // a key inserted again takes the new id
    int32_t find(std::string_view key) const;      // -1 when absent
    size_t size() const { return m_count; }

private:
    struct Slot {
        uint64_t hash = 0;
        uint32_t offset = 0;
        uint32_t length = 0;
        int32_t id = -1; // -1: empty slot
    };
    void grow();

    std::string m_arena;
    std::vector<Slot> m_slots;
    size_t m_count = 0;
};

struct MergeEntry {
    uint32_t rank = 0;
    int32_t merged = -1; // -1: no merge for this pair
};

class PairMergeMap {
public:
    void reserve(size_t count);
    void insert(int32_t left, int32_t right, MergeEntry entry); // a pair inserted again takes the new entry
    MergeEntry find(int32_t left, int32_t right) const
    {
        if (m_slots.empty())
            return {};
        const uint64_t key = pairKey(left, right);
        size_t index = slotOf(key);
        const size_t mask = m_slots.size() - 1;
        while (true) {
            const Slot& slot = m_slots[index];
            if (slot.key == key)
                return slot.entry;
            if (slot.key == kEmpty)
                return {};
            index = (index + 1) & mask;
        }
    }
    size_t size() const { return m_count; }

private:
    static constexpr uint64_t kEmpty = ~uint64_t(0);
    struct Slot {
        uint64_t key = kEmpty;
        MergeEntry entry;
    };
    static uint64_t pairKey(int32_t left, int32_t right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }
    size_t slotOf(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> m_shift); }
    void grow();

    std::vector<Slot> m_slots;
    size_t m_count = 0;
    int m_shift = 64;
};

} // namespace ft
