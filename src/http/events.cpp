#include "http/events.hpp"

#include "http/json_mapping.hpp"
#include "http/json_writer.hpp"

namespace herald::http {
namespace {

constexpr int kPageSize = 200;
constexpr int kMaxPerPoll = 2000;  // a bulk change beyond this arrives over the next polls

}  // namespace

ContentEventStream::ContentEventStream(storage::Store& store, domain::AccountId account,
                                       domain::SiteId site, TimePoint now)
    : store_(store),
      account_(account),
      site_(site),
      high_water_(now),
      dirty_(std::make_shared<std::atomic<bool>>(true)) {
    try {
        subscription_ = store_.SubscribeChanges(
            [dirty = dirty_, account, site](const storage::ChangeNotice& n) {
                if (!(n.kinds & storage::ChangeNotice::kContent)) return;
                if (n.account != 0 && (n.account != account || n.site != site)) return;
                dirty->store(true);
            });
    } catch (const std::exception&) {
        subscription_.reset();  // no feed: read on every tick, as before
    }
}

void ContentEventStream::Poll(std::string& out) {
    const auto now = std::chrono::steady_clock::now();
    if (subscription_ && !dirty_->load() && now - last_read_ < kFallback) return;
    dirty_->store(false);  // before reading: a change committed meanwhile sets it again
    last_read_ = now;
    TimePoint since = high_water_ - kLookBack;
    domain::ContentId after_id = 0;
    for (int read = 0; read < kMaxPerPoll;) {
        const auto page =
            store_.ListContentChangedSince(account_, site_, since, after_id, kPageSize);
        for (const domain::Content& c : page) {
            since = c.updated_at;
            after_id = c.id;
            if (c.updated_at > high_water_) high_water_ = c.updated_at;
            const Seen now_seen{c.updated_at, c.site_status, c.status};
            auto [it, inserted] = seen_.try_emplace(c.id, now_seen);
            if (!inserted) {
                const Seen& before = it->second;
                if (before.updated_at == c.updated_at && before.site_status == c.site_status &&
                    before.status == c.status) {
                    continue;  // re-read inside the look-back window, unchanged
                }
                it->second = now_seen;
            }
            out += "event: content\ndata: ";
            JsonWriter w(out);
            WriteContent(w, c);
            out += "\n\n";
        }
        read += static_cast<int>(page.size());
        if (static_cast<int>(page.size()) < kPageSize) break;
    }
    // Forget what fell out of the window; it cannot be re-read any more.
    const TimePoint horizon = high_water_ - 2 * kLookBack;
    std::erase_if(seen_, [&](const auto& entry) { return entry.second.updated_at < horizon; });
}

}  // namespace herald::http
