// PostgresStore for several herald processes on one database (docs/scaling.md): claims that
// measure leases on the server's clock and hold each site's cap across processes, lease
// renewal, the next wake-up, leadership by session advisory lock, and LISTEN/NOTIFY.

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "storage/change_feed.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

// First key of herald's two-key advisory locks ("herd"); the second names the site or role.
// (The migration lock uses the one-key form, so the two never meet.)
constexpr int kLockSpaceClaims = 0x68657264;
constexpr int kLockSpaceLeaders = 0x6865726c;  // "herl"
// Sites looked at per claim: the ones with the oldest due work.
constexpr int kClaimSitesPerPass = 512;
constexpr const char* kChannel = "herald_wake";

// Sites with claimable work, oldest due first, each locked for this claim transaction; a
// site another claimer holds right now is skipped (it is taking that site's room).
// $1 now, $2 skip sites, $3 how many sites.
const char* kLockSitesSql =
    "SELECT site_id FROM ("
    "  SELECT c.site_id, min(c.due_at) AS first_due FROM content c"
    "  JOIN sites s ON s.id = c.site_id"
    "  WHERE ((c.site_status = 'scheduled' AND c.due_at <= $1"
    "          AND (s.health = 'healthy'"
    "               OR (s.health = 'degraded' AND COALESCE(s.probe_at, 0) <= $1)))"
    "         OR (c.site_status = 'publishing' AND c.lease_until < herald_now_ms()))"
    "    AND s.is_active AND NOT (c.site_id = ANY($2::bigint[]))"
    "  GROUP BY c.site_id ORDER BY first_due, c.site_id LIMIT $3) AS work"
    " WHERE pg_try_advisory_xact_lock(1751478884, (site_id % 2147483647)::integer)"
    " ORDER BY first_due, site_id";

const std::string& ClaimSql() {
    // Runs after kLockSitesSql in the same transaction, so its snapshot sees every claim
    // another process committed on these sites before it let go of their locks: the count
    // of live `publishing` items is exact, and the room left is the site's alone to fill.
    // $1 now, $2 limit, $3 locked sites, $4 default cap (<= 0: none), $5 token, $6 lease ms.
    static const std::string sql =
        std::string(
            "WITH room AS ("
            // domain::AdmitsCall: a paused site takes no new call, a degraded one a single
            // probe once it is due; abandoned claims are taken over whatever the health.
            "  SELECT s.id AS site_id,"
            "   CASE WHEN s.health = 'degraded' THEN 1"
            "        ELSE herald_site_cap(s.options_json, $4) END AS cap,"
            "   (s.health = 'healthy' OR (s.health = 'degraded'"
            "     AND COALESCE(s.probe_at, 0) <= $1)) AS admits,"
            "   (SELECT count(*) FROM content p WHERE p.site_id = s.id"
            "     AND p.site_status = 'publishing' AND p.lease_until >= herald_now_ms()) AS live"
            "  FROM sites s WHERE s.id = ANY($3::bigint[]) AND s.is_active),"
            " picked AS ("
            "  SELECT x.id, x.due_at FROM room CROSS JOIN LATERAL ("
            "    SELECT c.id, c.due_at FROM content c WHERE c.site_id = room.site_id"
            "      AND ((c.site_status = 'scheduled' AND c.due_at <= $1 AND room.admits)"
            "           OR (c.site_status = 'publishing' AND c.lease_until < herald_now_ms()))"
            "    ORDER BY c.due_at, c.id"
            "    LIMIT CASE WHEN room.cap <= 0 THEN $2 ELSE GREATEST(room.cap - room.live, 0) END"
            "    FOR UPDATE OF c SKIP LOCKED) AS x"
            "  ORDER BY x.due_at, x.id LIMIT $2)"
            " UPDATE content SET site_status = 'publishing', claim_token = $5,"
            " lease_until = herald_now_ms() + $6, attempts = content.attempts + 1,"
            " publication_id = ") +
        kNewPublicationId +
        ", site_status_updated_at = $1, updated_at = $1, version = content.version + 1"
        " FROM picked, sites AS site"
        " WHERE content.id = picked.id AND site.id = content.site_id"
        " RETURNING " +
        ContentColumns("content") + ", " + SiteColumns("site") + ", content.due_at";
    return sql;
}

