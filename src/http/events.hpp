#pragma once
// Live updates for the web UI: a per-connection poller that turns changes of one site's
// content into SSE frames ("event: content"). Private to src/http/.

#include <string>
#include <unordered_map>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "http/http_types.hpp"
#include "storage/store.hpp"

namespace herald::http {

/// Polls the store rather than listening to in-process hooks, so changes made by anything
/// that writes the database (the dispatcher and scheduler here, `herald tasks …` in another
/// process, a second server) all reach the browser the same way.
class ContentEventStream final : public EventStream {
public:
    /// Re-read window: a writer takes its timestamp before its commit becomes visible, so a
    /// row may appear with an updated_at a little older than what was already seen.
    static constexpr Milliseconds kLookBack{5000};

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
    TimePoint high_water_{};                        // newest updated_at seen
    std::unordered_map<domain::ContentId, Seen> seen_;  // within the look-back window
};

}  // namespace herald::http
