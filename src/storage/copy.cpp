#include "storage/copy.hpp"

#include <functional>

namespace herald::storage {
namespace {

template <typename T>
std::vector<int64_t> Ids(const std::vector<T>& rows, const std::function<int64_t(const T&)>& id) {
    std::vector<int64_t> ids;
    ids.reserve(rows.size());
    for (const T& row : rows) ids.push_back(id(row));
    return ids;
}

struct TableIds {
    const char* table;
    std::vector<int64_t> ids;
};

std::vector<TableIds> IdsByTable(const Snapshot& s) {
    return {
        {"accounts", Ids<AccountRow>(s.accounts, [](const AccountRow& a) { return a.account.id; })},
        {"sites", Ids<Site>(s.sites, [](const Site& x) { return x.id; })},
        {"publishing_settings",
         Ids<PublishingSettings>(s.settings,
                                 [](const PublishingSettings& x) { return x.site_id; })},
        {"content", Ids<Content>(s.content, [](const Content& x) { return x.id; })},
        {"publish_records",
         Ids<PublishRecord>(s.records, [](const PublishRecord& x) { return x.id; })},
        {"api_keys", Ids<ApiKeyRecord>(s.api_keys, [](const ApiKeyRecord& x) { return x.id; })},
        {"event_hooks", Ids<EventHook>(s.event_hooks, [](const EventHook& x) { return x.id; })},
        {"hook_deliveries",
         Ids<HookDelivery>(s.hook_deliveries, [](const HookDelivery& x) { return x.id; })},
        {"calendar_feed_tokens",
         Ids<FeedTokenRow>(s.feed_tokens, [](const FeedTokenRow& x) { return x.site_id; })},
    };
}

}  // namespace

std::vector<TableCount> CopyDatabase(Store& from, Store& to) {
    const Snapshot source = from.ExportSnapshot();
    to.ImportSnapshot(source);
    const Snapshot copied = to.ExportSnapshot();

    const std::vector<TableIds> want = IdsByTable(source);
    const std::vector<TableIds> got = IdsByTable(copied);
    std::vector<TableCount> counts;
    for (size_t i = 0; i < want.size(); ++i) {
        counts.push_back({want[i].table, static_cast<int64_t>(want[i].ids.size()),
                          static_cast<int64_t>(got[i].ids.size())});
        if (want[i].ids.size() != got[i].ids.size())
            throw StorageError(std::string("copy check failed: table ") + want[i].table + " has " +
                               std::to_string(want[i].ids.size()) + " rows in the source but " +
                               std::to_string(got[i].ids.size()) + " in the target");
        if (want[i].ids != got[i].ids)
            throw StorageError(std::string("copy check failed: table ") + want[i].table +
                               " holds other ids in the target than in the source");
    }
    for (size_t i = 0; i < source.content.size(); ++i) {
        if (source.content[i].version != copied.content[i].version ||
            source.content[i].site_status != copied.content[i].site_status)
            throw StorageError("copy check failed: content " +
                               std::to_string(source.content[i].id) + " differs in the target");
    }
    return counts;
}

}  // namespace herald::storage
