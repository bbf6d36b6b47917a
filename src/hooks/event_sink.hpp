#pragma once
// Where herald's own events go for the owners' event hooks (API.md §8). Emitters (the
// dispatcher: content.published, content.failed, site.degraded, site.paused, site.recovered)
// know only this interface; HookDeliverer (deliverer.hpp) is the implementation.
// Light on purpose: no JSON library, no storage.

#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace herald::hooks {

class EventSink {
public:
    virtual ~EventSink() = default;
    /// Queues event `type` (one of domain::kHookEvents) of `account`, whose `data` is
    /// `data_json` (a JSON object), for every active hook of the account subscribed to it.
    /// Returns at once and never throws: an event that cannot be queued (unknown type, data
    /// not a JSON object, queue full, database down) is logged and dropped, never raised into
    /// publishing. Thread-safe.
    virtual void Emit(domain::AccountId account, std::string_view type, std::string data_json) = 0;
};

/// Drops every event (for code paths built without hooks, and tests).
class NullEventSink final : public EventSink {
public:
    void Emit(domain::AccountId, std::string_view, std::string) override {}
};

}  // namespace herald::hooks
