// SqliteStore for several herald processes on one machine sharing the file: claims with the
// per-site cap under SQLite's write lock, leases on this machine's clock (the one clock every
// process sharing a local file shares), leadership by flock, and change notices from PRAGMA
// data_version.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/delivery_options.hpp"
#include "storage/change_feed.hpp"
#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

// Candidates read per claim at most (a capped site's backlog is walked past, not taken).
constexpr int kMaxScan = 20000;
constexpr std::chrono::milliseconds kDataVersionPoll{250};

TimePoint ClockNow() { return SystemTimeSource().Now(); }

/// The dispatcher's reading of options "max_in_flight" (domain::ReadDeliveryOptions).
int SiteCap(const std::string& options_json, int fallback) {
    return domain::ReadDeliveryOptions(options_json).max_in_flight.value_or(fallback);
}

class FlockLeadership final : public LeadershipLease {
public:
    explicit FlockLeadership(int fd) : fd_(fd) {}
    ~FlockLeadership() override { close(fd_); }  // closing the file releases the lock
    bool StillHeld() override { return true; }   // a flock lasts as long as its open file

private:
    int fd_;
};

}  // namespace

std::vector<ClaimedItem> SqliteStore::Claim(const ClaimRequest& request) {
    if (request.limit <= 0) return {};
    if (request.claim_token.empty()) throw StorageError("Claim needs a non-empty claim token");
    const TimePoint clock_now = ClockNow();
    const TimePoint lease_until = clock_now + std::max(Milliseconds{1}, request.lease);
    auto conn = pool_->Acquire();
    // The write lock for the whole claim: the live counts read below cannot change before
    // the claims they allow are written, in this process or any other.
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::map<SiteId, int64_t> live;
    {
        Query q(conn->Prepare(sql::kLiveBySite));
        q.BindTime(1, clock_now);
        while (q.Step()) live[q.Int(0)] = q.Int(1);
    }
    std::vector<ContentId> ids;
    {
        std::map<SiteId, int> cap;
        // Sites none of whose later candidates can be taken (skipped, or at their cap: the
        // live count only grows within the claim). When it holds every active site the scan
        // stops: in a burst whose sites are all at their cap it read up to the whole backlog
        // (~9,000 rows) to take one item. The active sites are counted only once a site
        // closes (most claims close none).
        std::set<SiteId> closed;
        std::optional<int64_t> active_sites;
        const auto all_closed = [&] {
            if (closed.empty()) return false;
            if (!active_sites) {
                Query count(conn->Prepare(sql::kActiveSiteCount));
                active_sites = count.Step() ? count.Int(0) : 0;
            }
            return static_cast<int64_t>(closed.size()) >= *active_sites;
        };
        Query q(conn->Prepare(sql::kClaimCandidates));
        q.BindTime(1, request.now).BindTime(2, clock_now);
        for (int scanned = 0; scanned < kMaxScan && static_cast<int>(ids.size()) < request.limit &&
                              !all_closed() && q.Step();
             ++scanned) {
            const SiteId site = q.Int(1);
            if (std::find(request.skip_sites.begin(), request.skip_sites.end(), site) !=
                request.skip_sites.end()) {
                closed.insert(site);
                continue;
            }
            domain::SiteHealthState health;
            health.health =
                domain::ParseSiteHealth(q.Text(4)).value_or(domain::SiteHealth::kHealthy);
            health.probe_at = q.OptTime(5);
            if (!domain::AdmitsCall(health, static_cast<int>(live[site]), request.now)) continue;
            int site_cap = 0;
            if (request.max_in_flight_per_site > 0 || !q.IsNull(2)) {
                auto it = cap.find(site);
                if (it == cap.end())
                    it =
                        cap.emplace(site, SiteCap(q.Text(2), request.max_in_flight_per_site)).first;
                site_cap = it->second;
                if (site_cap > 0 && live[site] >= site_cap) {
                    closed.insert(site);
                    continue;
                }
            }
            ++live[site];
            ids.push_back(q.Int(0));
            if (site_cap > 0 && live[site] >= site_cap) closed.insert(site);
        }
    }
    std::vector<ClaimedItem> claimed;
    claimed.reserve(ids.size());
    std::map<SiteId, Site> sites;
    for (ContentId id : ids) {
        {
            Query q(conn->Prepare(sql::kClaimById));
            q.BindInt(1, id)
                .BindText(2, request.claim_token)
                .BindTime(3, lease_until)
                .BindTime(4, request.now);
            q.Run();
        }
        auto content = LoadContentById(*conn, id);
        if (!content) throw StorageError("claimed content vanished inside its transaction");
        auto site_it = sites.find(content->site_id);
        if (site_it == sites.end()) {
            auto site = LoadSiteById(*conn, content->site_id);
            if (!site) throw StorageError("claimed content has no site");
            site_it = sites.emplace(site->id, std::move(*site)).first;
        }
        const TimePoint due_at = content->DueAt();  // the claim leaves both inputs alone
        claimed.push_back({std::move(*content), site_it->second, due_at});
    }
    txn.Commit();
    return claimed;  // in (due_at, id) order already
}

