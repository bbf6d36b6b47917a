#pragma once
// When an item looks like a duplicate of another item of its site: the same title (compared
// without case or extra whitespace) or the same non-empty slug, dated within 30 days of it.
// Pure: the store lists the site's items in the window, this decides.

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// Two items dated further apart than this are never duplicates (either side).
inline constexpr std::chrono::days kDuplicateWindow{30};

/// What the rule needs of an item.
struct DuplicateCandidate {
    ContentId id = 0;
    std::string title;
    std::string slug;
    TimePoint at{};  // DuplicateDate()
};

enum class DuplicateField { kTitle, kSlug };
std::string_view ToString(DuplicateField field);  // "title", "slug"

struct DuplicateMatch {
    DuplicateField field = DuplicateField::kTitle;
    ContentId other = 0;
};

/// The date an item is compared by: when it is (or was) to go out, else when it went out,
/// else when it was written. The store's window query uses the same order (COALESCE).
TimePoint DuplicateDate(const Content& content);
DuplicateCandidate CandidateOf(const Content& content);

/// Title as compared: ASCII letters lower-cased, runs of whitespace as one space, trimmed.
std::string NormalizeTitle(std::string_view title);

/// The site's items, indexed once, so an import of many rows checks each in O(1).
class DuplicateIndex {
public:
    void Add(const DuplicateCandidate& candidate);
    /// Matches of `item` among the indexed items other than itself (same id), at most one per
    /// (field, other item), title before slug, then by other id.
    std::vector<DuplicateMatch> Find(const DuplicateCandidate& item) const;

private:
    struct Entry {
        ContentId id;
        TimePoint at;
    };
    std::unordered_map<std::string, std::vector<Entry>> by_title_;
    std::unordered_map<std::string, std::vector<Entry>> by_slug_;
};

/// `item`'s matches among `others` (a DuplicateIndex over them).
std::vector<DuplicateMatch> FindDuplicates(const DuplicateCandidate& item,
                                           std::span<const DuplicateCandidate> others);

}  // namespace herald::domain