/// Holds the role's session advisory lock on a connection of its own.
class PgLeadership final : public LeadershipLease {
public:
    PgLeadership(std::unique_ptr<Connection> conn, std::string role)
        : conn_(std::move(conn)), role_(std::move(role)) {}
    ~PgLeadership() override {
        try {
            if (conn_->Healthy()) {
                Params p;
                p.Text(role_);
                conn_->Exec("SELECT pg_advisory_unlock(1751478892, hashtext($1))", p);
            }
        } catch (const StorageError&) {
            // Closing the session below releases it anyway.
        }
    }
    bool StillHeld() override {
        try {
            if (!conn_->Healthy()) return false;
            Params p;
            p.Text(role_);
            // Our own session's lock, as the server sees it (not merely a live socket).
            return conn_
                       ->Exec(
                           "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                           " AND pid = pg_backend_pid() AND granted AND classid = 1751478892"
                           " AND objid = hashtext($1)::oid",
                           p)
                       .Int(0, 0) > 0;
        } catch (const StorageError&) {
            return false;
        }
    }

private:
    std::unique_ptr<Connection> conn_;
    std::string role_;
};

/// "d", "s", "x", "k" or "c ACCOUNT SITE" (the triggers of migrations 4 and 12).
ChangeNotice ParseNotice(std::string_view payload) {
    ChangeNotice notice;
    if (payload == "d") {
        notice.kinds = ChangeNotice::kDue;
    } else if (payload == "s") {
        notice.kinds = ChangeNotice::kQueue;
    } else if (payload == "x") {
        notice.kinds = ChangeNotice::kDue | ChangeNotice::kQueue;
    } else if (payload == "k") {
        notice.kinds = ChangeNotice::kKeys;
    } else if (payload.starts_with("c ")) {
        notice.kinds = ChangeNotice::kContent;
        payload.remove_prefix(2);
        const auto space = payload.find(' ');
        if (space != std::string_view::npos) {
            std::from_chars(payload.data(), payload.data() + space, notice.account);
            std::from_chars(payload.data() + space + 1, payload.data() + payload.size(),
                            notice.site);
        }
    }  // anything else: kAll
    return notice;
}

/// LISTEN herald_wake until stopped, reconnecting (with backoff) after the connection is lost;
/// every (re)connection is announced as kAll, since notifications sent meanwhile are gone.
void Listen(const std::string& url, ChangeFeed& feed, const std::atomic<bool>& stop) {
    Milliseconds backoff{250};
    while (!stop) {
        try {
            Connection conn(url);
            conn.ExecText("LISTEN herald_wake");
            backoff = Milliseconds{250};
            feed.Publish(ChangeNotice{});  // kAll: whatever happened before we listened
            PGconn* pg = conn.get();
            while (!stop) {
                pollfd fd{PQsocket(pg), POLLIN, 0};
                const int ready = poll(&fd, 1, 250);
                if (ready < 0 && errno != EINTR) throw StorageError("poll on LISTEN failed");
                if (ready > 0 && PQconsumeInput(pg) == 0)
                    ThrowConnectionError(pg, "LISTEN connection lost");
                if (PQstatus(pg) != CONNECTION_OK)
                    ThrowConnectionError(pg, "LISTEN connection lost");
                while (PGnotify* n = PQnotifies(pg)) {
                    if (std::string_view(n->relname) == kChannel)
                        feed.Publish(ParseNotice(n->extra ? n->extra : ""));
                    PQfreemem(n);
                }
            }
        } catch (const std::exception&) {
            // The database is away: try again, backing off to 5 s.
            if (feed.WaitFor(backoff)) return;
            backoff = std::min(Milliseconds{5000}, backoff * 2);
        }
    }
}

}  // namespace

