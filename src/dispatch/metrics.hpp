#pragma once
// The dispatcher's numbers for /metrics: publications by outcome and platform, attempts,
// in-flight and queue gauges, lateness and request-duration histograms (Prometheus text).

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"

namespace herald::dispatch {

/// Cumulative histogram over fixed upper bounds (seconds), as Prometheus wants it.
class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void Observe(double seconds);

    const std::vector<double>& upper_bounds() const { return upper_bounds_; }
    /// Per bucket (not cumulative); the last entry is +Inf.
    const std::vector<uint64_t>& counts() const { return counts_; }
    uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    /// Upper bound of the bucket holding the q-quantile (0 < q <= 1); +Inf as a large number.
    double Quantile(double q) const;

private:
    std::vector<double> upper_bounds_;
    std::vector<uint64_t> counts_;
    uint64_t count_ = 0;
    double sum_ = 0;
};

/// Thread-safe; every update is a short critical section (the dispatcher updates it per
/// attempt, a few thousand times a second at most).
class Metrics {
public:
    Metrics();

    /// One settled attempt: outcome is published, failed, retry or lost (claim taken over).
    void CountOutcome(std::string_view platform, std::string_view outcome);
    /// One attempt started (a request sent, or about to be).
    void CountAttempt(std::string_view platform);
    void ObserveLateness(Milliseconds due_to_start);
    void ObserveRequestDuration(std::string_view platform, Milliseconds duration);
    void SetInFlight(int64_t n);
    void SetQueueDepth(int64_t n);
    /// Items a dead process of this host left `publishing`, taken back at start-up.
    void CountRecovered(int64_t n);

    /// Prometheus text exposition format 0.0.4.
    std::string RenderPrometheus() const;

    // Read back, for tests and the benchmark.
    int64_t Outcomes(std::string_view platform, std::string_view outcome) const;
    int64_t Attempts(std::string_view platform) const;
    int64_t InFlight() const;
    int64_t QueueDepth() const;
    Histogram LatenessHistogram() const;

private:
    mutable std::mutex mu_;
    std::map<std::pair<std::string, std::string>, int64_t> outcomes_;  // (platform, outcome)
    std::map<std::string, int64_t> attempts_;
    std::map<std::string, Histogram> durations_;  // per platform
    Histogram lateness_;
    int64_t in_flight_ = 0;
    int64_t queue_depth_ = 0;
    int64_t recovered_ = 0;
};

}  // namespace herald::dispatch
