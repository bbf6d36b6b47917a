#include "http/api.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "dispatch/dispatcher.hpp"
#include "dispatch/pipeline.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "http/api_keys.hpp"
#include "http/errors.hpp"
#include "http/import_limits.hpp"
#include "http/query.hpp"

namespace herald::http {
namespace {

// Positive lookups only: a new key works at once; a key revoked through this process's API
// stops working at once (ApiEnv::ForgetAuthentications), one revoked elsewhere (the CLI,
// another process) as soon as the change feed tells (WatchKeyRevocations), and within this
// long should the feed be unavailable.
constexpr auto kAuthCacheTtl = std::chrono::seconds{5};
// last_used_at is written at most this often per key.
constexpr auto kLastUsedInterval = std::chrono::minutes{1};
constexpr size_t kAuthCacheMax = 10'000;

std::string_view MimeType(const std::filesystem::path& path) {
    const std::string ext = path.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".map") return "application/json";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    if (ext == ".woff2") return "font/woff2";
    return "application/octet-stream";
}

std::optional<std::string> ReadFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream data;
    data << in.rdbuf();
    return std::move(data).str();
}

// index.html refers to its assets relatively (app.js?v=…), so it works below a proxy's
// path prefix; served for a deeper SPA path it needs a base to find them.
std::string WithBase(std::string html) {
    if (html.find("<base ") != std::string::npos) return html;
    const size_t head = html.find("<head>");
    if (head != std::string::npos) html.insert(head + 6, "<base href=\"/\">");
    return html;
}

}  // namespace

ApiEnv::ApiEnv(AppContext app, std::string web_root) : app_(app), web_root_(std::move(web_root)) {}
ApiEnv::~ApiEnv() = default;

dispatch::Dispatcher& ApiEnv::PublishDispatcher() {
    if (app_.dispatcher) return *app_.dispatcher;
    std::call_once(fallback_once_, [this] {
        dispatch::DispatchSettings settings;
        settings.observer = app_.observer;
        fallback_ = std::make_unique<dispatch::Dispatcher>(app_.store, app_.publishers, app_.clock,
                                                           settings);
    });
    return *fallback_;
}

void ApiEnv::WakeDispatcher() const {
    if (app_.dispatcher) app_.dispatcher->Wake();
}

void ApiEnv::SiteHealthChanged(const storage::SiteHealthUpdate& update) const {
    if (app_.observer) app_.observer->SiteHealthChanged(update);
}

void ApiEnv::WakeScheduler() const {
    if (app_.scheduler) app_.scheduler->Wake();
}

void ApiEnv::CountResponse(int status) {
    const int index = status >= 100 && status < 600 ? status / 100 : 0;
    responses_[index].fetch_add(1, std::memory_order_relaxed);
}

std::string ApiEnv::RenderHttpMetrics() const {
    std::string out =
        "# HELP herald_http_responses_total HTTP responses by status class.\n"
        "# TYPE herald_http_responses_total counter\n";
    static constexpr const char* kClasses[6] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < 6; ++i) {
        out += "herald_http_responses_total{code=\"";
        out += kClasses[i];
        out += "\"} ";
        out += std::to_string(responses_[i].load(std::memory_order_relaxed));
        out += "\n";
    }
    return out;
}

int64_t ApiEnv::StoreDemoPost(int64_t id, DemoPost post) {
    std::lock_guard lock(demo_mutex_);
    if (id <= 0 || id >= demo_next_id_) id = demo_next_id_++;
    demo_posts_[id] = std::move(post);
    return id;
}

std::optional<ApiEnv::DemoPost> ApiEnv::FindDemoPost(int64_t id) const {
    std::lock_guard lock(demo_mutex_);
    const auto it = demo_posts_.find(id);
    if (it == demo_posts_.end()) return std::nullopt;
    return it->second;
}

namespace {
void AddRoutes(Router<Handler>& r, const ServerSettings& settings);
}  // namespace

Api::Api(AppContext context, const ServerSettings& settings)
    : env_(context, settings.ops_only ? std::string() : settings.web_root),
      web_root_(settings.ops_only ? std::string() : settings.web_root) {
    AddRoutes(router_, settings);
}

std::vector<RouteInfo> ListRoutes(const ServerSettings& settings) {
    Router<Handler> router;
    AddRoutes(router, settings);
    std::vector<RouteInfo> routes;
    for (const auto& route : router.routes())
        routes.push_back(RouteInfo{route.method, route.pattern, route.options.auth});
    return routes;
}

