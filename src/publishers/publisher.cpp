// The default PublishAsync: the adapter's blocking Publish on a shared pool of threads, so
// adapters written against the synchronous interface still run concurrently with the rest.

#include "publishers/publisher.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace herald::publishers {
namespace {

/// Grows up to kMaxThreads as calls pile up; idle threads wait for more. Lives for the whole
/// process (never destroyed), so a call still running at exit cannot touch a dead pool.
class BlockingPool {
public:
    static BlockingPool& Instance() {
        static BlockingPool* pool = new BlockingPool();  // NOLINT: intentionally leaked
        return *pool;
    }

    void Post(std::function<void()> task) {
        std::lock_guard lock(mu_);
        tasks_.push_back(std::move(task));
        if (static_cast<int>(tasks_.size()) > idle_ && threads_ < kMaxThreads) {
            ++threads_;
            std::thread([this] { Work(); }).detach();
        }
        cv_.notify_one();
    }

private:
    // The dispatcher's caps bound the calls per site; this bounds the threads per process.
    static constexpr int kMaxThreads = 64;

    void Work() {
        std::unique_lock lock(mu_);
        for (;;) {
            ++idle_;
            cv_.wait(lock, [this] { return !tasks_.empty(); });
            --idle_;
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    int threads_ = 0;
    int idle_ = 0;
};

}  // namespace

void Publisher::PublishAsync(const PublishRequest& request, PublishCallback done) {
    BlockingPool::Instance().Post([this, request, done = std::move(done)] {
        PublishResult result;
        try {
            result = Publish(request);
        } catch (const std::exception& e) {
            result.outcome = PublishOutcome::kTransient;
            result.error = std::string("internal error while publishing: ") + e.what();
        }
        done(std::move(result));
    });
}

}  // namespace herald::publishers
