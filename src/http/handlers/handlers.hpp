#pragma once
// The API handlers, one free function per endpoint, grouped by resource in
// sites_handlers.cpp, content_handlers.cpp, publisher_handlers.cpp, health_handlers.cpp.
// Private to src/http/.

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "http/api_server.hpp"
#include "http/http_types.hpp"

namespace herald::http {

/// What every handler shares for the server's lifetime.
class ApiEnv {
public:
    explicit ApiEnv(AppContext app, std::string web_root = {});
    ~ApiEnv();

    const AppContext& app() const { return app_; }
    /// The built web UI (with the API description and its renderer), or empty.
    const std::string& web_root() const { return web_root_; }
    storage::Store& store() const { return app_.store; }
    /// The dispatcher for publish-now: the app's, or (when it has none) one built here on
    /// first use and never started, since publish-now needs no background loop.
    dispatch::Dispatcher& PublishDispatcher();
    /// Wake the background services when they exist (both are cheap and thread-safe).
    void WakeDispatcher() const;
    void WakeScheduler() const;
    /// A site's health changed through the API (resume): tell the observer, if any.
    void SiteHealthChanged(const storage::SiteHealthUpdate& update) const;

    /// Responses by status class, for /metrics.
    void CountResponse(int status);
    std::string RenderHttpMetrics() const;

    /// What the demo receiver got (serve --demo): external id → title and HTML.
    struct DemoPost {
        std::string title;
        std::string html;
    };
    int64_t StoreDemoPost(int64_t id, DemoPost post);  // id 0: a new one
    std::optional<DemoPost> FindDemoPost(int64_t id) const;

    /// API keys: a revocation makes every cached authentication of this process stale.
    void ForgetAuthentications() { auth_generation_.fetch_add(1, std::memory_order_acq_rel); }
    uint64_t AuthGeneration() const { return auth_generation_.load(std::memory_order_acquire); }

private:
    AppContext app_;
    std::string web_root_;
    std::once_flag fallback_once_;
    std::unique_ptr<dispatch::Dispatcher> fallback_;
    std::array<std::atomic<int64_t>, 6> responses_{};  // index status / 100 (0: other)
    mutable std::mutex demo_mutex_;
    std::map<int64_t, DemoPost> demo_posts_;
    int64_t demo_next_id_ = 1;
    std::atomic<uint64_t> auth_generation_{0};
};

/// One request as a handler sees it.
struct Call {
    const Request& request;
    const PathParams& params;
    ApiEnv& env;
    domain::AccountId account = 0;  // 0 on routes without auth
    TimePoint now{};

    storage::Store& store() const { return env.store(); }
};

using Handler = Response (*)(Call&);

// Health (no auth).
Response Healthz(Call& call);
Response Readyz(Call& call);

// Sites and their settings: /api/v1/sites/…
Response CreateSite(Call& call);
Response ListSites(Call& call);
Response GetSite(Call& call);
Response PatchSite(Call& call);
Response DeleteSite(Call& call);
Response ResumeSiteAction(Call& call);  // POST /sites/{id}/resume/
Response TestConnection(Call& call);    // blocking: calls the platform
Response ListSlots(Call& call);
Response GetSettings(Call& call);
Response PutSettings(Call& call);
Response PatchSettings(Call& call);

// Content: /api/v1/writer/content/…
Response CreateContent(Call& call);
Response ListContent(Call& call);
Response GetContent(Call& call);
Response PatchContent(Call& call);
Response DeleteContent(Call& call);
Response ScheduleContent(Call& call);
Response RescheduleContent(Call& call);
Response UnscheduleContent(Call& call);

// Planner I/O: bulk import / export (import_handlers.cpp), the calendar feed (ical_handlers.cpp).
Response ImportContent(Call& call);    // POST /api/v1/writer/content/import/
Response ExportContent(Call& call);    // GET /api/v1/writer/content/export/
Response CreateIcalToken(Call& call);  // POST /api/v1/sites/{id}/ical-token/
Response RevokeIcalToken(Call& call);  // DELETE /api/v1/sites/{id}/ical-token/
Response CalendarFeed(Call& call);     // GET /api/v1/sites/{id}/calendar.ics?token= (no key)

// Live updates, per-site scheduler run, metrics: live_handlers.cpp.
Response OpenEventsSession(Call& call);        // POST /api/v1/events/session/ (sets the cookie)
Response CloseEventsSession(Call& call);       // DELETE /api/v1/events/session/
Response ContentEvents(Call& call);            // GET /api/v1/events/?site_id= (SSE)
Response ScheduleApprovedForSite(Call& call);  // POST /api/v1/sites/{id}/schedule-approved/
Response MetricsText(Call& call);              // GET /metrics (no auth)

// serve --demo: the built-in receiver of the demo site (demo.cpp).
Response DemoReceive(Call& call);   // POST /demo/receiver/
Response ShowDemoPost(Call& call);  // GET /demo/posts/{id}/

// The API description (docs/openapi.yaml, built into the web root as openapi.json) and its
// browsable page (docs_handlers.cpp).
Response OpenApiDocument(Call& call);  // GET /api/v1/openapi.json
Response ApiDocsPage(Call& call);      // GET /api/docs

// API keys: /api/v1/api-keys/… (api_key_handlers.cpp)
Response ListApiKeys(Call& call);
Response CreateApiKey(Call& call);
Response RevokeApiKey(Call& call);

// Event hooks: /api/v1/event-hooks/… (event_hook_handlers.cpp)
Response CreateEventHook(Call& call);
Response ListEventHooks(Call& call);
Response GetEventHook(Call& call);
Response PatchEventHook(Call& call);
Response DeleteEventHook(Call& call);
Response ListEventHookDeliveries(Call& call);  // GET …/{id}/deliveries/ (the latest 100)
Response TestEventHook(Call& call);            // POST …/{id}/test/: queues a signed `ping` for it

// Publisher: /api/v1/publisher/…
Response PublishNow(Call& call);  // blocking: calls the platform
Response ListRecords(Call& call);

}  // namespace herald::http
