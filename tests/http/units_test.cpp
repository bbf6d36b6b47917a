// Pieces of the HTTP layer that need no server: keys, the router, the JSON writer, query
// strings and the error mapping.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/api_keys.hpp"
#include "http/errors.hpp"
#include "http/json_writer.hpp"
#include "http/query.hpp"
#include "http/router.hpp"

namespace herald::http {
namespace {

TEST(ApiKeys, GeneratedKeysAreUrlSafeAndUnique) {
    const std::string a = GenerateApiKey();
    const std::string b = GenerateApiKey();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.substr(0, 3), "hk_");
    EXPECT_EQ(a.size(), 3u + 43u);
    for (char c : a.substr(3))
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << c;
}

TEST(ApiKeys, HashIsHexSha256) {
    EXPECT_EQ(HashApiKey("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(HashApiKey(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Router, MatchesParamsAndTrailingSlash) {
    Router<int> router;
    router.Add("GET", "/api/v1/sites/", 1);
    router.Add("GET", "/api/v1/sites/{id}/", 2);
    router.Add("PATCH", "/api/v1/sites/{id}/", 3);
    router.Add("GET", "/api/v1/sites/{id}/slots/", 4);
    auto m = router.Find("GET", "/api/v1/sites/42");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->handler, 2);
    EXPECT_EQ(m.params[0], 42);
    EXPECT_EQ(router.Find("GET", "/api/v1/sites").route->handler, 1);
    EXPECT_EQ(router.Find("GET", "/api/v1/sites/7/slots/").route->handler, 4);
    EXPECT_EQ(router.Find("GET", "/api/v1/sites/x/").route, nullptr);
    EXPECT_FALSE(router.Find("GET", "/api/v1/sites/x/").path_known);
    EXPECT_EQ(router.Find("GET", "/api/v1/sites/0/").route, nullptr);
    auto wrong = router.Find("DELETE", "/api/v1/sites/42/");
    EXPECT_EQ(wrong.route, nullptr);
    EXPECT_TRUE(wrong.path_known);
    EXPECT_EQ(wrong.allow, "GET, PATCH");
    EXPECT_EQ(router.Find("GET", "/a/b/c/d/e/f/g/h/i/j").route, nullptr);
}

TEST(JsonWriter, WritesValidEscapedJson) {
    std::string out;
    JsonWriter w(out);
    w.BeginObject();
    w.Key("s").String("quote\" back\\ nl\n ctl\x01 é");
    w.Key("n").Null().Key("i").Int(-5).Key("b").Bool(false);
    w.Key("a").BeginArray().Int(1).String("x").BeginObject().EndObject().EndArray();
    w.Key("e").OptString("");
    w.Key("t").Time(FromUnixMillis(1'768'910'400'250));
    w.EndObject();
    const auto parsed = nlohmann::json::parse(out);
    EXPECT_EQ(parsed["s"], "quote\" back\\ nl\n ctl\x01 é");
    EXPECT_TRUE(parsed["n"].is_null());
    EXPECT_EQ(parsed["i"], -5);
    EXPECT_EQ(parsed["a"].size(), 3u);
    EXPECT_TRUE(parsed["e"].is_null());
    EXPECT_EQ(parsed["t"], "2026-01-20T12:00:00.250Z");
}

TEST(Query, DecodesAndTypes) {
    QueryParams q("a=1&b=x%2By&c=2026-01-20T12:00:00+01:00&a=3&flag");
    EXPECT_EQ(*q.Get("a"), "3");
    EXPECT_EQ(*q.Get("b"), "x+y");
    EXPECT_EQ(*q.Get("flag"), "");
    EXPECT_EQ(q.Get("zzz"), nullptr);
    auto c = TimeParam(q, "c");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(FormatIso(**c), "2026-01-20T11:00:00Z");
    EXPECT_FALSE(IntParam(q, "b").ok());
    auto page = PageParams(QueryParams("page=2&page_size=9999"));
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->page, 2);
    EXPECT_EQ(page->page_size, kMaxPageSize);
}

TEST(Query, PageUrlReplacesPage) {
    Request request;
    request.host = "example.com:8080";
    request.path = "/api/v1/sites/";
    request.query = "page=3&site_id=4";
    EXPECT_EQ(PageUrl(request, 4), "http://example.com:8080/api/v1/sites/?site_id=4&page=4");
    request.query = "";
    EXPECT_EQ(PageUrl(request, 2), "http://example.com:8080/api/v1/sites/?page=2");
}

TEST(Errors, KindsMapToStatuses) {
    EXPECT_EQ(ToHttpStatus(ErrorKind::kBadRequest), 400);
    EXPECT_EQ(ToHttpStatus(ErrorKind::kNotFound), 404);
    EXPECT_EQ(ToHttpStatus(ErrorKind::kConflict), 409);
    EXPECT_EQ(ToHttpStatus(ErrorKind::kInvalid), 422);
    EXPECT_EQ(ToHttpStatus(ErrorKind::kUnavailable), 502);
    const Response r = ErrorResponse(Error::Invalid("bad", "It is \"bad\".", "name"));
    const auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(body, nlohmann::json::parse(
                        R"({"error":{"code":"bad","message":"It is \"bad\".","field":"name"}})"));
    EXPECT_TRUE(nlohmann::json::parse(ErrorResponse(404, "not_found", "x").body)["error"]["field"]
                    .is_null());
}

}  // namespace
}  // namespace herald::http

namespace herald::http {
namespace {

TEST(JsonWriter, TimeMatchesFormatIso) {
    for (int64_t ms : {int64_t{0}, int64_t{1'768'910'400'000}, int64_t{1'768'910'400'007},
                       int64_t{951'782'400'999}, int64_t{-86'400'000}, int64_t{253'402'300'799'000},
                       int64_t{4'107'542'399'500}}) {
        std::string out;
        JsonWriter(out).Time(FromUnixMillis(ms));
        EXPECT_EQ(out, "\"" + FormatIso(FromUnixMillis(ms)) + "\"") << ms;
    }
}

}  // namespace
}  // namespace herald::http
