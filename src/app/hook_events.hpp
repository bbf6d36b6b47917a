#pragma once
// Turns what the dispatcher and the API observe into event-hook events: content.published,
// content.failed (only when the item is given up, not for each retry), site.degraded,
// site.paused and site.recovered.

#include <algorithm>
#include <span>
#include <vector>

#include <spdlog/spdlog.h>

#include "dispatch/pipeline.hpp"
#include "hooks/event_data.hpp"
#include "hooks/event_sink.hpp"
#include "storage/store.hpp"

namespace herald::app {

class HookEvents final : public dispatch::DispatchObserver {
public:
    HookEvents(storage::Store& store, hooks::EventSink& sink) : store_(store), sink_(sink) {}

    void ContentSettled(std::span<const Settled> settled) override {
        std::vector<domain::AccountId> accounts;
        for (const Settled& s : settled)
            if (EventType(s.kind)) accounts.push_back(s.content->account_id);
        if (accounts.empty()) return;
        // Most accounts have no hooks: their events are not built (JSON twice, a queue entry,
        // an INSERT that finds no hook). Read after the batch committed, so a hook that exists
        // before these items settled is seen; it is read from the database every batch, never
        // from a cache, so a hook created a moment ago gets the next batch's events.
        std::vector<domain::AccountId> with_hooks;
        try {
            with_hooks = store_.AccountsWithActiveHooks(accounts);
        } catch (const std::exception& e) {
            // Unknown: emit them all; the outbox insert decides, as without this check.
            spdlog::warn("event hooks: could not look up which accounts have hooks ({})", e.what());
            with_hooks = std::move(accounts);
            std::sort(with_hooks.begin(), with_hooks.end());
        }
        for (const Settled& s : settled) {
            const char* type = EventType(s.kind);
            if (type == nullptr ||
                !std::binary_search(with_hooks.begin(), with_hooks.end(), s.content->account_id))
                continue;
            sink_.Emit(s.content->account_id, type, hooks::ContentEventData(*s.content, s.attempt));
        }
    }

    void SiteHealthChanged(const storage::SiteHealthUpdate& update) override {
        const char* type = nullptr;
        switch (update.change.event) {
            case domain::HealthEvent::kDegraded:
                type = "site.degraded";
                break;
            case domain::HealthEvent::kPaused:
                type = "site.paused";
                break;
            case domain::HealthEvent::kRecovered:
                type = "site.recovered";
                break;
            case domain::HealthEvent::kNone:
                return;
        }
        try {
            // Rare (a change of health), so reading the site for its name and platform is
            // cheap enough on the settler's thread.
            auto site = store_.GetSite(update.account_id, update.site_id);
            if (!site) return;  // deleted meanwhile: nobody to tell about it
            const domain::SiteHealthState& h = update.change.state;
            std::optional<std::string_view> reason;
            if (!h.reason.empty()) reason = h.reason;
            sink_.Emit(update.account_id, type,
                       hooks::SiteEventData(*site, domain::ToString(h.health), reason));
        } catch (const std::exception& e) {
            spdlog::error("event hooks: could not describe site {} for {} ({})", update.site_id,
                          type, e.what());
        }
    }

private:
    /// content.failed only when the item is given up, not for each retry.
    static const char* EventType(domain::Settled kind) {
        if (kind == domain::Settled::kPublished) return "content.published";
        if (kind == domain::Settled::kFailed) return "content.failed";
        return nullptr;
    }

    storage::Store& store_;
    hooks::EventSink& sink_;
};

}  // namespace herald::app
