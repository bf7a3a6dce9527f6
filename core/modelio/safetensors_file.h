#pragma once
// Reading safetensors files through a read-only memory map. The header is treated as hostile: its
// length, every dtype, shape and offset are checked before anything is read or allocated.
//
// Layout: u64 little-endian header length N | N bytes of JSON | data. The JSON maps tensor names to
// {"dtype", "shape", "data_offsets": [begin, end]} with offsets relative to the start of the data.

#include <cstdint>
#include <map>
#include <vector>

#include <QByteArray>
#include <QString>

#include "modelio/tensor_dtype.h"

namespace ft {

struct SafetensorsEntry {
    QString name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0; // relative to the start of the data section
    uint64_t end = 0;
    int64_t elementCount() const;
    QString shapeText() const; // "[64, 172]"
};

constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull * 1024 * 1024;

// Parses and validates a header's JSON against a data section of `dataSize` bytes.
std::vector<SafetensorsEntry> parseSafetensorsHeader(const QByteArray& json, uint64_t dataSize, const QString& origin,
                                                     std::map<QString, QString>* metadata = nullptr);

class SafetensorsFile {
public:
    explicit SafetensorsFile(const QString& path); // maps and validates; throws ft::Error
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const QString& path() const { return m_path; }
    const std::vector<SafetensorsEntry>& entries() const { return m_entries; }
    const SafetensorsEntry* find(const QString& name) const;
    const SafetensorsEntry& require(const QString& name) const; // throws naming the file and tensor
    const std::map<QString, QString>& metadata() const { return m_metadata; }

    // Pointer to the entry's bytes inside the map (valid while this object lives).
    const void* data(const SafetensorsEntry& entry) const;
    // Tells the kernel the entry's pages are no longer needed, so that they leave resident memory.
    void releasePages(const SafetensorsEntry& entry) const;

private:
    QString m_path;
    int m_fd = -1;
    const uint8_t* m_map = nullptr;
    uint64_t m_mapSize = 0;
    uint64_t m_dataStart = 0;
    std::vector<SafetensorsEntry> m_entries;
    std::map<QString, size_t> m_index;
    std::map<QString, QString> m_metadata;
};

} // namespace ft
