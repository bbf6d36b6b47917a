#include "dispatch/metrics.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace herald::dispatch {
namespace {

// Lateness spans "on the dot" to "herald was down for a day".
const std::vector<double> kLatenessBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,  1,
                                             2.5,   5,    10,    30,   60,  300,  3600, 86400};
// Remote calls: a local receiver answers in a millisecond, a slow CMS in tens of seconds.
const std::vector<double> kDurationBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,    2.5,   5,    10,  30};

double Seconds(Milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

/// Prometheus label values escape backslash, quote and newline.
std::string Escape(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string Number(double v) {
    if (v == std::numeric_limits<double>::infinity()) return "+Inf";
    return fmt::format("{}", v);
}

void RenderHistogram(std::string& out, std::string_view name, std::string_view labels,
                     const Histogram& h) {
    uint64_t cumulative = 0;
    const std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < h.counts().size(); ++i) {
        cumulative += h.counts()[i];
        const std::string le = i < h.upper_bounds().size() ? Number(h.upper_bounds()[i]) : "+Inf";
        out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, le, cumulative);
    }
    const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
    out += fmt::format("{}_sum{} {}\n", name, braces, Number(h.sum()));
    out += fmt::format("{}_count{} {}\n", name, braces, h.count());
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::Observe(double seconds) {
    const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), seconds);
    ++counts_[static_cast<size_t>(it - upper_bounds_.begin())];
    ++count_;
    sum_ += seconds;
}

double Histogram::Quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<uint64_t>(q * static_cast<double>(count_) + 0.999999);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
        cumulative += counts_[i];
        if (cumulative >= rank)
            return i < upper_bounds_.size() ? upper_bounds_[i]
                                            : std::numeric_limits<double>::infinity();
    }
    return std::numeric_limits<double>::infinity();
}

Metrics::Metrics() : lateness_(kLatenessBounds) {}

void Metrics::CountOutcome(std::string_view platform, std::string_view outcome) {
    std::lock_guard lock(mu_);
    ++outcomes_[{std::string(platform), std::string(outcome)}];
}

void Metrics::CountAttempt(std::string_view platform) {
    std::lock_guard lock(mu_);
    ++attempts_[std::string(platform)];
}

void Metrics::ObserveLateness(Milliseconds due_to_start) {
    std::lock_guard lock(mu_);
    lateness_.Observe(std::max(0.0, Seconds(due_to_start)));
}

void Metrics::ObserveRequestDuration(std::string_view platform, Milliseconds duration) {
    std::lock_guard lock(mu_);
    auto it = durations_.find(std::string(platform));
    if (it == durations_.end())
        it = durations_.emplace(std::string(platform), Histogram(kDurationBounds)).first;
    it->second.Observe(std::max(0.0, Seconds(duration)));
}

void Metrics::SetInFlight(int64_t n) {
    std::lock_guard lock(mu_);
    in_flight_ = n;
}

void Metrics::SetQueueDepth(int64_t n) {
    std::lock_guard lock(mu_);
    queue_depth_ = n;
}

void Metrics::CountRecovered(int64_t n) {
    std::lock_guard lock(mu_);
    recovered_ += n;
}

std::string Metrics::RenderPrometheus() const {
    std::lock_guard lock(mu_);
    std::string out;
    out +=
        "# HELP herald_publications_total Settled publishing attempts, by platform and "
        "outcome (published, failed, retry, lost).\n";
    out += "# TYPE herald_publications_total counter\n";
    for (const auto& [key, n] : outcomes_)
        out += fmt::format("herald_publications_total{{platform=\"{}\",outcome=\"{}\"}} {}\n",
                           Escape(key.first), Escape(key.second), n);
    out += "# HELP herald_publish_attempts_total Publishing attempts started, by platform.\n";
    out += "# TYPE herald_publish_attempts_total counter\n";
    for (const auto& [platform, n] : attempts_)
        out += fmt::format("herald_publish_attempts_total{{platform=\"{}\"}} {}\n",
                           Escape(platform), n);
    out += "# HELP herald_publications_in_flight Publishing calls in flight now.\n";
    out += "# TYPE herald_publications_in_flight gauge\n";
    out += fmt::format("herald_publications_in_flight {}\n", in_flight_);
    out +=
        "# HELP herald_dispatch_queue_depth Items claimed but not started yet (waiting for "
        "their site's concurrency cap or rate limit).\n";
    out += "# TYPE herald_dispatch_queue_depth gauge\n";
    out += fmt::format("herald_dispatch_queue_depth {}\n", queue_depth_);
    out +=
        "# HELP herald_dispatch_recovered_total Items left publishing by a dead herald "
        "process on this host and taken back at start-up.\n";
    out += "# TYPE herald_dispatch_recovered_total counter\n";
    out += fmt::format("herald_dispatch_recovered_total {}\n", recovered_);
    out +=
        "# HELP herald_publish_lateness_seconds Time from an item's due time to the start "
        "of its publishing request.\n";
    out += "# TYPE herald_publish_lateness_seconds histogram\n";
    RenderHistogram(out, "herald_publish_lateness_seconds", "", lateness_);
    out +=
        "# HELP herald_publish_request_duration_seconds Duration of publishing calls, by "
        "platform.\n";
    out += "# TYPE herald_publish_request_duration_seconds histogram\n";
    for (const auto& [platform, h] : durations_)
        RenderHistogram(out, "herald_publish_request_duration_seconds",
                        fmt::format("platform=\"{}\"", Escape(platform)), h);
    return out;
}

int64_t Metrics::Outcomes(std::string_view platform, std::string_view outcome) const {
    std::lock_guard lock(mu_);
    auto it = outcomes_.find({std::string(platform), std::string(outcome)});
    return it == outcomes_.end() ? 0 : it->second;
}

int64_t Metrics::Attempts(std::string_view platform) const {
    std::lock_guard lock(mu_);
    auto it = attempts_.find(std::string(platform));
    return it == attempts_.end() ? 0 : it->second;
}

int64_t Metrics::InFlight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
}

int64_t Metrics::QueueDepth() const {
    std::lock_guard lock(mu_);
    return queue_depth_;
}

Histogram Metrics::LatenessHistogram() const {
    std::lock_guard lock(mu_);
    return lateness_;
}

}  // namespace herald::dispatch
