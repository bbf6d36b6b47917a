#pragma once
// Live updates for the web UI: a per-connection poller that turns changes of one site's
// content into SSE frames ("event: content"). Private to src/http/.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "http/http_types.hpp"
#include "storage/store.hpp"

namespace herald::http {

/// Reads the store rather than listening to in-process hooks, so changes made by anything
/// that writes the database (the dispatcher and scheduler here, `herald tasks …` in another
/// process, a second server) all reach the browser the same way. It reads when the store's
/// change feed (Store::SubscribeChanges: PostgreSQL NOTIFY, SQLite data_version) reports a
/// change of its site, and at least every kFallback; the server's tick (PollInterval) calls
/// Poll, so a change shows within that tick.
class ContentEventStream final : public EventStream {
public:
    /// Re-read window: a writer takes its timestamp before its commit becomes visible, so a
    /// row may appear with an updated_at a little older than what was already seen.
    static constexpr Milliseconds kLookBack{5000};
    /// Read the store at least this often even without a notice (a notice lost with the
    /// feed's connection is announced as "anything changed", this is the belt to it).
    static constexpr Milliseconds kFallback{5000};

    /// Reports changes from `now` on (minus the look-back): the page has just loaded the rest.
    ContentEventStream(storage::Store& store, domain::AccountId account, domain::SiteId site,
                       TimePoint now);

    void Poll(std::string& out) override;

private:
    struct Seen {
        TimePoint updated_at{};
        domain::SiteStatus site_status{};
        domain::EditorialStatus status{};
    };

    storage::Store& store_;
    domain::AccountId account_;
    domain::SiteId site_;
    TimePoint high_water_{};                            // newest updated_at seen
    std::unordered_map<domain::ContentId, Seen> seen_;  // within the look-back window
    std::shared_ptr<std::atomic<bool>> dirty_;          // a notice for this site arrived
    std::chrono::steady_clock::time_point last_read_{};
    std::unique_ptr<storage::ChangeSubscription> subscription_;  // last: ends first
};

}  // namespace herald::http