std::vector<ClaimedItem> PostgresStore::Claim(const ClaimRequest& request) {
    if (request.limit <= 0) return {};
    if (request.claim_token.empty()) throw StorageError("Claim needs a non-empty claim token");
    auto conn = pool_->Acquire();
    Transaction txn(*conn, kBeginDispatch);
    std::vector<int64_t> sites;
    {
        Params p;
        p.Time(request.now);
        p.IntArray(request.skip_sites);
        p.Int(kClaimSitesPerPass);
        const PgResult r = conn->Exec(kLockSitesSql, p);
        sites.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) sites.push_back(r.Int(i, 0));
    }
    if (sites.empty()) {
        txn.Commit();
        return {};
    }
    Params p;
    p.Time(request.now);
    p.Int(request.limit);
    p.IntArray(sites);
    p.Int(request.max_in_flight_per_site);
    p.Text(request.claim_token);
    p.Int(std::max<int64_t>(1, request.lease.count()));
    const PgResult r = conn->Exec(ClaimSql(), p);
    std::vector<ClaimedItem> claimed;
    claimed.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        claimed.push_back({ReadContent(Row{r, i}), ReadSite(Row{r, i, kContentColumnCount}),
                           r.Time(i, kContentColumnCount + kSiteColumnCount)});
    }
    txn.Commit();
    std::sort(claimed.begin(), claimed.end(), [](const ClaimedItem& a, const ClaimedItem& b) {
        return a.due_at != b.due_at ? a.due_at < b.due_at : a.content.id < b.content.id;
    });
    return claimed;
}

bool PostgresStore::RenewLease(ContentId id, std::string_view claim_token, Milliseconds lease) {
    if (claim_token.empty()) return false;
    Params p;
    p.Int(id);
    p.Text(claim_token);
    p.Int(std::max<int64_t>(1, lease.count()));
    auto conn = pool_->Acquire();
    return conn->Exec(
                   "UPDATE content SET lease_until = herald_now_ms() + $3,"
                   " version = version + 1"
                   " WHERE id = $1 AND claim_token = $2 AND site_status = 'publishing'",
                   p)
               .affected() > 0;
}

std::optional<Milliseconds> PostgresStore::NextWorkIn(TimePoint now) {
    Params p;
    p.Time(now);
    auto conn = pool_->Acquire();
    // LEAST ignores NULLs: either kind of work alone decides. Due times against the caller's
    // now, lease ends against the server's.
    const PgResult r = conn->Exec(
        "SELECT LEAST("
        " (SELECT c.due_at FROM content c JOIN sites s ON s.id = c.site_id"
        "   WHERE c.site_status = 'scheduled' AND s.is_active AND s.health = 'healthy'"
        "   ORDER BY c.due_at LIMIT 1) - $1,"
        // A degraded site's first due item, not before its next probe.
        " (SELECT min(GREATEST(COALESCE(s.probe_at, 0), w.first_due)) FROM sites s"
        "   JOIN LATERAL (SELECT min(c.due_at) AS first_due FROM content c"
        "     WHERE c.site_id = s.id AND c.site_status = 'scheduled') w"
        "   ON w.first_due IS NOT NULL"
        "   WHERE s.health = 'degraded' AND s.is_active) - $1,"
        " (SELECT c.lease_until FROM content c JOIN sites s ON s.id = c.site_id"
        "   WHERE c.site_status = 'publishing' AND c.lease_until IS NOT NULL AND s.is_active"
        "   ORDER BY c.lease_until LIMIT 1) - herald_now_ms())",
        p);
    if (r.IsNull(0, 0)) return std::nullopt;
    return Milliseconds{r.Int(0, 0)};
}

std::unique_ptr<LeadershipLease> PostgresStore::TryLead(std::string_view role) {
    auto conn = std::make_unique<Connection>(url_);
    Params p;
    p.Text(role);
    const bool got =
        conn->Exec("SELECT pg_try_advisory_lock(1751478892, hashtext($1))", p).Bool(0, 0);
    if (!got) return nullptr;
    return std::make_unique<PgLeadership>(std::move(conn), std::string(role));
}

std::unique_ptr<ChangeSubscription> PostgresStore::SubscribeChanges(ChangeCallback on_change) {
    {
        std::lock_guard lock(feed_mu_);
        if (!feed_) {
            feed_ = std::make_unique<ChangeFeed>(
                [url = url_](ChangeFeed& feed, const std::atomic<bool>& stop) {
                    Listen(url, feed, stop);
                });
        }
    }
    return feed_->Subscribe(std::move(on_change));
}

static_assert(kLockSpaceClaims == 1751478884 && kLockSpaceLeaders == 1751478892,
              "the SQL above spells these keys out");

}  // namespace herald::storage::postgres
