#pragma once
// Claims the way the dispatcher makes them (Store::Claim), for tests that set up claims of
// their own: a dead dispatcher's, another host's, a racing store's.

#include <chrono>
#include <span>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "storage/store.hpp"
#include "support/wait.hpp"

namespace herald::testing {

inline constexpr Milliseconds kTestLease = std::chrono::minutes{2};

/// Store::Claim of up to `limit` items due at `now` (the caller's clock) under `token`, with a
/// lease of `lease` on the database's clock, leaving the items of `skip_sites` alone.
inline std::vector<storage::ClaimedItem> ClaimBatch(storage::Store& store, TimePoint now, int limit,
                                                    std::string_view token,
                                                    Milliseconds lease = kTestLease,
                                                    std::span<const domain::SiteId> skip_sites = {},
                                                    int max_in_flight_per_site = 0) {
    storage::ClaimRequest request;
    request.now = now;
    request.limit = limit;
    request.claim_token = token;
    request.lease = lease;
    request.skip_sites = skip_sites;
    request.max_in_flight_per_site = max_in_flight_per_site;
    return store.Claim(request);
}

/// ClaimBatch, tried again until it claims something or `within` has passed: for a lease
/// that ends on the database's clock (a later `now` does not end it). Empty on timeout.
inline std::vector<storage::ClaimedItem> ClaimOnceLeasesEnd(
    storage::Store& store, TimePoint now, int limit, std::string_view token,
    Milliseconds lease = kTestLease, Milliseconds within = std::chrono::seconds{10}) {
    std::vector<storage::ClaimedItem> claimed;
    WaitUntil(
        [&] {
            claimed = ClaimBatch(store, now, limit, token, lease);
            return !claimed.empty();
        },
        within, std::chrono::milliseconds{5});
    return claimed;
}

/// Waits, at most `within`, until the first lease of a `publishing` item has ended on the
/// database's clock: NextWorkIn(quiet) turns negative, `quiet` being an instant at which
/// nothing scheduled is due yet (so only lease ends count). false on timeout.
inline bool WaitForEndedLease(storage::Store& store, TimePoint quiet,
                              Milliseconds within = std::chrono::seconds{10}) {
    return WaitUntil(
        [&] {
            const auto next = store.NextWorkIn(quiet);
            return next && *next < Milliseconds{0};
        },
        within, std::chrono::milliseconds{5});
}

}  // namespace herald::testing