namespace {
// The route table; docs/openapi.yaml describes every route (tests/ui/openapi.test.mjs
// compares the two through `herald routes`).
void AddRoutes(Router<Handler>& r, const ServerSettings& settings) {
    constexpr RouteOptions kPublic{.auth = false};
    constexpr RouteOptions kBlocking{.auth = true, .blocking = true};
    constexpr RouteOptions kKeyInQuery{.auth = true, .key_in_query = true};
    r.Add("GET", "/healthz", &Healthz, kPublic);
    r.Add("GET", "/readyz", &Readyz, kPublic);
    r.Add("GET", "/metrics", &MetricsText, kPublic);
    if (settings.ops_only) return;  // a worker: every other path answers 404, no UI
    if (settings.demo_receiver) {
        r.Add("POST", "/demo/receiver/", &DemoReceive, kPublic);
        r.Add("GET", "/demo/posts/{id}/", &ShowDemoPost, kPublic);
    }
    r.Add("GET", "/api/v1/openapi.json", &OpenApiDocument, kPublic);
    r.Add("GET", "/api/docs", &ApiDocsPage, kPublic);
    r.Add("GET", "/api/v1/events/", &ContentEvents, kKeyInQuery);
    r.Add("POST", "/api/v1/events/session/", &OpenEventsSession);
    r.Add("DELETE", "/api/v1/events/session/", &CloseEventsSession);
    r.Add("POST", "/api/v1/sites/{id}/schedule-approved/", &ScheduleApprovedForSite);
    r.Add("POST", "/api/v1/sites/{id}/queue/rebalance/", &RebalanceQueue);
    r.Add("POST", "/api/v1/sites/{id}/queue/shuffle/", &ShuffleQueue);

    r.Add("POST", "/api/v1/sites/", &CreateSite);
    r.Add("GET", "/api/v1/sites/", &ListSites);
    r.Add("GET", "/api/v1/sites/{id}/", &GetSite);
    r.Add("PATCH", "/api/v1/sites/{id}/", &PatchSite);
    r.Add("DELETE", "/api/v1/sites/{id}/", &DeleteSite);
    r.Add("POST", "/api/v1/sites/{id}/resume/", &ResumeSiteAction);
    r.Add("POST", "/api/v1/sites/{id}/test-connection/", &TestConnection, kBlocking);
    r.Add("GET", "/api/v1/sites/{id}/slots/", &ListSlots);
    r.Add("GET", "/api/v1/sites/{id}/publishing-settings/", &GetSettings);
    r.Add("PUT", "/api/v1/sites/{id}/publishing-settings/", &PutSettings);
    r.Add("PATCH", "/api/v1/sites/{id}/publishing-settings/", &PatchSettings);

    r.Add("POST", "/api/v1/writer/content/", &CreateContent);
    r.Add("GET", "/api/v1/writer/content/", &ListContent);
    r.Add("GET", "/api/v1/writer/content/{id}/", &GetContent);
    r.Add("PATCH", "/api/v1/writer/content/{id}/", &PatchContent);
    r.Add("DELETE", "/api/v1/writer/content/{id}/", &DeleteContent);
    r.Add("POST", "/api/v1/writer/content/{id}/schedule/", &ScheduleContent);
    r.Add("POST", "/api/v1/writer/content/{id}/reschedule/", &RescheduleContent);
    r.Add("POST", "/api/v1/writer/content/{id}/unschedule/", &UnscheduleContent);
    r.Add("POST", "/api/v1/writer/content/{id}/move-to-top/", &MoveToTop);
    // An import is parsed and checked off the I/O threads, with a body limit of its own.
    r.Add("POST", "/api/v1/writer/content/import/", &ImportContent,
          RouteOptions{.auth = true, .blocking = true, .max_body_bytes = kMaxImportBodyBytes});
    r.Add("GET", "/api/v1/writer/content/export/", &ExportContent, kBlocking);
    r.Add("POST", "/api/v1/sites/{id}/ical-token/", &CreateIcalToken);
    r.Add("DELETE", "/api/v1/sites/{id}/ical-token/", &RevokeIcalToken);
    r.Add("GET", "/api/v1/sites/{id}/calendar.ics", &CalendarFeed, kPublic);

    r.Add("GET", "/api/v1/api-keys/", &ListApiKeys);
    r.Add("POST", "/api/v1/api-keys/", &CreateApiKey);
    r.Add("DELETE", "/api/v1/api-keys/{id}/", &RevokeApiKey);

    r.Add("POST", "/api/v1/event-hooks/", &CreateEventHook);
    r.Add("GET", "/api/v1/event-hooks/", &ListEventHooks);
    r.Add("GET", "/api/v1/event-hooks/{id}/", &GetEventHook);
    r.Add("PATCH", "/api/v1/event-hooks/{id}/", &PatchEventHook);
    r.Add("DELETE", "/api/v1/event-hooks/{id}/", &DeleteEventHook);
    r.Add("GET", "/api/v1/event-hooks/{id}/deliveries/", &ListEventHookDeliveries);
    r.Add("POST", "/api/v1/event-hooks/{id}/test/", &TestEventHook);

    // The claim is a quick database write; the call itself goes through the dispatcher's
    // pipeline and answers later (Response::deferred), holding no thread meanwhile.
    r.Add("POST", "/api/v1/publisher/publish/", &PublishNow);
    r.Add("GET", "/api/v1/publisher/records/", &ListRecords);
}
}  // namespace

