// `serve --demo`: a demo account and site, and the built-in receiver the site publishes to,
// so a newcomer watches posts go from approved to published without any real platform.

#include <algorithm>
#include <chrono>

#include <date/date.h>
#include <fmt/format.h>

#include "dispatch/slot_scheduler.hpp"
#include "domain/slots.hpp"
#include "http/api_keys.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_reader.hpp"

namespace herald::http {
namespace {

std::string EscapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

struct DemoItem {
    const char* title;
    const char* html;
    domain::EditorialStatus status;
};

constexpr const char* kDemoAccount = "demo";
constexpr const char* kDemoSite = "Demo blog";

constexpr DemoItem kDemoItems[] = {
    {"Welcome to herald", "<p>This post was approved and placed in the next free slot.</p>",
     domain::EditorialStatus::kApproved},
    {"How slots work", "<p>Publishing days and times come from the site's settings.</p>",
     domain::EditorialStatus::kApproved},
    {"Limits keep a steady cadence", "<p>Daily, weekly and monthly limits are optional.</p>",
     domain::EditorialStatus::kApproved},
    {"Drag to reschedule", "<p>Drag an item in the week view to move it.</p>",
     domain::EditorialStatus::kApproved},
    {"Retry what failed", "<p>A failed item shows its error and can be retried.</p>",
     domain::EditorialStatus::kApproved},
    {"Waiting for review", "<p>Approve me in the queue.</p>", domain::EditorialStatus::kReview},
    {"A draft", "<p>Still being written.</p>", domain::EditorialStatus::kDraft},
};

}  // namespace

// Accepts what the custom platform sends (API.md §6) and answers {"id", "url"}. It does not
// check the Standard Webhooks signature: it only ever serves the demo site of this process.
Response DemoReceive(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    const nlohmann::json& doc = *body;
    const nlohmann::json content = doc.value("content", nlohmann::json::object());
    if (!content.is_object()) {
        return ErrorResponse(400, "invalid_type", "'content' must be an object.", "content");
    }
    int64_t id = 0;
    if (doc.contains("external_id") && doc["external_id"].is_string()) {
        try {
            id = std::stoll(doc["external_id"].get<std::string>());
        } catch (const std::exception&) {
            id = 0;
        }
    }
    ApiEnv::DemoPost post;
    if (content.contains("title") && content["title"].is_string())
        post.title = content["title"].get<std::string>();
    if (content.contains("content_html") && content["content_html"].is_string())
        post.html = content["content_html"].get<std::string>();
    id = call.env.StoreDemoPost(id, std::move(post));
    const std::string host =
        call.request.host.empty() ? "127.0.0.1" : std::string(call.request.host);
    return JsonResponse(200, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("id").String(std::to_string(id));
        w.Key("url").String(fmt::format("http://{}/demo/posts/{}/", host, id));
        w.EndObject();
    });
}

Response ShowDemoPost(Call& call) {
    const auto post = call.env.FindDemoPost(call.params[0]);
    if (!post) return NotFoundResponse("The demo post");
    Response response;
    response.content_type = "text/html; charset=utf-8";
    response.cache_control = "no-cache";
    // The HTML is shown as text: this page shares the UI's origin, so nothing a client
    // posted to the receiver may run here.
    response.body = fmt::format(
        "<!doctype html><meta charset=\"utf-8\"><meta name=\"viewport\" "
        "content=\"width=device-width\"><title>{0}</title><body style=\"font:16px/1.5 "
        "system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem\">"
        "<p><small>herald demo receiver · post {1}</small></p><h1>{0}</h1>"
        "<pre style=\"white-space:pre-wrap\">{2}</pre><p><a href=\"/\">Back to the "
        "calendar</a></p>",
        EscapeHtml(post->title), call.params[0], EscapeHtml(post->html));
    return response;
}

std::optional<std::string> DemoRefusal(storage::Store& store) {
    std::string others;
    for (const auto& account : store.ListAccounts()) {
        if (account.name == kDemoAccount) continue;
        others += (others.empty() ? "'" : ", '") + account.name + "'";
    }
    if (others.empty()) return std::nullopt;
    return "--demo seeds a database of its own, and this one holds other accounts (" + others +
           "): pass a new file, e.g. --db sqlite:demo.db";
}

