#pragma once
// Method + path pattern routing ("/api/v1/sites/{id}/"), trailing slash optional.
// A linear scan: the API has a few dozen routes and matching is segment compares only.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.hpp"

namespace herald::http {

struct RouteOptions {
    bool auth = true;           // needs a valid Api-Key
    bool blocking = false;      // may wait on a remote platform: runs off the I/O threads
    bool key_in_query = false;  // ?api_key= also authenticates (EventSource sends no headers)
    size_t max_body_bytes = 0;  // > 0: this route's body limit instead of the server's (imports)
};

template <typename Handler>
class Router {
public:
    struct Route {
        std::string method;
        std::string pattern;                // as added, e.g. "/api/v1/sites/{id}/"
        std::vector<std::string> segments;  // "{id}" marks an integer parameter
        Handler handler;
        RouteOptions options;
    };

    struct Match {
        const Route* route = nullptr;
        PathParams params;
        bool path_known = false;  // some route has this path (so: 405, not 404)
        std::string allow;        // methods of that path, for the Allow header
    };

    void Add(std::string_view method, std::string_view pattern, Handler handler,
             RouteOptions options = {}) {
        routes_.push_back(Route{std::string(method), std::string(pattern), Split(pattern),
                                std::move(handler), options});
    }

    /// Every route, in the order added (for the API description's route check).
    const std::vector<Route>& routes() const { return routes_; }

    Match Find(std::string_view method, std::string_view path) const {
        Match match;
        std::string_view parts[8];
        int count = 0;
        size_t pos = 0;
        while (pos < path.size()) {
            if (path[pos] == '/') {
                ++pos;
                continue;
            }
            const size_t end = std::min(path.find('/', pos), path.size());
            if (count == 8) return match;  // deeper than any route
            parts[count++] = path.substr(pos, end - pos);
            pos = end;
        }
        for (const Route& route : routes_) {
            PathParams params;
            if (!Matches(route, parts, count, params)) continue;
            if (route.method == method) {
                match.route = &route;
                match.params = params;
                return match;
            }
            match.path_known = true;
            if (!match.allow.empty()) match.allow += ", ";
            match.allow += route.method;
        }
        return match;
    }

private:
    static std::vector<std::string> Split(std::string_view pattern) {
        std::vector<std::string> segments;
        size_t pos = 0;
        while (pos < pattern.size()) {
            if (pattern[pos] == '/') {
                ++pos;
                continue;
            }
            const size_t end = std::min(pattern.find('/', pos), pattern.size());
            segments.emplace_back(pattern.substr(pos, end - pos));
            pos = end;
        }
        return segments;
    }

    static bool Matches(const Route& route, const std::string_view* parts, int count,
                        PathParams& params) {
        if (static_cast<int>(route.segments.size()) != count) return false;
        for (int i = 0; i < count; ++i) {
            const std::string& segment = route.segments[i];
            if (segment.size() > 2 && segment.front() == '{') {
                int64_t value = 0;
                if (!ParseId(parts[i], value) || params.size == PathParams::kMax) return false;
                params.values[params.size++] = value;
            } else if (segment != parts[i]) {
                return false;
            }
        }
        return true;
    }

    // Positive decimal ids only; anything else is simply not a match (404).
    static bool ParseId(std::string_view text, int64_t& out) {
        if (text.empty() || text.size() > 18) return false;
        out = 0;
        for (char c : text) {
            if (c < '0' || c > '9') return false;
            out = out * 10 + (c - '0');
        }
        return out > 0;
    }

    std::vector<Route> routes_;
};

}  // namespace herald::http
