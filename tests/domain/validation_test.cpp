// Parsing and validation of user-supplied values: every refusal names its field and code.
#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace herald::domain {
namespace {

void ExpectInvalid(const Status& s, const std::string& code, const std::string& field) {
    ASSERT_FALSE(s.ok()) << "expected " << code << " on " << field;
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(s.error().code, code);
    EXPECT_EQ(s.error().field, field);
    EXPECT_FALSE(s.error().message.empty());
}

// ---------------------------------------------------------------------------------------------
// Weekdays and time slots.

TEST(ParseWeekday, AllSevenInIsoOrder) {
    const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int i = 0; i < 7; ++i) {
        const auto r = ParseWeekday(names[i]);
        ASSERT_TRUE(r.ok()) << names[i];
        EXPECT_EQ(*r, i);
    }
}

class BadWeekdayTest : public testing::TestWithParam<const char*> {};

TEST_P(BadWeekdayTest, IsInvalidOnPublishDays) {
    const auto r = ParseWeekday(GetParam());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(r.error().code, "invalid_weekday");
    EXPECT_EQ(r.error().field, "publish_days");
}

INSTANTIATE_TEST_SUITE_P(Names, BadWeekdayTest,
                         testing::Values("Mon", "MON", "monday", "", "sun ", " sun", "7", "0", "mo",
                                         "fr1", "sunday"));

struct SlotCase {
    const char* text;
    int minutes;
};

