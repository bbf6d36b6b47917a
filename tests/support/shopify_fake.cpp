#include "support/shopify_fake.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;

constexpr int kBucketSize = 40;  // standard plans
constexpr double kLeakPerSecond = 2.0;
constexpr const char* kPrefix = "/admin/api/2024-10/";

std::string Handleize(const std::string& text) {
    std::string out;
    bool dash = false;
    for (unsigned char c : text) {
        if (std::isalnum(c)) {
            if (dash && !out.empty()) out += '-';
            out += static_cast<char>(std::tolower(c));
            dash = false;
        } else {
            dash = true;
        }
    }
    return out;
}

std::map<std::string, std::string> QueryOf(const std::string& target) {
    std::map<std::string, std::string> q;
    const auto mark = target.find('?');
    if (mark == std::string::npos) return q;
    std::string rest = target.substr(mark + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
        size_t amp = rest.find('&', pos);
        if (amp == std::string::npos) amp = rest.size();
        const std::string pair = rest.substr(pos, amp - pos);
        const auto eq = pair.find('=');
        std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
        std::string decoded;
        for (size_t i = 0; i < value.size(); ++i) {
            if (value[i] == '%' && i + 2 < value.size()) {
                decoded += static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16));
                i += 2;
            } else {
                decoded += value[i] == '+' ? ' ' : value[i];
            }
        }
        q[pair.substr(0, eq)] = decoded;
        pos = amp + 1;
    }
    return q;
}

}  // namespace

struct ShopifyFake::Impl {
    std::string token;

    mutable std::mutex mu;
    struct Blog {
        int64_t id;
        std::string title;
        std::string handle;
    };
    std::vector<Blog> blogs;
    std::vector<Article> articles;
    std::vector<std::string> scopes = {"read_content", "write_content"};
    int64_t next_id = 9001;
    double bucket = 0;
    std::chrono::steady_clock::time_point bucket_at = std::chrono::steady_clock::now();
    int throttle = 0;
    std::string throttle_retry_after;
    std::vector<Exchange> exchanges;
    // Last, so it (and its connection threads) goes first on destruction.
    WebhookReceiver server{"unused"};

    json ArticleJson(const Article& a) const {
        json j = {
            {"id", a.id},
            {"blog_id", a.blog_id},
            {"title", a.title},
            {"body_html", a.body_html},
            {"summary_html", a.summary_html.empty() ? json(nullptr) : json(a.summary_html)},
            {"handle", a.handle},
            {"tags", a.tags},
            {"author", "Herald Test"},
            {"user_id", nullptr},
            {"template_suffix", nullptr},
            {"created_at", "2024-10-01T12:00:00-04:00"},
            {"updated_at", "2024-10-01T12:00:00-04:00"},
            {"published_at", a.published ? json(a.published_at) : json(nullptr)},
            {"admin_graphql_api_id", "gid://shopify/OnlineStoreArticle/" + std::to_string(a.id)}};
        if (!a.image_src.empty())
            j["image"] = {{"src", a.image_src},
                          {"alt", a.title},
                          {"width", 2},
                          {"height", 2},
                          {"created_at", "2024-10-01T12:00:00-04:00"}};
        return j;
    }

    static ReceiverReply Reply(int status, const json& body) {
        ReceiverReply r;
        r.status = status;
        r.body = body.dump();
        return r;
    }

    static ReceiverReply NotFound() { return Reply(404, json{{"errors", "Not Found"}}); }

    const Blog* FindBlog(int64_t id) const {
        for (const auto& b : blogs)
            if (b.id == id) return &b;
        return nullptr;
    }

    /// Applies an "article" object to `a`; returns Shopify's 422 errors, if any.
    json Apply(const json& in, Article& a, bool creating) {
        json errors = json::object();
        if (in.contains("title"))
            a.title = in["title"].is_string() ? in["title"].get<std::string>() : "";
        if (in.contains("body_html") && in["body_html"].is_string()) a.body_html = in["body_html"];
        if (in.contains("summary_html"))
            a.summary_html =
                in["summary_html"].is_string() ? in["summary_html"].get<std::string>() : "";
        if (in.contains("tags") && in["tags"].is_string()) a.tags = in["tags"];
        if (in.contains("image") && in["image"].is_object() && in["image"].contains("src"))
            a.image_src = "https://cdn.shopify.com/s/files/1/0001/articles/" +
                          Handleize(in["image"]["src"].get<std::string>()) + ".png";
        if (in.contains("published") && in["published"].is_boolean()) a.published = in["published"];
        if (in.contains("published_at") && in["published_at"].is_string())
            a.published_at = in["published_at"];
        else if (creating && a.published)
            a.published_at = "2024-10-01T12:00:00-04:00";
        if (a.title.empty()) errors["title"] = json::array({"can't be blank"});
        std::string handle = in.contains("handle") && in["handle"].is_string()
                                 ? Handleize(in["handle"].get<std::string>())
                                 : (creating ? Handleize(a.title) : a.handle);
        for (const auto& other : articles)
            if (other.blog_id == a.blog_id && other.id != a.id && other.handle == handle)
                errors["handle"] = json::array({"has already been taken"});
        a.handle = handle;
        return errors;
    }

