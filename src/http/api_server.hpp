#pragma once
// The HTTP front door: the REST API of API.md §2–3, /healthz, /readyz and the web UI's
// static files, on Boost.Beast. The only header the rest of herald needs from http/.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {
class DispatchObserver;
class Dispatcher;
class SlotScheduler;
}  // namespace herald::dispatch

namespace herald::http {

struct ServerSettings {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;             // 0: pick a free port (tests)
    int threads = 2;                  // I/O + handler threads
    size_t max_body_bytes = 1 << 20;  // larger bodies answer 413
    std::string web_root;             // static UI files; empty: none
    bool demo_receiver = false;       // POST /demo/receiver/ (serve --demo)
    bool ops_only = false;            // only /healthz, /readyz, /metrics (serve --role worker)
};

/// What handlers work with. Dispatcher and scheduler are null under `serve --no-tasks`.
struct AppContext {
    storage::Store& store;
    const TimeSource& clock;
    const publishers::PublisherRegistry& publishers;
    dispatch::Dispatcher* dispatcher = nullptr;
    dispatch::SlotScheduler* scheduler = nullptr;
    /// Told of health changes the API makes (resume); also given to a publish-now
    /// dispatcher made on demand. May be null.
    dispatch::DispatchObserver* observer = nullptr;
};

class ApiServer {
public:
    ApiServer(ServerSettings settings, AppContext context);
    ~ApiServer();

    /// Binds and starts serving on background threads. @throws std::runtime_error when the
    /// address cannot be bound.
    void Start();
    /// The bound port (after Start).
    uint16_t Port() const;
    /// Stops accepting, closes connections, joins threads. Idempotent.
    void Stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One route of the API (method, pattern as "/api/v1/sites/{id}/", needs an API key).
struct RouteInfo {
    std::string method;
    std::string pattern;
    bool auth = true;
};

/// Every route `serve` answers with these settings, in routing order: the table the API
/// description (docs/openapi.yaml) is checked against (`herald routes`).
std::vector<RouteInfo> ListRoutes(const ServerSettings& settings);

/// Where the built web UI normally is: `<dir of this executable>/../web/dist` (build/herald →
/// web/dist), else `<dir>/../share/herald/web` (an installed herald), when that folder has an
/// index.html; empty otherwise.
std::string DefaultWebRoot();

/// `serve --demo`: creates the account "demo" with a custom-platform site publishing to this
/// server's own /demo/receiver/ at `base_url` ("http://127.0.0.1:8080"), auto-publishing into
/// the next minutes, with approved, review and draft posts. When "demo" exists (an earlier
/// --demo), reuses it: its demo site is pointed at `base_url`, nothing else is added.
/// @returns a new API key of the account.
std::string SeedDemo(storage::Store& store, TimePoint now, const std::string& base_url);

/// Why --demo must not run on this database (it holds accounts other than "demo"), or
/// nullopt.
std::optional<std::string> DemoRefusal(storage::Store& store);

}  // namespace herald::http