void PrintTo(const SlotCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class GoodTimeSlotTest : public testing::TestWithParam<SlotCase> {};

TEST_P(GoodTimeSlotTest, ParsesAndFormatsBack) {
    const auto r = ParseTimeSlot(GetParam().text);
    ASSERT_TRUE(r.ok()) << GetParam().text;
    EXPECT_EQ(*r, GetParam().minutes);
    EXPECT_EQ(FormatTimeSlot(*r), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(Slots, GoodTimeSlotTest,
                         testing::Values(SlotCase{"00:00", 0}, SlotCase{"00:01", 1},
                                         SlotCase{"09:00", 540}, SlotCase{"09:05", 545},
                                         SlotCase{"12:30", 750}, SlotCase{"23:59", 1439}));

class BadTimeSlotTest : public testing::TestWithParam<const char*> {};

TEST_P(BadTimeSlotTest, IsInvalidOnPublishTimeSlots) {
    const auto r = ParseTimeSlot(GetParam());
    ASSERT_FALSE(r.ok()) << "accepted \"" << GetParam() << "\"";
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(r.error().code, "invalid_time_slot");
    EXPECT_EQ(r.error().field, "publish_time_slots");
}

INSTANTIATE_TEST_SUITE_P(Texts, BadTimeSlotTest,
                         testing::Values("25:00", "24:00", "9am", "9:00", "09:0", "09:60", "0900",
                                         "09-00", " 09:00", "09:00 ", "", "+9:00", "0a:00",
                                         "09:00:00", "-1:00", "９:00", "09:5a"));

TEST(FormatTimeSlot, RoundTripsEveryMinuteOfTheDay) {
    for (int m = 0; m < kMinutesPerDay; ++m) {
        const std::string text = FormatTimeSlot(m);
        const auto back = ParseTimeSlot(text);
        ASSERT_TRUE(back.ok()) << text;
        EXPECT_EQ(*back, m);
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing settings.

TEST(ValidateSettings, DefaultsAndEmptyListsAreValid) {
    EXPECT_TRUE(ValidateSettings(PublishingSettings{}).ok());
    PublishingSettings s;
    s.publish_days.clear();
    s.publish_time_slots.clear();
    s.daily_publish_limit = 0;
    s.weekly_publish_limit = 0;
    s.monthly_publish_limit = 0;
    EXPECT_TRUE(ValidateSettings(s).ok());
}

TEST(ValidateSettings, DuplicateDay) {
    PublishingSettings s;
    s.publish_days = {0, 2, 0};
    ExpectInvalid(ValidateSettings(s), "duplicate_weekday", "publish_days");
    EXPECT_NE(ValidateSettings(s).error().message.find("mon"), std::string::npos);
}

TEST(ValidateSettings, DayOutOfRange) {
    for (const int day : {-1, 7, 100}) {
        PublishingSettings s;
        s.publish_days = {1, day};
        ExpectInvalid(ValidateSettings(s), "invalid_weekday", "publish_days");
    }
}

TEST(ValidateSettings, DuplicateSlot) {
    PublishingSettings s;
    s.publish_time_slots = {540, 840, 540};
    ExpectInvalid(ValidateSettings(s), "duplicate_time_slot", "publish_time_slots");
    EXPECT_NE(ValidateSettings(s).error().message.find("09:00"), std::string::npos);
}

TEST(ValidateSettings, SlotOutOfRange) {
    for (const int slot : {-1, 1440, 5000}) {
        PublishingSettings s;
        s.publish_time_slots = {slot};
        ExpectInvalid(ValidateSettings(s), "invalid_time_slot", "publish_time_slots");
    }
}

TEST(ValidateSettings, NegativeLimitNamesItsField) {
    PublishingSettings s;
    s.daily_publish_limit = -1;
    ExpectInvalid(ValidateSettings(s), "invalid_limit", "daily_publish_limit");
    s = {};
    s.weekly_publish_limit = -3;
    ExpectInvalid(ValidateSettings(s), "invalid_limit", "weekly_publish_limit");
    s = {};
    s.monthly_publish_limit = -100;
    ExpectInvalid(ValidateSettings(s), "invalid_limit", "monthly_publish_limit");
}

// ---------------------------------------------------------------------------------------------
// Sites.

Site GoodSite() {
    Site site;
    site.name = "My blog";
    site.platform_type = Platform::kWordPress;
    site.domain = "https://blog.example.com";
    site.username = "editor";
    site.timezone = "Europe/Berlin";
    return site;
}

TEST(ValidateSite, GoodSiteIsValid) { EXPECT_TRUE(ValidateSite(GoodSite()).ok()); }

TEST(ValidateSite, EmptyDomainIsAllowed) {
    Site site = GoodSite();
    site.domain.clear();
    EXPECT_TRUE(ValidateSite(site).ok());
}

TEST(ValidateSite, NameRequiredAndBounded) {
    Site site = GoodSite();
    site.name = "";
    ExpectInvalid(ValidateSite(site), "required", "name");
    site.name = "  \t ";
    ExpectInvalid(ValidateSite(site), "required", "name");
    site.name = std::string(200, 'x');
    EXPECT_TRUE(ValidateSite(site).ok());
    site.name = std::string(201, 'x');
    ExpectInvalid(ValidateSite(site), "too_long", "name");
    // Characters, not bytes: 200 two-byte characters fit.
    site.name.clear();
    for (int i = 0; i < 200; ++i) site.name += "é";
    EXPECT_TRUE(ValidateSite(site).ok());
}

TEST(ValidateSite, TimezoneMustBeKnown) {
    Site site = GoodSite();
    site.timezone = "Mars/Olympus_Mons";
    ExpectInvalid(ValidateSite(site), "unknown_timezone", "timezone");
    site.timezone = "";
    ExpectInvalid(ValidateSite(site), "required", "timezone");
    site.timezone = "UTC";
    EXPECT_TRUE(ValidateSite(site).ok());
}

TEST(ValidateSite, UsernameBounded) {
    Site site = GoodSite();
    site.username = std::string(200, 'u');
    EXPECT_TRUE(ValidateSite(site).ok());
    site.username = std::string(201, 'u');
    ExpectInvalid(ValidateSite(site), "too_long", "username");
}

struct DomainCase {
    const char* url;
    bool valid;
};

void PrintTo(const DomainCase& c, std::ostream* os) { *os << '"' << c.url << '"'; }

class DomainTest : public testing::TestWithParam<DomainCase> {};

TEST_P(DomainTest, HttpUrlWithHost) {
    Site site = GoodSite();
    site.domain = GetParam().url;
    const Status s = ValidateSite(site);
    if (GetParam().valid) {
        EXPECT_TRUE(s.ok()) << GetParam().url << ": " << s.error().message;
    } else {
        ExpectInvalid(s, "invalid_url", "domain");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Urls, DomainTest,
    testing::Values(
        DomainCase{"https://blog.example.com", true}, DomainCase{"http://blog.example.com", true},
        DomainCase{"https://blog.example.com/", true},
        DomainCase{"https://example.com/hooks/herald?x=1", true},
        DomainCase{"http://127.0.0.1:8080", true}, DomainCase{"http://localhost:3000/wp", true},
        DomainCase{"http://[::1]:8080/hook", true}, DomainCase{"HTTPS://Example.COM", true},
        DomainCase{"https://user:pw@example.com", true}, DomainCase{"ftp://example.com", false},
        DomainCase{"example.com", false}, DomainCase{"https://", false},
        DomainCase{"https:///path", false}, DomainCase{"http://:8080", false},
        DomainCase{"http://example.com:port", false}, DomainCase{"http://example.com:", false},
        DomainCase{"https://exa mple.com", false}, DomainCase{"http://[::1", false},
        DomainCase{"javascript:alert(1)", false}, DomainCase{"//example.com", false}));

TEST(ValidateSite, OverlongDomain) {
    Site site = GoodSite();
    site.domain = "https://example.com/" + std::string(3000, 'a');
    ExpectInvalid(ValidateSite(site), "too_long", "domain");
}

// ---------------------------------------------------------------------------------------------
// Content.

Content GoodContent() {
    Content c;
    c.site_id = 7;
    c.title = "Hello";
    c.content_html = "<p>Hi</p>";
    return c;
}

TEST(ValidateContent, GoodContentIsValid) { EXPECT_TRUE(ValidateContent(GoodContent()).ok()); }

TEST(ValidateContent, BodyRequired) {
    for (const char* blank : {"", " ", "\n\t  "}) {
        Content c = GoodContent();
        c.content_html = blank;
        ExpectInvalid(ValidateContent(c), "required", "content_html");
    }
}

TEST(ValidateContent, SiteRequired) {
    Content c = GoodContent();
    c.site_id = 0;
    ExpectInvalid(ValidateContent(c), "required", "site_id");
}

TEST(ValidateContent, TitleRequiredAndBounded) {
    Content c = GoodContent();
    c.title = "";
    ExpectInvalid(ValidateContent(c), "required", "title");
    c.title = "\n ";
    ExpectInvalid(ValidateContent(c), "required", "title");
    c.title = std::string(1000, 't');
    EXPECT_TRUE(ValidateContent(c).ok());
    c.title = std::string(1001, 't');
    ExpectInvalid(ValidateContent(c), "too_long", "title");
}

TEST(ValidateContent, HtmlAtMostTenMegabytes) {
    Content c = GoodContent();
    c.content_html = std::string(kMaxContentHtmlBytes, 'x');
    EXPECT_TRUE(ValidateContent(c).ok());
    c.content_html.push_back('x');
    ExpectInvalid(ValidateContent(c), "too_long", "content_html");
}

TEST(ValidateContent, ContentTypeRequired) {
    Content c = GoodContent();
    c.content_type = "";
    ExpectInvalid(ValidateContent(c), "required", "content_type");
    c.content_type = "page";
    EXPECT_TRUE(ValidateContent(c).ok());
}

struct SlugCase {
    const char* slug;
    bool valid;
};

void PrintTo(const SlugCase& c, std::ostream* os) { *os << '"' << c.slug << '"'; }

class SlugTest : public testing::TestWithParam<SlugCase> {};

TEST_P(SlugTest, LowercaseDigitsDashUnderscore) {
    Content c = GoodContent();
    c.slug = GetParam().slug;
    const Status s = ValidateContent(c);
    if (GetParam().valid) {
        EXPECT_TRUE(s.ok()) << GetParam().slug;
    } else {
        ExpectInvalid(s, "invalid_slug", "slug");
    }
}

INSTANTIATE_TEST_SUITE_P(Slugs, SlugTest,
                         testing::Values(SlugCase{"", true}, SlugCase{"hello-world", true},
                                         SlugCase{"my_post_2", true}, SlugCase{"2026", true},
                                         SlugCase{"-", true}, SlugCase{"Hello", false},
                                         SlugCase{"hello world", false}, SlugCase{"héllo", false},
                                         SlugCase{"a/b", false}, SlugCase{"a.b", false}));

TEST(ValidateContent, SlugBounded) {
    Content c = GoodContent();
    c.slug = std::string(200, 's');
    EXPECT_TRUE(ValidateContent(c).ok());
    c.slug = std::string(201, 's');
    ExpectInvalid(ValidateContent(c), "too_long", "slug");
}

TEST(ValidateContent, CategoriesAndTagsNonEmptyAndBounded) {
    Content c = GoodContent();
    c.categories = {"News", "Tech"};
    c.tags = {"c++"};
    EXPECT_TRUE(ValidateContent(c).ok());
    c.categories = {"News", ""};
    ExpectInvalid(ValidateContent(c), "required", "categories");
    c.categories = {};
    c.tags = {std::string(201, 'x')};
    ExpectInvalid(ValidateContent(c), "too_long", "tags");
    c.tags = std::vector<std::string>(kMaxTerms + 1, "x");
    ExpectInvalid(ValidateContent(c), "too_many", "tags");
}

TEST(ValidateContent, OtherSizeLimits) {
    Content c = GoodContent();
    c.excerpt = std::string(kMaxExcerptBytes + 1, 'e');
    ExpectInvalid(ValidateContent(c), "too_long", "excerpt");
    c = GoodContent();
    c.featured_image_url = "https://img.example.com/" + std::string(kMaxUrlBytes, 'i');
    ExpectInvalid(ValidateContent(c), "too_long", "featured_image_url");
}

}  // namespace
}  // namespace herald::domain
