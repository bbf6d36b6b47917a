#pragma once
// Waiting in tests for a condition, never for a length of time: a sleep long enough on an
// idle machine is too short on a loaded one, and too long everywhere else.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace herald::testing {

/// Polls `done` until it holds (success) or `within` has passed (a failure saying so, so
/// `ASSERT_TRUE(WaitUntil(...)) << detail` reads well). The bound is generous: on a loaded
/// machine the condition, not the time, is what a test waits for.
template <typename Pred>
::testing::AssertionResult WaitUntil(Pred done,
                                     std::chrono::milliseconds within = std::chrono::seconds{30},
                                     std::chrono::milliseconds every = std::chrono::milliseconds{
                                         10}) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
        if (done()) return ::testing::AssertionSuccess();
        if (std::chrono::steady_clock::now() >= deadline) {
            return ::testing::AssertionFailure()
                   << "the condition did not hold within " << within.count() << " ms";
        }
        std::this_thread::sleep_for(every);  // the polling interval, not a synchronisation
    }
}

}  // namespace herald::testing
