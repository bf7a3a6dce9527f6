#pragma once
// The pieces of a sentencepiece `.model` file (a protobuf ModelProto), read without the sentencepiece library
// by a small protobuf reader that treats the file as hostile: every varint, length and field is bounded by the
// bytes that remain.
//
//   ModelProto      { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2;
//                     NormalizerSpec normalizer_spec = 3; ... }
//   SentencePiece   { string piece = 1; float score = 2; Type type = 3 [default NORMAL]; }
//                   Type: NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6
//   TrainerSpec     { ModelType model_type = 3; bool byte_fallback = 35; int32 unk_id = 40 [0];
//                     int32 bos_id = 41 [1]; int32 eos_id = 42 [2]; int32 pad_id = 43 [-1]; ... }
//   NormalizerSpec  { string name = 1; bool add_dummy_prefix = 3 [default true]; ... }

#include <cstdint>
#include <vector>

#include <QByteArray>
#include <QString>

namespace ft {

struct SentencePieceEntry {
    QByteArray piece; // UTF-8
    float score = 0.0f;
    int type = 1; // sentencepiece's (and GGUF's) token type
};

struct SentencePieceModel {
    std::vector<SentencePieceEntry> pieces;
    int modelType = 1; // UNIGRAM 1, BPE 2, WORD 3, CHAR 4
    bool byteFallback = false;
    int unkId = 0;
    int bosId = 1;
    int eosId = 2;
    int padId = -1;
    bool addDummyPrefix = true;
};

// Throws ft::Error naming `origin` when the bytes are not a ModelProto with at least one piece.
SentencePieceModel parseSentencePieceModel(const QByteArray& bytes, const QString& origin);
SentencePieceModel readSentencePieceModel(const QString& path);

} // namespace ft