    ReceiverReply Handle(const ReceivedRequest& req) {
        // The leaky bucket: every call takes one slot; a full bucket answers 429.
        const auto now = std::chrono::steady_clock::now();
        bucket = std::max(
            0.0, bucket - std::chrono::duration<double>(now - bucket_at).count() * kLeakPerSecond);
        bucket_at = now;
        ReceiverReply reply = Route(req, now);
        reply.headers.emplace_back(
            "X-Shopify-Shop-Api-Call-Limit",
            std::to_string(static_cast<int>(bucket)) + "/" + std::to_string(kBucketSize));
        reply.headers.emplace_back("X-Request-Id", "fake-" + std::to_string(exchanges.size() + 1));
        exchanges.push_back(Exchange{req.method, req.target, req.body, reply.status, *reply.body});
        return reply;
    }

    ReceiverReply Route(const ReceivedRequest& req, std::chrono::steady_clock::time_point) {
        if (req.Header("x-shopify-access-token").value_or("") != token)
            return Reply(401, json{{"errors",
                                    "[API] Invalid API key or access token "
                                    "(unrecognized login or wrong password)"}});
        if (throttle > 0 || bucket + 1 > kBucketSize) {
            if (throttle > 0) --throttle;
            ReceiverReply r = Reply(429, json{{"errors",
                                               "Exceeded 2 calls per second for api "
                                               "client. Reduce request rates to resume "
                                               "uninterrupted service."}});
            r.retry_after = throttle_retry_after.empty() ? "2.0" : throttle_retry_after;
            return r;
        }
        bucket += 1;

        std::string path = req.target.substr(0, req.target.find('?'));
        const auto query = QueryOf(req.target);
        if (path == "/admin/oauth/access_scopes.json" && req.method == "GET") {
            json list = json::array();
            for (const auto& s : scopes) list.push_back(json{{"handle", s}});
            return Reply(200, json{{"access_scopes", list}});
        }
        if (!path.starts_with(kPrefix)) return NotFound();
        path = path.substr(std::string(kPrefix).size());
        const bool writes = req.method == "POST" || req.method == "PUT" || req.method == "DELETE";
        if (writes && std::find(scopes.begin(), scopes.end(), "write_content") == scopes.end())
            return Reply(403, json{{"errors",
                                    "[API] This action requires merchant approval for "
                                    "write_content scope."}});

        if (path == "shop.json" && req.method == "GET")
            return Reply(200, json{{"shop",
                                    {{"id", 548380009},
                                     {"name", "Herald Test Shop"},
                                     {"domain", "herald-test.myshopify.com"},
                                     {"myshopify_domain", "herald-test.myshopify.com"}}}});
        if (path == "blogs.json" && req.method == "GET") {
            json list = json::array();
            size_t limit = query.count("limit") ? std::stoul(query.at("limit")) : 50;
            for (const auto& b : blogs) {
                if (list.size() >= limit) break;
                list.push_back(json{{"id", b.id},
                                    {"title", b.title},
                                    {"handle", b.handle},
                                    {"commentable", "no"},
                                    {"tags", ""}});
            }
            return Reply(200, json{{"blogs", list}});
        }
        int64_t blog_id = 0;
        char rest[64] = {0};
        if (std::sscanf(path.c_str(), "blogs/%ld%63s", &blog_id, rest) < 1) return NotFound();
        const Blog* blog = FindBlog(blog_id);
        if (!blog) return NotFound();
        const std::string tail = rest;
        if (tail == ".json" && req.method == "GET")
            return Reply(
                200, json{{"blog",
                           {{"id", blog->id}, {"title", blog->title}, {"handle", blog->handle}}}});
        if (tail == "/articles.json" && req.method == "GET") {
            json list = json::array();
            for (const auto& a : articles) {
                if (a.blog_id != blog_id) continue;
                if (query.count("handle") && query.at("handle") != a.handle) continue;
                const std::string status =
                    query.count("published_status") ? query.at("published_status") : "any";
                if (status == "published" && !a.published) continue;
                if (status == "unpublished" && a.published) continue;
                list.push_back(ArticleJson(a));
            }
            return Reply(200, json{{"articles", list}});
        }
        const json body = json::parse(req.body, nullptr, false);
        const bool has_article =
            body.is_object() && body.contains("article") && body["article"].is_object();
        if (tail == "/articles.json" && req.method == "POST") {
            if (!has_article)
                return Reply(
                    400, json{{"errors", {{"article", "Required parameter missing or invalid"}}}});
            Article a;
            a.blog_id = blog_id;
            json errors = Apply(body["article"], a, true);
            if (!errors.empty()) return Reply(422, json{{"errors", errors}});
            a.id = next_id++;
            articles.push_back(a);
            return Reply(201, json{{"article", ArticleJson(a)}});
        }
        int64_t article_id = 0;
        if (std::sscanf(tail.c_str(), "/articles/%ld.json", &article_id) == 1) {
            auto it = std::find_if(articles.begin(), articles.end(), [&](const Article& a) {
                return a.id == article_id && a.blog_id == blog_id;
            });
            if (it == articles.end()) return NotFound();
            if (req.method == "GET") return Reply(200, json{{"article", ArticleJson(*it)}});
            if (req.method == "PUT") {
                if (!has_article)
                    return Reply(
                        400,
                        json{{"errors", {{"article", "Required parameter missing or invalid"}}}});
                Article updated = *it;
                json errors = Apply(body["article"], updated, false);
                if (!errors.empty()) return Reply(422, json{{"errors", errors}});
                *it = updated;
                return Reply(200, json{{"article", ArticleJson(*it)}});
            }
            if (req.method == "DELETE") {
                articles.erase(it);
                return Reply(200, json::object());
            }
        }
        return NotFound();
    }
};