domain::AccountId Api::Authenticate(std::string_view authorization, bool& key_given) {
    const std::string_view key = KeyFromAuthorization(authorization);
    key_given = !key.empty();
    return AuthenticateKey(key);
}

void Api::WatchKeyRevocations() {
    // Lazily, on the first authentication: only a serving process needs it, not the command
    // line's in-process API, which would otherwise start a feed thread per command.
    std::call_once(key_watch_once_, [this] {
        try {
            key_watch_ = env_.store().SubscribeChanges([this](const storage::ChangeNotice& n) {
                if (n.kinds & storage::ChangeNotice::kKeys) env_.ForgetAuthentications();
            });
        } catch (const std::exception& e) {
            spdlog::warn("API keys revoked elsewhere are refused within {} s ({})",
                         kAuthCacheTtl.count(), e.what());
        }
    });
}

domain::AccountId Api::AuthenticateKey(std::string_view key) {
    if (key.empty()) return 0;
    WatchKeyRevocations();
    // Only hashes are stored, so the key is found by its hash (an index lookup) and never
    // compared byte by byte; the cache compares hashes of keys, not keys.
    std::string hash = HashApiKey(key);
    const auto now = std::chrono::steady_clock::now();
    const uint64_t generation = env_.AuthGeneration();
    {
        std::lock_guard lock(auth_mutex_);
        const auto it = auth_cache_.find(hash);
        if (it != auth_cache_.end() && it->second.expires > now &&
            it->second.generation == generation)
            return it->second.id;
    }
    const auto match = env_.store().FindApiKey(hash);
    if (!match) return 0;
    const TimePoint wall = env_.app().clock.Now();
    if (!match->last_used_at || *match->last_used_at + kLastUsedInterval <= wall)
        env_.store().TouchApiKey(match->key_id, wall, kLastUsedInterval);
    std::lock_guard lock(auth_mutex_);
    if (auth_cache_.size() >= kAuthCacheMax) auth_cache_.clear();
    auth_cache_[std::move(hash)] =
        CachedAccount{match->account.id, now + kAuthCacheTtl, generation};
    return match->account.id;
}

Response Api::Handle(const Request& request, const Match& match) {
    Response response = HandleUncounted(request, match);
    if (response.deferred) {
        // Counted when the answer is known.
        response.deferred =
            [this, start = std::move(response.deferred)](std::function<void(Response)> respond) {
                start([this, respond = std::move(respond)](Response final_answer) {
                    env_.CountResponse(final_answer.status);
                    respond(std::move(final_answer));
                });
            };
        return response;
    }
    env_.CountResponse(response.status);
    return response;
}

