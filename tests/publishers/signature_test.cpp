#include "publishers/webhook/signature.hpp"

#include <gtest/gtest.h>

#include "support/webhook_receiver.hpp"

namespace herald::publishers::webhook {
namespace {

// The example of the Standard Webhooks specification.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr std::string_view kPayload = R"({"test": 2432232314})";
constexpr std::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignatureTest, MatchesTheStandardWebhooksTestVector) {
    const auto key = SigningKey(kSecret);
    ASSERT_TRUE(key);
    EXPECT_EQ(Sign(*key, kMsgId, kTimestamp, kPayload), kSignature);
}

TEST(SignatureTest, WhsecKeyIsTheDecodedRest) {
    const auto key = SigningKey(kSecret);
    ASSERT_TRUE(key);
    EXPECT_EQ(*key, *Base64Decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    EXPECT_EQ(key->size(), 24u);
}

TEST(SignatureTest, PlainKeyIsUsedAsBytes) {
    EXPECT_EQ(SigningKey("plain-secret"), std::string("plain-secret"));
    // A different key gives a different signature for the same message.
    EXPECT_NE(Sign("plain-secret", kMsgId, kTimestamp, kPayload), kSignature);
}

TEST(SignatureTest, InvalidWhsecKeyIsRefused) {
    EXPECT_FALSE(SigningKey("whsec_***not base64***"));
}

TEST(SignatureTest, Base64RoundTrip) {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        const std::string encoded = Base64Encode(s);
        EXPECT_EQ(encoded.size() % 4, 0u);
        EXPECT_EQ(Base64Decode(encoded), s);
    }
    EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
    EXPECT_EQ(Base64Decode("aGVsbG8"), std::string("hello"));  // unpadded accepted
    EXPECT_FALSE(Base64Decode("a$b="));
}

// The receiver's independent verifier agrees with the signer (checked on fresh timestamps,
// since it refuses messages older than five minutes).
TEST(SignatureTest, ReceiverVerifierAcceptsOurSignatures) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string body = R"({"type":"content.publish"})";
    const std::string sig = Sign(*SigningKey(kSecret), "msg_1", now, body);
    using testing::WebhookReceiver;
    EXPECT_TRUE(WebhookReceiver::VerifySignature(kSecret, "msg_1", std::to_string(now), body, sig));
    EXPECT_TRUE(WebhookReceiver::VerifySignature(kSecret, "msg_1", std::to_string(now), body,
                                                 "v1,bogus " + sig));
    EXPECT_FALSE(
        WebhookReceiver::VerifySignature(kSecret, "msg_2", std::to_string(now), body, sig));
    EXPECT_FALSE(
        WebhookReceiver::VerifySignature(kSecret, "msg_1", std::to_string(now), body + " ", sig));
    EXPECT_FALSE(
        WebhookReceiver::VerifySignature(kSecret, "msg_1", std::to_string(now - 3600), body,
                                         Sign(*SigningKey(kSecret), "msg_1", now - 3600, body)));
}

}  // namespace
}  // namespace herald::publishers::webhook
