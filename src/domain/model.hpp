#pragma once
// The nouns of herald: accounts, sites, publishing settings, content and publishing
// records. Plain data, no I/O; the rules that move them live beside this file.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "domain/site_health.hpp"

namespace herald::domain {

using AccountId = int64_t;
using SiteId = int64_t;
using ContentId = int64_t;
using RecordId = int64_t;

enum class Platform { kWordPress, kShopify, kGhost, kCustom };

/// Editorial workflow.
enum class EditorialStatus { kDraft, kReview, kApproved };

/// External publishing state.
enum class SiteStatus { kNotPublished, kScheduled, kPublishing, kPublished, kFailed };

/// Outcome of one publishing attempt, as stored in its record.
enum class AttemptOutcome { kPublished, kFailed, kRetry };

std::string_view ToString(Platform p);
std::string_view ToString(EditorialStatus s);
std::string_view ToString(SiteStatus s);
std::string_view ToString(AttemptOutcome o);
std::optional<Platform> ParsePlatform(std::string_view s);
std::optional<EditorialStatus> ParseEditorialStatus(std::string_view s);
std::optional<SiteStatus> ParseSiteStatus(std::string_view s);
std::optional<AttemptOutcome> ParseAttemptOutcome(std::string_view s);

struct Account {
    AccountId id = 0;
    std::string name;
    TimePoint created_at{};
};

struct Site {
    SiteId id = 0;
    AccountId account_id = 0;
    std::string name;
    Platform platform_type = Platform::kCustom;
    std::string domain;
    std::string api_key;  // write-only through the API; never logged
    std::string username;
    std::string timezone = "UTC";
    bool is_active = true;
    std::string options_json = "{}";  // per-platform options (e.g. Shopify blog id), a JSON object
    int64_t version = 1;              // grows with every change of the site or its settings
    TimePoint created_at{};
    TimePoint updated_at{};
    SiteHealthState health;  // read-only for the API: written by settles and resumes
};

/// Day of week, Monday = 0 … Sunday = 6 (ISO order).
using WeekdayIndex = int;
inline constexpr std::array<std::string_view, 7> kWeekdayNames = {"mon", "tue", "wed", "thu",
                                                                  "fri", "sat", "sun"};

/// What the dispatcher does with an item it first reaches well after its time (API.md §9).
enum class MissedSlotPolicy { kPublishLate, kNextFreeSlot, kHold };

std::string_view ToString(MissedSlotPolicy p);
std::optional<MissedSlotPolicy> ParseMissedSlotPolicy(std::string_view s);

/// Site-local dates [from_day, to_day] (days since 1970-01-01, inclusive) without slots.
struct BlackoutRange {
    int64_t from_day = 0;
    int64_t to_day = 0;
    std::string reason;
    bool operator==(const BlackoutRange&) const = default;
};

struct PublishingSettings {
    SiteId site_id = 0;
    bool auto_publish_enabled = false;
    std::vector<WeekdayIndex> publish_days = {0, 1, 2, 3, 4};
    std::vector<int> publish_time_slots = {9 * 60, 14 * 60, 18 * 60};  // minutes after midnight
    std::optional<int> daily_publish_limit;
    std::optional<int> weekly_publish_limit;
    std::optional<int> monthly_publish_limit;
    MissedSlotPolicy missed_slot_policy = MissedSlotPolicy::kPublishLate;
    int max_lateness_minutes = 60;              // publish_late beyond this is next_free_slot
    std::vector<BlackoutRange> blackout_dates;  // sorted by from_day, not overlapping
    int min_spacing_minutes = 0;                // between any two items of the site
    TimePoint updated_at{};
};

/// An evergreen item's repetition (API.md §9): once published, it is placed again
/// `every_days` later, until the site's local date `until` (inclusive) or `count`
/// publications in all, whichever ends first. Rules: domain/recurrence.hpp.
struct Recurrence {
    int every_days = 1;
    std::optional<std::string> until;  // "YYYY-MM-DD"
    std::optional<int> count;
    bool operator==(const Recurrence&) const = default;
};

struct Content {
    ContentId id = 0;
    AccountId account_id = 0;
    SiteId site_id = 0;
    std::string title;
    std::string content_html;
    std::string excerpt;
    std::string slug;
    std::string content_type = "post";
    std::optional<int64_t> cluster_id;
    std::vector<std::string> categories;
    std::vector<std::string> tags;
    std::string featured_image_url;
    bool pinned = false;  // no scheduler run or queue operation moves it
    // Held back after a missed slot (missed_slot_policy hold): the slot scheduler leaves it
    // unscheduled until a person acts on it (domain::EndsHold). Only while approved,
    // not_published and unscheduled (the schema checks it).
    bool held = false;
    std::optional<Recurrence> recurrence;

    EditorialStatus status = EditorialStatus::kDraft;
    std::optional<TimePoint> approved_at;

    SiteStatus site_status = SiteStatus::kNotPublished;
    TimePoint site_status_updated_at{};
    std::optional<TimePoint> scheduled_publish_at;  // the user's (or slot scheduler's) time
    std::optional<TimePoint> published_at;
    std::string external_id;    // empty = none
    std::string external_url;   // empty = none
    std::string last_error;     // empty = none
    int publication_count = 0;  // successful publications so far (recurrence counts them)

    // Dispatch bookkeeping; never overwrites scheduled_publish_at.
    std::optional<TimePoint> next_attempt_at;  // when a retry is due (null: use scheduled time)
    int attempts = 0;                          // attempts in the current publication
    std::string publication_id;                // stable across retries of one publication
    std::string claim_token;                   // set while `publishing`
    std::optional<TimePoint> lease_until;      // a claim past this is abandoned

    int64_t version = 1;  // grows with every change, whoever makes it
    TimePoint created_at{};
    TimePoint updated_at{};

    /// When the dispatcher should next act on it; the epoch for an item never scheduled
    /// ("publish now" of an unscheduled item), which DueTime() reads as no due time.
    TimePoint DueAt() const {
        return next_attempt_at ? *next_attempt_at : scheduled_publish_at.value_or(TimePoint{});
    }
};

/// A DueAt() value as a due time: none for the epoch (an item that was never scheduled).
inline std::optional<TimePoint> DueTime(TimePoint due_at) {
    if (due_at == TimePoint{}) return std::nullopt;
    return due_at;
}

struct PublishRecord {
    RecordId id = 0;
    ContentId content_id = 0;
    SiteId site_id = 0;
    AccountId account_id = 0;
    int attempt = 1;
    TimePoint started_at{};
    TimePoint finished_at{};
    AttemptOutcome outcome = AttemptOutcome::kFailed;
    std::optional<int> http_status;
    std::string error;
    std::string external_id;
    std::string external_url;
    std::optional<TimePoint> due_at;  // the time it was due, to measure lateness
};

}  // namespace herald::domain
