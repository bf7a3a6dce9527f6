#pragma once
// The sentencepiece library behind a virtual interface.
//
// Debian's libsentencepiece embeds its own copy of protobuf and exports its symbols; LibTorch loads
// the system libprotobuf. In one global symbol scope the two interpose on each other and the process
// crashes during static initialisation. So sentencepiece lives in its own module
// (libft_sentencepiece.so), opened with RTLD_LOCAL | RTLD_DEEPBIND and reached only through virtual
// calls: neither library ever resolves a symbol of the other.

#include <string>
#include <vector>

namespace ft {

class SentencePieceBackend {
public:
    virtual ~SentencePieceBackend() = default;
    // Each returns an empty string on success, else the library's error message.
    virtual std::string load(const std::string& path) = 0;
    virtual std::string encode(const std::string& text, std::vector<int>* ids) const = 0;
    virtual std::string decode(const std::vector<int>& ids, std::string* text) const = 0;
    virtual std::string idToPiece(int id) const = 0;
    virtual int pieceToId(const std::string& piece) const = 0;
    virtual int pieceSize() const = 0;
    virtual int bosId() const = 0;
    virtual int eosId() const = 0;
    virtual int padId() const = 0;
    virtual int unkId() const = 0;
};

// Exported by the module (C linkage, looked up with dlsym).
using CreateSentencePieceBackend = SentencePieceBackend* (*)();
using TrainSentencePiece = bool (*)(const std::string& arguments, std::string* error);

// Opens the module on first use (see sentencepiece_module.cpp for where it is looked for).
SentencePieceBackend* createSentencePieceBackend();
bool trainSentencePiece(const std::string& arguments, std::string* error);

} // namespace ft
