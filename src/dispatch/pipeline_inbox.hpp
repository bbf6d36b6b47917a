#pragma once
// The pipeline's inbox of finished calls, shared by its launching (pipeline.cpp) and its
// settling (pipeline_settle.cpp); not for use outside the pipeline.

#include <condition_variable>
#include <deque>
#include <mutex>

#include "dispatch/pipeline.hpp"

namespace herald::dispatch {

/// Finished calls waiting to be settled. Shared with the publishers' callbacks, which may
/// outlive the pipeline (a call still in flight at destruction is simply dropped: its item
/// is taken over after its lease, or at once by the next process on this host).
struct Pipeline::Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<JobPtr> done;
    bool closed = false;
    int callbacks_running = 0;  // the pipeline waits for these before it goes away
};

}  // namespace herald::dispatch
