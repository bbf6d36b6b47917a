#include "domain/duplicates.hpp"

#include <algorithm>

namespace herald::domain {
namespace {

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool Within(TimePoint a, TimePoint b) {
    const auto gap = a > b ? a - b : b - a;
    return gap <= kDuplicateWindow;
}

}  // namespace

std::string_view ToString(DuplicateField field) {
    return field == DuplicateField::kTitle ? "title" : "slug";
}

TimePoint DuplicateDate(const Content& content) {
    if (content.scheduled_publish_at) return *content.scheduled_publish_at;
    if (content.published_at) return *content.published_at;
    return content.created_at;
}

DuplicateCandidate CandidateOf(const Content& content) {
    return DuplicateCandidate{content.id, content.title, content.slug, DuplicateDate(content)};
}

std::string NormalizeTitle(std::string_view title) {
    std::string out;
    out.reserve(title.size());
    bool space = false;
    for (const char c : title) {
        if (IsSpace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

void DuplicateIndex::Add(const DuplicateCandidate& candidate) {
    const std::string title = NormalizeTitle(candidate.title);
    if (!title.empty()) by_title_[title].push_back({candidate.id, candidate.at});
    if (!candidate.slug.empty()) by_slug_[candidate.slug].push_back({candidate.id, candidate.at});
}

std::vector<DuplicateMatch> DuplicateIndex::Find(const DuplicateCandidate& item) const {
    std::vector<DuplicateMatch> matches;
    const auto collect = [&](const auto& map, const std::string& key, DuplicateField field) {
        if (key.empty()) return;
        const auto it = map.find(key);
        if (it == map.end()) return;
        const size_t first = matches.size();
        for (const Entry& entry : it->second) {
            if (entry.id == item.id || !Within(entry.at, item.at)) continue;
            matches.push_back({field, entry.id});
        }
        std::sort(
            matches.begin() + static_cast<std::ptrdiff_t>(first), matches.end(),
            [](const DuplicateMatch& a, const DuplicateMatch& b) { return a.other < b.other; });
    };
    collect(by_title_, NormalizeTitle(item.title), DuplicateField::kTitle);
    collect(by_slug_, item.slug, DuplicateField::kSlug);
    return matches;
}

std::vector<DuplicateMatch> FindDuplicates(const DuplicateCandidate& item,
                                           std::span<const DuplicateCandidate> others) {
    DuplicateIndex index;
    for (const DuplicateCandidate& other : others) index.Add(other);
    return index.Find(item);
}

}  // namespace herald::domain
