#include "modelio/bpe_tables.h"

#include <cstring>

namespace ft {

uint64_t hashBytes(std::string_view bytes)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ bytes.size();
    const char* p = bytes.data();
    size_t n = bytes.size();
    while (n >= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t word = 0;
        std::memcpy(&word, p, n);
        h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    h ^= h >> 29;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 32;
    return h;
}

void StringIdMap::reserve(size_t count)
{
    size_t capacity = 16;
    while (capacity < count * 2)
        capacity *= 2;
    if (capacity <= m_slots.size())
        return;
    std::vector<Slot> old;
    old.swap(m_slots);
    m_slots.assign(capacity, Slot{});
    const size_t mask = capacity - 1;
    for (const Slot& slot : old) {
        if (slot.id < 0)
            continue;
        size_t index = slot.hash & mask;
        while (m_slots[index].id >= 0)
            index = (index + 1) & mask;
        m_slots[index] = slot;
    }
}

void StringIdMap::grow() { reserve(m_slots.empty() ? 8 : m_slots.size()); }

void StringIdMap::insert(std::string_view key, int32_t id)
{
    if ((m_count + 1) * 2 > m_slots.size())
        grow();
    const uint64_t hash = hashBytes(key);
    const size_t mask = m_slots.size() - 1;
    size_t index = hash & mask;
    while (m_slots[index].id >= 0) {
        Slot& slot = m_slots[index];
        if (slot.hash == hash && slot.length == key.size() &&
            std::string_view(m_arena.data() + slot.offset, slot.length) == key) {
            slot.id = id;
            return;
        }
        index = (index + 1) & mask;
    }
    Slot& slot = m_slots[index];
    slot.hash = hash;
    slot.offset = static_cast<uint32_t>(m_arena.size());
    slot.length = static_cast<uint32_t>(key.size());
    slot.id = id;
    m_arena.append(key);
    ++m_count;
}

int32_t StringIdMap::find(std::string_view key) const
{
    if (m_slots.empty())
        return -1;
    const uint64_t hash = hashBytes(key);
    const size_t mask = m_slots.size() - 1;
    size_t index = hash & mask;
    while (true) {
        const Slot& slot = m_slots[index];
        if (slot.id < 0)
            return -1;
        if (slot.hash == hash && slot.length == key.size() &&
            std::memcmp(m_arena.data() + slot.offset, key.data(), key.size()) == 0)
            return slot.id;
        index = (index + 1) & mask;
    }
}

void PairMergeMap::reserve(size_t count)
{
    size_t capacity = 16;
    int shift = 60;
    while (capacity < count * 2) {
        capacity *= 2;
        --shift;
    }
    if (capacity <= m_slots.size())
        return;
    std::vector<Slot> old;
    old.swap(m_slots);
    m_slots.assign(capacity, Slot{});
    m_shift = shift;
    const size_t mask = capacity - 1;
    for (const Slot& slot : old) {
        if (slot.key == kEmpty)
            continue;
        size_t index = slotOf(slot.key);
        while (m_slots[index].key != kEmpty)
            index = (index + 1) & mask;
        m_slots[index] = slot;
    }
}

void PairMergeMap::grow() { reserve(m_slots.empty() ? 8 : m_slots.size()); }

void PairMergeMap::insert(int32_t left, int32_t right, MergeEntry entry)
{
    if ((m_count + 1) * 2 > m_slots.size())
        grow();
    const uint64_t key = pairKey(left, right);
    const size_t mask = m_slots.size() - 1;
    size_t index = slotOf(key);
    while (m_slots[index].key != kEmpty) {
        if (m_slots[index].key == key) {
            m_slots[index].entry = entry;
            return;
        }
        index = (index + 1) & mask;
    }
    m_slots[index].key = key;
    m_slots[index].entry = entry;
    ++m_count;
}

} // namespace ft
