#pragma once
// The API as a function of a request: routing, authentication, error mapping and the
// static UI files. Transport-free, so the Beast server stays a thin shell. Private.

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/api_keys.hpp"
#include "http/api_server.hpp"
#include "http/handlers/handlers.hpp"
#include "http/router.hpp"

namespace herald::http {

class Api {
public:
    using ApiRouter = Router<Handler>;
    using Match = ApiRouter::Match;

    Api(AppContext context, const ServerSettings& settings);

    Match Find(const Request& request) const { return router_.Find(request.method, request.path); }
    /// The largest body any route takes (at least `server_limit`): the parser's limit while
    /// headers are read, before the route (and its own limit) is known.
    size_t LargestBodyLimit(size_t server_limit) const {
        for (const auto& route : router_.routes())
            server_limit = std::max(server_limit, route.options.max_body_bytes);
        return server_limit;
    }
    /// Runs the matched route (or answers 404/405/static). Never throws.
    Response Handle(const Request& request, const Match& match);
    /// Runs the matched route for `account` without asking for a key: the local
    /// administrator's command line (LocalApi). Never throws.
    Response HandleAs(const Request& request, const Match& match, domain::AccountId account);

private:
    /// The account of `Authorization: Api-Key <key>`, or 0 (`key_given`: a key was sent).
    domain::AccountId Authenticate(std::string_view authorization, bool& key_given);
    domain::AccountId AuthenticateKey(std::string_view key);
    /// Subscribes (once) to the store's change feed so that a key revoked by another process
    /// voids this one's cached authentications at once.
    void WatchKeyRevocations();
    Response HandleUncounted(const Request& request, const Match& match);
    Response ServeStatic(const Request& request) const;

    struct CachedAccount {
        domain::AccountId id = 0;
        std::chrono::steady_clock::time_point expires;
        uint64_t generation = 0;  // ApiEnv::AuthGeneration() when cached
    };

    ApiEnv env_;
    ApiRouter router_;
    std::string web_root_;
    std::mutex auth_mutex_;
    std::unordered_map<std::string, CachedAccount> auth_cache_;  // key hash → account
    AuthFailureLimiter auth_failures_;
    // After env_: destroyed (unsubscribed) before the store it listens to.
    std::once_flag key_watch_once_;
    std::unique_ptr<storage::ChangeSubscription> key_watch_;
};

}  // namespace herald::http
