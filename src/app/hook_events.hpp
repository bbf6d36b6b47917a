#pragma once
// Turns what the dispatcher and the API observe into event-hook events: content.published,
// content.failed (only when the item is given up, not for each retry), site.degraded,
// site.paused and site.recovered.

#include <spdlog/spdlog.h>

#include "dispatch/pipeline.hpp"
#include "hooks/event_data.hpp"
#include "hooks/event_sink.hpp"
#include "storage/store.hpp"

namespace herald::app {

class HookEvents final : public dispatch::DispatchObserver {
public:
    HookEvents(storage::Store& store, hooks::EventSink& sink) : store_(store), sink_(sink) {}

    void ContentSettled(const domain::Content& content, const domain::Site&, domain::Settled kind,
                        int attempt) override {
        if (kind == domain::Settled::kPublished) {
            sink_.Emit(content.account_id, "content.published",
                       hooks::ContentEventData(content, attempt));
        } else if (kind == domain::Settled::kFailed) {
            sink_.Emit(content.account_id, "content.failed",
                       hooks::ContentEventData(content, attempt));
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
    storage::Store& store_;
    hooks::EventSink& sink_;
};

}  // namespace herald::app
