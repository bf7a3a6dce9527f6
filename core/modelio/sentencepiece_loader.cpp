#include <dlfcn.h>

#include <mutex>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include "common/error.h"
#include "modelio/sentencepiece_backend.h"

namespace ft {

namespace {

struct Module {
    CreateSentencePieceBackend create = nullptr;
    TrainSentencePiece train = nullptr;
};

QStringList candidatePaths()
{
    QStringList paths;
    const QString fromEnv = qEnvironmentVariable("FT_SENTENCEPIECE_MODULE");
    if (!fromEnv.isEmpty())
        paths << fromEnv;
    if (QCoreApplication::instance()) {
        const QDir exeDir(QCoreApplication::applicationDirPath());
        paths << exeDir.filePath(QStringLiteral("../" FT_INSTALL_LIBDIR "/ftstudio/libft_sentencepiece.so"))
              << exeDir.filePath(QStringLiteral("libft_sentencepiece.so"));
    }
    paths << QStringLiteral(FT_SENTENCEPIECE_BUILD_PATH) << QStringLiteral(FT_SENTENCEPIECE_INSTALL_PATH);
    return paths;
}

// AddressSanitizer refuses RTLD_DEEPBIND (it would bypass its interceptors) and ends the process; a
// sanitizer build (FT_SANITIZE, scripts/sanitize) loads the module without it.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kDeepBind = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kDeepBind = 0;
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif

const Module& module()
{
    static Module loaded;
    static std::once_flag once;
    static QString failure;
    std::call_once(once, [] {
        QStringList tried;
        for (const QString& path : candidatePaths()) {
            if (!QFileInfo::exists(path))
                continue;
            void* handle = dlopen(path.toLocal8Bit().constData(), RTLD_NOW | RTLD_LOCAL | kDeepBind);
            if (!handle) {
                tried << QStringLiteral("%1 (%2)").arg(path, QString::fromLocal8Bit(dlerror()));
                continue;
            }
            loaded.create = reinterpret_cast<CreateSentencePieceBackend>(dlsym(handle, "ft_sentencepiece_create"));
            loaded.train = reinterpret_cast<TrainSentencePiece>(dlsym(handle, "ft_sentencepiece_train"));
            if (loaded.create && loaded.train)
                return;
            tried << QStringLiteral("%1 (entry points missing)").arg(path);
        }
        failure = QStringLiteral("the tokenizer module libft_sentencepiece.so could not be loaded; looked in: %1")
                      .arg((tried.isEmpty() ? candidatePaths() : tried).join(QStringLiteral(", ")));
    });
    if (!loaded.create)
        throw Error(failure);
    return loaded;
}

} // namespace

SentencePieceBackend* createSentencePieceBackend() { return module().create(); }

bool trainSentencePiece(const std::string& arguments, std::string* error) { return module().train(arguments, error); }

} // namespace ft
