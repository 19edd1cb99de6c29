// Retention (prune, downsample) and copying runs between ledgers: the same on
// both stores, through the backend interface.
#include <fmt/format.h>

#include "record/json_io.hpp"
#include "record/ledger.hpp"

namespace joule::record {
namespace {

// Keeps `keep` of the timeline's points, evenly spread, the first and the last
// among them. The points are cumulative energy, so each kept one stays exact;
// only the shape between them is lost.
bool thin_timeline(RunRecord& r, std::size_t keep) {
  const std::size_t had = r.timeline.points.size();
  if (keep < 2 || had <= keep) return false;
  std::vector<TimelinePoint> kept;
  kept.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i)
    kept.push_back(std::move(r.timeline.points[i * (had - 1) / (keep - 1)]));
  r.timeline.points = std::move(kept);
  r.warnings.push_back(fmt::format(
      "timeline thinned from {} to {} points by `joule ledger prune --downsample`; the totals "
      "are unchanged",
      had, keep));
  return true;
}

}  // namespace

PruneResult Ledger::prune(const std::string& before, std::optional<std::size_t> keep_points) {
  if (mode_ == Mode::read_only) {
    throw LedgerError(LedgerError::Kind::unavailable,
                      fmt::format("ledger {} was opened read-only", path_.string()));
  }
  PruneResult result;
  RowQuery old_runs;
  old_runs.started_before = before;
  std::vector<std::string> chosen;
  store_->for_each(old_runs, [&](const FoundRow& row) {
    if (row.status == "running") {
      // Downsampling leaves every running row alone; deleting takes only
      // those this host knows to be dead (interrupted).
      if (keep_points || !same_host(row.owner, self_) || process_alive(row.owner)) {
        ++result.kept_running;
        return true;
      }
    }
    if (keep_points) {
      RunRecord r = parse_json_text(row.record_json,
                                    fmt::format("ledger {}, run {}", path_.string(), row.id));
      if (r.timeline.points.size() <= *keep_points) return true;
    }
    chosen.push_back(row.id);
    return true;
  });

  if (keep_points) {
    for (const auto& id : chosen) {
      auto row = store_->with_id(id);
      if (!row) continue;
      RunRecord r =
          parse_json_text(row->record_json, fmt::format("ledger {}, run {}", path_.string(), id));
      if (!thin_timeline(r, *keep_points)) continue;
      // The thinned record's warning is one of its CSV cells: the stored
      // line is made again with it.
      StoredRow thinned = row_of(r);
      store_->replace_record(thinned);
      ++result.thinned;
    }
  } else {
    result.removed = store_->remove(chosen);
  }
  store_->compact();
  return result;
}

CopyResult Ledger::copy_from(const Ledger& source) {
  if (mode_ == Mode::read_only) {
    throw LedgerError(LedgerError::Kind::unavailable,
                      fmt::format("ledger {} was opened read-only", path_.string()));
  }
  CopyResult result;
  source.store_->for_each(RowQuery{}, [&](const FoundRow& found) {
    RunRecord r = parse_json_text(
        found.record_json, fmt::format("ledger {}, run {}", source.path().string(), found.id));
    // The row keeps its owner and stored status, so that the owner's host
    // still tells whether a running one was interrupted.
    StoredRow row = row_of(r);
    row.status = found.status;
    row.owner = found.owner;
    row.checkpoint_at = found.checkpoint_at;
    row.record_json = found.record_json;
    if (found.status == "running") row.csv_row.reset();
    if (store_->write(row, WriteMode::copy)) {
      ++result.copied;
    } else {
      ++result.present;
    }
    return true;
  });
  return result;
}

}  // namespace joule::record
