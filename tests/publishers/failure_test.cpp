#include "publishers/failure.hpp"

#include <gtest/gtest.h>

namespace herald::publishers {
namespace {

const TimePoint kNow = *ParseIso("2015-10-21T07:27:00Z");

TEST(RetryAfterTest, Seconds) {
    EXPECT_EQ(ParseRetryAfter("120", kNow), Milliseconds{120000});
    EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), Milliseconds{0});
    EXPECT_FALSE(ParseRetryAfter("-5", kNow));
    EXPECT_FALSE(ParseRetryAfter("soon", kNow));
    EXPECT_FALSE(ParseRetryAfter("", kNow));
}

TEST(RetryAfterTest, HttpDate) {
    EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", kNow), Milliseconds{60000});
    EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", kNow), Milliseconds{0});
}

HttpResponse Status(int status, std::string body = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

TEST(FailureTest, ClassifiesAndWords) {
    auto r = FailureFromResponse(Status(401), "the endpoint", kNow);
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);  // the site pauses
    EXPECT_EQ(r.error,
              "the endpoint refused herald's credentials (HTTP 401): check the site's API key");
    EXPECT_EQ(r.http_status, 401);

    r = FailureFromResponse(Status(404), "the endpoint", kNow);
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(r.error.find("not found"), std::string::npos);

    r = FailureFromResponse(Status(422, R"({"message":"title is required"})"), "the endpoint",
                            kNow);
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(r.error.find("title is required"), std::string::npos);

    for (int s : {408, 425, 429, 500, 502, 503}) {
        r = FailureFromResponse(Status(s), "the endpoint", kNow);
        EXPECT_EQ(r.outcome, PublishOutcome::kTransient) << s;
    }

    auto redirect = Status(301);
    redirect.headers = {{"location", "https://elsewhere/"}};
    r = FailureFromResponse(redirect, "the endpoint", kNow);
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(r.error.find("https://elsewhere/"), std::string::npos);

    HttpResponse refused;
    refused.transport_error = "connection refused";
    r = FailureFromResponse(refused, "the endpoint", kNow);
    EXPECT_EQ(r.outcome, PublishOutcome::kTransient);
    EXPECT_EQ(r.error, "could not reach the endpoint: connection refused");
    EXPECT_FALSE(r.http_status);
}

TEST(FailureTest, RetryAfterOnlyOnTransient) {
    auto busy = Status(503);
    busy.headers = {{"retry-after", "7"}};
    EXPECT_EQ(FailureFromResponse(busy, "x", kNow).retry_after, Milliseconds{7000});
    auto bad = Status(400);
    bad.headers = {{"retry-after", "7"}};
    EXPECT_FALSE(FailureFromResponse(bad, "x", kNow).retry_after);
}

TEST(FailureTest, BodyExcerpt) {
    EXPECT_EQ(BodyExcerpt(R"({"error":{"message":"bad slug"}})"), "bad slug");
    EXPECT_EQ(BodyExcerpt("line1\nline2"), "line1 line2");
    EXPECT_EQ(BodyExcerpt(std::string(300, 'x'), 10), std::string(10, 'x') + "…");
}

}  // namespace
}  // namespace herald::publishers