Response Api::HandleUncounted(const Request& request, const Match& match) {
    try {
        if (!match.route) {
            if (match.path_known) {
                Response response = ErrorResponse(405, "method_not_allowed",
                                                  "This method is not allowed on this path.");
                response.allow = match.allow;
                return response;
            }
            if (request.method == "GET" && !web_root_.empty() &&
                request.path.substr(0, 5) != "/api/") {
                return ServeStatic(request);
            }
            if (request.method == "GET" && request.path == "/") {
                return ErrorResponse(404, "ui_not_built",
                                     "The web UI is not built: run scripts/build.sh (or "
                                     "web/build.sh), or pass --web-root DIR.");
            }
            return ErrorResponse(404, "not_found", "There is no such endpoint.");
        }
        Call call{request, match.params, env_};
        if (match.route->options.auth) {
            bool key_given = false;
            call.account = Authenticate(request.authorization, key_given);
            // EventSource cannot send headers: the event stream takes the events cookie
            // (POST /api/v1/events/session/ sets it; nothing lands in URLs or proxy logs)
            // and, for older clients, ?api_key=.
            if (call.account == 0 && request.authorization.empty() &&
                match.route->options.key_in_query) {
                const QueryParams query(request.query);
                std::optional<std::string_view> key = EventsCookieKey(request.cookie);
                if (!key) {
                    if (const std::string* in_query = query.Get("api_key")) key = *in_query;
                }
                if (key) {
                    key_given = !key->empty();
                    call.account = AuthenticateKey(*key);
                }
            }
            if (call.account == 0) {
                // The key is checked first: only failures count, and a valid key is never
                // held back by them.
                if (const auto wait =
                        auth_failures_.Fail(request.remote, std::chrono::steady_clock::now())) {
                    Response response = ErrorResponse(
                        429, "too_many_failed_authentications",
                        "Too many failed authentications from this address; try again in " +
                            std::to_string(*wait) + " seconds.");
                    response.retry_after = *wait;
                    return response;
                }
                if (key_given)
                    return ErrorResponse(401, "unauthorized",
                                         "No account has this API key: it was mistyped, "
                                         "revoked, or made for another herald database.");
                if (!request.authorization.empty())
                    return ErrorResponse(401, "unauthorized",
                                         "The Authorization header must read 'Api-Key <key>'.");
                return ErrorResponse(401, "unauthorized",
                                     "A valid 'Authorization: Api-Key <key>' header is "
                                     "required.");
            }
        }
        call.now = env_.app().clock.Now();
        return match.route->handler(call);
    } catch (const std::exception& e) {
        spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
        return InternalErrorResponse();
    } catch (...) {
        spdlog::error("{} {} failed with an unknown exception", request.method, request.path);
        return InternalErrorResponse();
    }
}

Response Api::HandleAs(const Request& request, const Match& match, domain::AccountId account) {
    try {
        if (!match.route) return ErrorResponse(404, "not_found", "There is no such endpoint.");
        Call call{request, match.params, env_};
        call.account = account;
        call.now = env_.app().clock.Now();
        return match.route->handler(call);
    } catch (const std::exception& e) {
        spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
        return InternalErrorResponse();
    }
}

Response Api::ServeStatic(const Request& request) const {
    std::string_view path = request.path;
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    std::filesystem::path relative(path.empty() ? std::string_view("index.html") : path);
    for (const auto& part : relative) {
        if (part == ".." || part == ".") return ErrorResponse(404, "not_found", "No such file.");
    }
    std::filesystem::path file = std::filesystem::path(web_root_) / relative;
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) file /= "index.html";
    std::optional<std::string> data = ReadFile(file);
    Response response;
    if (!data) {
        // SPA fallback: a path that does not look like a file is a page of the app.
        if (relative.has_extension()) return ErrorResponse(404, "not_found", "No such file.");
        file = std::filesystem::path(web_root_) / "index.html";
        data = ReadFile(file);
        if (!data) return ErrorResponse(404, "not_found", "No such file.");
        data = WithBase(std::move(*data));
    }
    response.content_type = MimeType(file);
    // index.html names its assets with a content hash (app.js?v=…): those may be cached for
    // good; everything else is revalidated so a rebuilt UI shows at once.
    const bool hashed = request.query.substr(0, 2) == "v=" && file.extension() != ".html";
    response.cache_control = hashed ? "public, max-age=31536000, immutable" : "no-cache";
    response.body = std::move(*data);
    return response;
}

std::string DefaultWebRoot() {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    // build/herald → web/dist; installed, PREFIX/bin/herald → PREFIX/share/herald/web.
    const std::filesystem::path prefix = exe.parent_path().parent_path();
    for (const auto& dist : {prefix / "web" / "dist", prefix / "share" / "herald" / "web"}) {
        if (std::filesystem::is_regular_file(dist / "index.html", ec))
            return std::filesystem::weakly_canonical(dist, ec).string();
    }
    return {};
}

}  // namespace herald::http
