#include "gguf/sentencepiece_proto.h"

#include <cstring>

#include <QFile>

#include "common/error.h"

namespace ft {

namespace {

constexpr qint64 kMaxModelBytes = 256 * 1024 * 1024;
constexpr size_t kMaxPieces = 8 * 1024 * 1024;

class ProtoReader {
public:
    ProtoReader(const uint8_t* data, size_t size, const QString& origin)
        : m_data(data)
        , m_size(size)
        , m_origin(origin)
    {
    }

    bool atEnd() const { return m_pos >= m_size; }

    uint64_t varint()
    {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_size)
                fail(QStringLiteral("a varint runs past the end"));
            const uint8_t byte = m_data[m_pos++];
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return value;
        }
        fail(QStringLiteral("a varint is longer than 10 bytes"));
    }

    // The next field's number and wire type.
    void tag(uint32_t* field, uint32_t* wireType)
    {
        const uint64_t key = varint();
        *field = static_cast<uint32_t>(key >> 3);
        *wireType = static_cast<uint32_t>(key & 7);
        if (*field == 0)
            fail(QStringLiteral("field number 0"));
    }

    ProtoReader sub() // a length-delimited field's bytes
    {
        const uint64_t length = varint();
        if (length > m_size - m_pos)
            fail(QStringLiteral("a field of %1 bytes runs past the end").arg(length));
        ProtoReader inner(m_data + m_pos, static_cast<size_t>(length), m_origin);
        m_pos += static_cast<size_t>(length);
        return inner;
    }

    QByteArray bytes()
    {
        ProtoReader inner = sub();
        return QByteArray(reinterpret_cast<const char*>(inner.m_data), static_cast<qsizetype>(inner.m_size));
    }

    uint32_t fixed32()
    {
        if (m_size - m_pos < 4)
            fail(QStringLiteral("a 32-bit field runs past the end"));
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<uint32_t>(m_data[m_pos + static_cast<size_t>(i)]) << (8 * i);
        m_pos += 4;
        return v;
    }

    void skip(uint32_t wireType)
    {
        switch (wireType) {
        case 0:
            varint();
            return;
        case 1:
            if (m_size - m_pos < 8)
                fail(QStringLiteral("a 64-bit field runs past the end"));
            m_pos += 8;
            return;
        case 2:
            sub();
            return;
        case 5:
            fixed32();
            return;
        default:
            fail(QStringLiteral("unsupported wire type %1").arg(wireType));
        }
    }

    void expect(uint32_t wireType, uint32_t wanted, const char* what)
    {
        if (wireType != wanted)
            fail(QStringLiteral("%1 has wire type %2, expected %3").arg(QLatin1String(what)).arg(wireType).arg(wanted));
    }

    [[noreturn]] void fail(const QString& message) const
    {
        throw Error(QStringLiteral("%1: not a valid sentencepiece model: %2").arg(m_origin, message));
    }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
    QString m_origin;
};

SentencePieceEntry readPiece(ProtoReader reader)
{
    SentencePieceEntry entry;
    while (!reader.atEnd()) {
        uint32_t field = 0, wire = 0;
        reader.tag(&field, &wire);
        if (field == 1) {
            reader.expect(wire, 2, "piece");
            entry.piece = reader.bytes();
        } else if (field == 2) {
            reader.expect(wire, 5, "score");
            const uint32_t bits = reader.fixed32();
            std::memcpy(&entry.score, &bits, 4);
        } else if (field == 3) {
            reader.expect(wire, 0, "type");
            const uint64_t type = reader.varint();
            if (type < 1 || type > 6)
                reader.fail(QStringLiteral("piece type %1").arg(type));
            entry.type = static_cast<int>(type);
        } else {
            reader.skip(wire);
        }
    }
    return entry;
}

void readTrainerSpec(ProtoReader reader, SentencePieceModel* model)
{
    while (!reader.atEnd()) {
        uint32_t field = 0, wire = 0;
        reader.tag(&field, &wire);
        if (wire == 0 && (field == 3 || field == 35 || (field >= 40 && field <= 43))) {
            const int32_t value = static_cast<int32_t>(reader.varint()); // int32: negatives are 10-byte varints
            switch (field) {
            case 3:
                model->modelType = value;
                break;
            case 35:
                model->byteFallback = value != 0;
                break;
            case 40:
                model->unkId = value;
                break;
            case 41:
                model->bosId = value;
                break;
            case 42:
                model->eosId = value;
                break;
            default:
                model->padId = value;
                break;
            }
        } else {
            reader.skip(wire);
        }
    }
}

void readNormalizerSpec(ProtoReader reader, SentencePieceModel* model)
{
    while (!reader.atEnd()) {
        uint32_t field = 0, wire = 0;
        reader.tag(&field, &wire);
        if (field == 3 && wire == 0)
            model->addDummyPrefix = reader.varint() != 0;
        else
            reader.skip(wire);
    }
}

} // namespace

SentencePieceModel parseSentencePieceModel(const QByteArray& bytes, const QString& origin)
{
    SentencePieceModel model;
    ProtoReader reader(reinterpret_cast<const uint8_t*>(bytes.constData()), static_cast<size_t>(bytes.size()), origin);
    while (!reader.atEnd()) {
        uint32_t field = 0, wire = 0;
        reader.tag(&field, &wire);
        if (field == 1) {
            reader.expect(wire, 2, "pieces");
            if (model.pieces.size() >= kMaxPieces)
                reader.fail(QStringLiteral("more than %1 pieces").arg(kMaxPieces));
            model.pieces.push_back(readPiece(reader.sub()));
        } else if (field == 2) {
            reader.expect(wire, 2, "trainer_spec");
            readTrainerSpec(reader.sub(), &model);
        } else if (field == 3) {
            reader.expect(wire, 2, "normalizer_spec");
            readNormalizerSpec(reader.sub(), &model);
        } else {
            reader.skip(wire);
        }
    }
    if (model.pieces.empty())
        reader.fail(QStringLiteral("it has no pieces"));
    return model;
}

SentencePieceModel readSentencePieceModel(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    if (file.size() > kMaxModelBytes)
        throw Error(QStringLiteral("%1: %2 bytes is too large for a sentencepiece model").arg(path).arg(file.size()));
    return parseSentencePieceModel(file.readAll(), path);
}

} // namespace ft