bool SqliteStore::RenewLease(ContentId id, std::string_view claim_token, Milliseconds lease) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kRenewLease));
    q.BindInt(1, id).BindText(2, claim_token).BindTime(3, ClockNow() + lease);
    q.Run();
    return q.Changes() > 0;
}

std::optional<Milliseconds> SqliteStore::NextWorkIn(TimePoint now) {
    const TimePoint clock_now = ClockNow();
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);
    std::optional<Milliseconds> next;
    {
        Query q(conn->Prepare(sql::kNextDue));
        if (q.Step() && !q.IsNull(0)) next = q.Time(0) - now;
    }
    {
        Query q(conn->Prepare(sql::kNextProbe));
        if (q.Step() && !q.IsNull(0)) {
            const Milliseconds probe = q.Time(0) - now;
            if (!next || probe < *next) next = probe;
        }
    }
    {
        Query q(conn->Prepare(sql::kNextLeaseEnd));
        if (q.Step() && !q.IsNull(0)) {
            const Milliseconds lease = q.Time(0) - clock_now;
            if (!next || lease < *next) next = lease;
        }
    }
    txn.Commit();
    return next;
}

std::unique_ptr<LeadershipLease> SqliteStore::TryLead(std::string_view role) {
    std::string name(role);
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    const std::string lock_path = path_ + ".lead-" + name + ".lock";
    const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw StorageError("cannot open " + lock_path + ": " + std::strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        close(fd);
        if (error == EWOULDBLOCK) return nullptr;
        throw StorageError("cannot lock " + lock_path + ": " + std::strerror(error));
    }
    return std::make_unique<FlockLeadership>(fd);
}

std::unique_ptr<ChangeSubscription> SqliteStore::SubscribeChanges(ChangeCallback on_change) {
    {
        std::lock_guard lock(feed_mu_);
        if (!feed_) {
            feed_ = std::make_unique<ChangeFeed>(
                [path = path_](ChangeFeed& feed, const std::atomic<bool>& stop) {
                    // PRAGMA data_version moves when any other connection (this process's pool
                    // or another process) commits to the file. SQLite says nothing of what
                    // changed, so a move is announced as "due work, content and API keys may
                    // have changed";
                    // approvals reach the slot scheduler through the in-process wake of the
                    // process that took them, and its periodic pass.
                    bool have_seen = false;
                    int64_t seen = 0;
                    while (!stop) {
                        try {
                            Connection conn(path);
                            while (!stop) {
                                Query q(conn.Prepare("PRAGMA data_version"));
                                const int64_t version = q.Step() ? q.Int(0) : 0;
                                if (have_seen && version != seen) {
                                    ChangeNotice notice;
                                    notice.kinds = ChangeNotice::kDue | ChangeNotice::kContent |
                                                   ChangeNotice::kKeys;
                                    feed.Publish(notice);
                                }
                                seen = version;
                                have_seen = true;
                                if (feed.WaitFor(kDataVersionPoll)) return;
                            }
                        } catch (const std::exception&) {
                            have_seen = false;
                            if (feed.WaitFor(std::chrono::seconds{1})) return;
                        }
                    }
                });
        }
    }
    return feed_->Subscribe(std::move(on_change));
}

}  // namespace herald::storage::sqlite
