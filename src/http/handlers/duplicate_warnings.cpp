#include "http/handlers/duplicate_warnings.hpp"

namespace herald::http {

std::vector<domain::DuplicateMatch> DuplicatesOf(storage::Store& store,
                                                 const domain::Content& content) {
    const domain::DuplicateCandidate item = domain::CandidateOf(content);
    const auto others = store.ListDuplicateCandidates(content.account_id, content.site_id,
                                                      item.at - domain::kDuplicateWindow,
                                                      item.at + domain::kDuplicateWindow);
    return domain::FindDuplicates(item, others);
}

void WriteWarningMembers(JsonWriter& w, const domain::DuplicateMatch& match) {
    const std::string_view field = domain::ToString(match.field);
    w.Key("code").String(std::string("duplicate_") + std::string(field));
    w.Key("message").String("Item " + std::to_string(match.other) +
                            " of this site, dated within 30 days of this one, has the same " +
                            std::string(field) + ".");
    w.Key("field").String(field);
    w.Key("other_content_id").Int(match.other);
}

void AddWarnings(Response& response, const std::vector<domain::DuplicateMatch>& matches) {
    std::string& body = response.body;
    if (body.empty() || body.back() != '}') return;
    body.pop_back();
    std::string tail;
    JsonWriter w(tail);
    w.BeginArray();
    for (const auto& match : matches) {
        w.BeginObject();
        WriteWarningMembers(w, match);
        w.EndObject();
    }
    w.EndArray();
    body += ",\"warnings\":";
    body += tail;
    body += '}';
}

}  // namespace herald::http