ShopifyFake::ShopifyFake(std::string token) : impl_(std::make_unique<Impl>()) {
    impl_->token = std::move(token);
    impl_->blogs.push_back(Impl::Blog{241253187, "News", "news"});
    impl_->server.SetHandler(
        [impl = impl_.get()](const ReceivedRequest& req) -> std::optional<ReceiverReply> {
            std::lock_guard lock(impl->mu);
            return impl->Handle(req);
        });
}

ShopifyFake::~ShopifyFake() = default;

std::string ShopifyFake::Url() const { return impl_->server.Url(""); }
const std::string& ShopifyFake::token() const { return impl_->token; }

int64_t ShopifyFake::AddBlog(const std::string& title, const std::string& handle) {
    std::lock_guard lock(impl_->mu);
    const int64_t id = impl_->next_id++;
    impl_->blogs.push_back(Impl::Blog{id, title, handle});
    return id;
}

int64_t ShopifyFake::FirstBlogId() const {
    std::lock_guard lock(impl_->mu);
    return impl_->blogs.front().id;
}

int64_t ShopifyFake::AddArticle(Article article) {
    std::lock_guard lock(impl_->mu);
    article.id = impl_->next_id++;
    impl_->articles.push_back(article);
    return article.id;
}

std::vector<ShopifyFake::Article> ShopifyFake::Articles() const {
    std::lock_guard lock(impl_->mu);
    return impl_->articles;
}

void ShopifyFake::SetScopes(std::vector<std::string> scopes) {
    std::lock_guard lock(impl_->mu);
    impl_->scopes = std::move(scopes);
}

void ShopifyFake::FillBucket(double used) {
    std::lock_guard lock(impl_->mu);
    impl_->bucket = used;
    impl_->bucket_at = std::chrono::steady_clock::now();
}

void ShopifyFake::ThrottleNext(int count, std::string retry_after) {
    std::lock_guard lock(impl_->mu);
    impl_->throttle = count;
    impl_->throttle_retry_after = std::move(retry_after);
}

std::vector<ShopifyFake::Exchange> ShopifyFake::Exchanges() const {
    std::lock_guard lock(impl_->mu);
    return impl_->exchanges;
}

size_t ShopifyFake::RequestCount() const {
    std::lock_guard lock(impl_->mu);
    return impl_->exchanges.size();
}

}  // namespace herald::testing
