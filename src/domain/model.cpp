#include "domain/model.hpp"

namespace herald::domain {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const std::array<std::string_view, N>& names, std::string_view s) {
    for (size_t i = 0; i < N; ++i)
        if (names[i] == s) return static_cast<Enum>(i);
    return std::nullopt;
}

// Order matches the enumerators.
constexpr std::array<std::string_view, 4> kPlatformNames = {"wordpress", "shopify", "ghost",
                                                            "custom"};
constexpr std::array<std::string_view, 3> kEditorialNames = {"draft", "review", "approved"};
constexpr std::array<std::string_view, 5> kSiteStatusNames = {"not_published", "scheduled",
                                                              "publishing", "published", "failed"};
constexpr std::array<std::string_view, 3> kOutcomeNames = {"published", "failed", "retry"};
constexpr std::array<std::string_view, 3> kMissedSlotPolicyNames = {"publish_late",
                                                                    "next_free_slot", "hold"};

}  // namespace

std::string_view ToString(Platform p) { return kPlatformNames[static_cast<size_t>(p)]; }
std::string_view ToString(EditorialStatus s) { return kEditorialNames[static_cast<size_t>(s)]; }
std::string_view ToString(SiteStatus s) { return kSiteStatusNames[static_cast<size_t>(s)]; }
std::string_view ToString(AttemptOutcome o) { return kOutcomeNames[static_cast<size_t>(o)]; }
std::string_view ToString(MissedSlotPolicy p) {
    return kMissedSlotPolicyNames[static_cast<size_t>(p)];
}

std::optional<Platform> ParsePlatform(std::string_view s) {
    return Lookup<Platform>(kPlatformNames, s);
}
std::optional<EditorialStatus> ParseEditorialStatus(std::string_view s) {
    return Lookup<EditorialStatus>(kEditorialNames, s);
}
std::optional<SiteStatus> ParseSiteStatus(std::string_view s) {
    return Lookup<SiteStatus>(kSiteStatusNames, s);
}
std::optional<AttemptOutcome> ParseAttemptOutcome(std::string_view s) {
    return Lookup<AttemptOutcome>(kOutcomeNames, s);
}
std::optional<MissedSlotPolicy> ParseMissedSlotPolicy(std::string_view s) {
    return Lookup<MissedSlotPolicy>(kMissedSlotPolicyNames, s);
}

}  // namespace herald::domain
