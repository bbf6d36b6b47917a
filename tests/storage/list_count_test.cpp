// The content list's count is not recounted on every page: SQLite remembers it per connection
// at a data version, and infers it from a last page; PostgreSQL counts it with the page. Every
// change, made through this store or through another process's, shows in the next count.

#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

class ListCountTest : public StoreTest {
protected:
    void SetUp() override {
        account_ = NewAccount();
        site_ = NewSite(account_, "a");
        for (int i = 0; i < 5; ++i) ids_.push_back(NewContent(site_).id);
    }
    /// The count a full first page of two answers (a page that cannot infer it).
    int64_t CountOfFullPage(Store& store) {
        ContentFilter f;
        f.account_id = account_;
        f.site_id = site_.id;
        f.page = {1, 2};
        const Page<Content> page = store.ListContent(f);
        EXPECT_EQ(page.items.size(), 2u);
        return page.count;
    }

    AccountId account_ = 0;
    Site site_;
    std::vector<ContentId> ids_;
};
HERALD_ON_EVERY_BACKEND(ListCountTest);

TEST_P(ListCountTest, EveryWriteThroughThisStoreShowsInTheNextCount) {
    EXPECT_EQ(CountOfFullPage(store()), 5);
    EXPECT_EQ(CountOfFullPage(store()), 5);  // unchanged: may be the remembered count
    NewContent(site_);
    EXPECT_EQ(CountOfFullPage(store()), 6);
    const Content first = *store().GetContent(account_, ids_[0]);
    ASSERT_EQ(store().DeleteContent(account_, first.id, first.version), WriteOutcome::kApplied);
    EXPECT_EQ(CountOfFullPage(store()), 5);
    // A change of the filtered column moves an item out of a filter's count.
    ContentFilter drafts;
    drafts.account_id = account_;
    drafts.status = EditorialStatus::kDraft;
    drafts.page = {1, 2};
    EXPECT_EQ(store().ListContent(drafts).count, 5);
    Content second = *store().GetContent(account_, ids_[1]);
    second.status = EditorialStatus::kReview;
    ASSERT_EQ(store().UpdateContent(second, second.version, kContentEditorial).outcome,
              WriteOutcome::kApplied);
    EXPECT_EQ(store().ListContent(drafts).count, 4);
}

TEST_P(ListCountTest, AnotherProcesssWriteShowsInTheNextCount) {
    EXPECT_EQ(CountOfFullPage(store()), 5);
    // Another store on the same database: its own connections, as another process has.
    StorePtr other = OpenStore(url());
    Content extra;
    extra.account_id = account_;
    extra.site_id = site_.id;
    extra.title = "from elsewhere";
    extra.content_html = "<p>x</p>";
    extra.site_status_updated_at = extra.created_at = extra.updated_at = At("2026-01-01T00:00:00Z");
    other->CreateContent(extra);
    EXPECT_EQ(CountOfFullPage(store()), 6);
    EXPECT_EQ(CountOfFullPage(*other), 6);
}

TEST_P(ListCountTest, PagesThatEndTheListCountWhatPrecedesThem) {
    ContentFilter f;
    f.account_id = account_;
    f.site_id = site_.id;
    for (int page = 1; page <= 4; ++page) {
        f.page = {page, 2};
        EXPECT_EQ(store().ListContent(f).count, 5) << "page " << page;
    }
    f.page = {1, 10};
    EXPECT_EQ(store().ListContent(f).count, 5);
    f.site_id = site_.id + 1000;  // no such site: an empty first page
    EXPECT_EQ(store().ListContent(f).count, 0);
}

}  // namespace
}  // namespace herald::storage::test