namespace {

// Every day, at each of the next five minutes (so something publishes right away) and at
// the usual three times.
domain::PublishingSettings DemoSettings(TimePoint now) {
    domain::PublishingSettings settings;
    settings.auto_publish_enabled = true;
    settings.publish_days = {0, 1, 2, 3, 4, 5, 6};
    const auto since_midnight =
        std::chrono::floor<std::chrono::minutes>(now - std::chrono::floor<date::days>(now));
    const int minute = static_cast<int>(since_midnight.count());
    settings.publish_time_slots.clear();
    for (int i = 1; i <= 5; ++i) settings.publish_time_slots.push_back((minute + i) % (24 * 60));
    for (const int usual : {9 * 60, 14 * 60, 18 * 60}) {
        if (std::find(settings.publish_time_slots.begin(), settings.publish_time_slots.end(),
                      usual) == settings.publish_time_slots.end()) {
            settings.publish_time_slots.push_back(usual);
        }
    }
    std::sort(settings.publish_time_slots.begin(), settings.publish_time_slots.end());
    settings.updated_at = now;
    return settings;
}

/// A later --demo on the same database: the demo site publishes to this process's receiver
/// (the port may differ) and gets a new key; nothing else is added.
std::string ReuseDemo(storage::Store& store, domain::AccountId account, TimePoint now,
                      const std::string& receiver) {
    for (int page = 1;; ++page) {
        const auto sites = store.ListSites(account, {page, 500});
        for (domain::Site site : sites.items) {
            if (site.name != kDemoSite || site.platform_type != domain::Platform::kCustom) continue;
            if (site.domain != receiver) {
                const int64_t version = site.version;
                site.domain = receiver;
                site.updated_at = now;
                // A concurrent edit wins; the demo then publishes wherever it points.
                (void)store.UpdateSite(site, version);
            }
        }
        if (sites.items.size() < 500) break;
    }
    std::string key = GenerateApiKey();  // not const: returned by move
    store.CreateApiKey(account, "demo", ApiKeyPrefix(key), HashApiKey(key), now);
    return key;
}

}  // namespace

std::string SeedDemo(storage::Store& store, TimePoint now, const std::string& base_url) {
    const std::string receiver = base_url + "/demo/receiver";
    if (const auto existing = store.FindAccountsByName(kDemoAccount); !existing.empty())
        return ReuseDemo(store, existing.front().id, now, receiver);
    std::string key = GenerateApiKey();  // not const: returned by move
    domain::AccountId account = 0;
    try {
        account = store.CreateAccount(kDemoAccount, HashApiKey(key), now, ApiKeyPrefix(key));
    } catch (const storage::AccountNameTaken&) {
        // Another --demo process made it meanwhile: use theirs.
        return ReuseDemo(store, store.FindAccountsByName(kDemoAccount).front().id, now, receiver);
    }

    domain::Site site;
    site.account_id = account;
    site.name = kDemoSite;
    site.platform_type = domain::Platform::kCustom;
    site.domain = receiver;
    site.api_key = "whsec_aGVyYWxkLWRlbW8tc2VjcmV0";  // base64("herald-demo-secret")
    site.timezone = "UTC";
    site.created_at = site.updated_at = now;
    domain::PublishingSettings settings = DemoSettings(now);
    site = store.CreateSite(site, settings);
    settings.site_id = site.id;

    for (const DemoItem& item : kDemoItems) {
        domain::Content c;
        c.account_id = account;
        c.site_id = site.id;
        c.title = item.title;
        c.content_html = item.html;
        c.status = item.status;
        if (item.status == domain::EditorialStatus::kApproved) c.approved_at = now;
        c.site_status_updated_at = c.created_at = c.updated_at = now;
        store.CreateContent(c);
    }
    // Place the approved posts at once instead of waiting for the scheduler's next run.
    dispatch::ScheduleSites(store, {site.id}, now, /*dry_run=*/false,
                            /*require_auto_publish=*/false);
    return key;
}

}  // namespace herald::http
