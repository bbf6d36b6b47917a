#pragma once
// Runs the slot calculator over every auto-publishing site and stores the assignments
// (API.md §4). In `herald serve` it runs when content is approved or settings change,
// plus a periodic safety-net pass.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "domain/slots.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

struct ScheduleRunSummary {
    int sites = 0;
    int assigned = 0;
    int left_unscheduled = 0;  // queued items that did not fit within the horizon, and held ones
    std::vector<domain::SlotAssignment> assignments;   // what was (or, dry-run, would be) set
    std::vector<std::string> errors;                   // per-site problems (e.g. bad zone)
    std::vector<domain::UnscheduledItem> unscheduled;  // the items left over, with why
};

/// The one way slots are given, for the background run, its dry run, the API's per-site run
/// and the CLI alike: the pure slot calculator (domain::AssignSlots) inside
/// Store::ScheduleSites, which holds each site while its calendar is read and written.
std::vector<storage::SiteScheduleOutcome> ScheduleSites(storage::Store& store,
                                                        std::vector<domain::SiteId> sites,
                                                        TimePoint now, bool dry_run,
                                                        bool require_auto_publish);

/// `herald content schedule ID` without a time: the same path, for one site and one item of
/// its queue. The item takes the earliest slot free for it (ahead of items approved before
/// it: an explicit choice for this one item); the rest of the queue is left as it is.
/// `in_queue` says whether the item was waiting for a slot (approved, not_published,
/// unscheduled) when the site was read. An active site is needed, auto-publishing or not.
/// `by_person`: a person's choice (the CLI), which takes a held item too and ends its hold
/// (domain::EndsHold); the dispatcher's own move of a missed item is not.
storage::SiteScheduleOutcome ScheduleOne(storage::Store& store, domain::SiteId site,
                                         domain::ContentId content, TimePoint now, bool by_person,
                                         bool& in_queue);

class SlotScheduler {
public:
    SlotScheduler(storage::Store& store, const TimeSource& clock);
    ~SlotScheduler();

    /// One run at `now`. With dry_run nothing is written.
    ScheduleRunSummary RunOnce(TimePoint now, bool dry_run);

    /// Background: runs on Wake() (debounced) and every `period`. `on_assigned` is called
    /// after a run that assigned anything (to wake the dispatcher).
    void Start(std::function<void()> on_assigned, Milliseconds period = std::chrono::minutes{1});
    void Stop();
    void Wake();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::dispatch
