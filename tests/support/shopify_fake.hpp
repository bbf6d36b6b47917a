#pragma once
// A loopback stand-in for the Shopify Admin REST API (2024-10) blog endpoints, following
// its documentation: access-token check, the leaky-bucket call limit header and 429s,
// per-blog handle uniqueness and Shopify's error bodies. See tests/testdata/shopify/.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::testing {

class ShopifyFake {
public:
    struct Article {
        int64_t id = 0;
        int64_t blog_id = 0;
        std::string title;
        std::string body_html;
        std::string summary_html;
        std::string handle;
        std::string tags;
        std::string image_src;
        bool published = true;
        std::string published_at;
    };
    struct Exchange {
        std::string method;
        std::string target;
        std::string request_body;
        int status = 0;
        std::string response_body;
    };

    /// A shop with one blog ("News", handle "news") and the given access token.
    explicit ShopifyFake(std::string token = "shpat_0123456789abcdef0123456789abcdef");
    ~ShopifyFake();
    ShopifyFake(const ShopifyFake&) = delete;
    ShopifyFake& operator=(const ShopifyFake&) = delete;

    /// "http://127.0.0.1:PORT", the shop's domain for herald.
    std::string Url() const;
    const std::string& token() const;

    /// Adds a blog and returns its id.
    int64_t AddBlog(const std::string& title, const std::string& handle);
    int64_t FirstBlogId() const;
    /// Stores an article directly (as if made in the Shopify admin).
    int64_t AddArticle(Article article);
    std::vector<Article> Articles() const;

    /// The scopes access_scopes.json reports (default read_content, write_content).
    void SetScopes(std::vector<std::string> scopes);
    /// Fills the call bucket to `used` calls (of 40); it drains 2 calls per second.
    void FillBucket(double used);
    /// The next `count` calls answer 429 with this Retry-After (as Shopify does when a
    /// bucket overflows).
    void ThrottleNext(int count, std::string retry_after = "2.0");

    std::vector<Exchange> Exchanges() const;
    size_t RequestCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::testing
