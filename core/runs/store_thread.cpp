#include "runs/store_thread.h"

namespace ft {

StoreThread::StoreThread(QObject* parent)
    : QObject(parent)
    , m_context(new QObject)
{
    m_thread.setObjectName(QStringLiteral("ft-store"));
    m_context->moveToThread(&m_thread);
    m_thread.start();
}

StoreThread::~StoreThread()
{
    // After the work already posted: end the thread's event loop, so that no write is lost.
    QMetaObject::invokeMethod(
        m_context, [thread = &m_thread] { thread->quit(); }, Qt::QueuedConnection);
    m_thread.wait();
    delete m_context; // its thread has ended (and closed its database connections)
}

void StoreThread::waitForStoreThread()
{
    QMetaObject::invokeMethod(
        m_context, [] {}, Qt::BlockingQueuedConnection);
}

} // namespace ft
