// RunJournal: the ledger as `joule run` uses it, where no failure may cost
// the run its outputs.
#include <fmt/format.h>

#include "record/ledger.hpp"

namespace joule::record {
namespace {

// Failures that another attempt at the next checkpoint would only repeat.
bool will_not_change(const LedgerError& e) {
  using Kind = LedgerError::Kind;
  return e.kind() == Kind::corrupt || e.kind() == Kind::newer_schema ||
         e.kind() == Kind::bad_location || e.kind() == Kind::refused;
}

}  // namespace

RunJournal::RunJournal(std::filesystem::path path) : path_(std::move(path)) {
  try {
    ledger_ = std::make_unique<Ledger>(path_);
    last_ok_ = true;
  } catch (const LedgerError& e) {
    corrupt_ = will_not_change(e);
    warn(fmt::format("ledger not written: {}", e.what()));
  } catch (const std::exception& e) {
    warn(fmt::format("ledger {} not written: {}", Ledger::shown(path_.string()), e.what()));
  }
}

RunJournal::~RunJournal() = default;
RunJournal::RunJournal(RunJournal&&) noexcept = default;

void RunJournal::warn(std::string message) {
  for (const auto& seen : seen_) {
    if (seen == message) return;
  }
  seen_.push_back(message);
  pending_.push_back(std::move(message));
}

void RunJournal::attempt(const RunRecord& record, void (Ledger::*op)(const RunRecord&)) {
  if (!ledger_) {
    // A corrupt file stays untouched, a refusing database is not asked
    // again; anything else (a directory created since, a remount, a server
    // back up) gets another chance.
    if (corrupt_) return;
    try {
      ledger_ = std::make_unique<Ledger>(path_);
    } catch (const LedgerError& e) {
      corrupt_ = will_not_change(e);
      warn(fmt::format("ledger not written: {}", e.what()));
      last_ok_ = false;
      return;
    } catch (const std::exception& e) {
      warn(fmt::format("ledger {} not written: {}", Ledger::shown(path_.string()), e.what()));
      last_ok_ = false;
      return;
    }
  }
  try {
    ((*ledger_).*op)(record);
    last_ok_ = true;
  } catch (const LedgerError& e) {
    warn(fmt::format("ledger not written: {}", e.what()));
    last_ok_ = false;
  } catch (const std::exception& e) {
    warn(fmt::format("ledger {} not written: {}", Ledger::shown(path_.string()), e.what()));
    last_ok_ = false;
  }
}

void RunJournal::begin(const RunRecord& record) {
  attempt(record, &Ledger::begin_run);
}
void RunJournal::checkpoint(const RunRecord& record) {
  attempt(record, &Ledger::checkpoint);
}
void RunJournal::finish(const RunRecord& record) {
  attempt(record, &Ledger::finish_run);
}

std::vector<std::string> RunJournal::take_warnings() {
  std::vector<std::string> out;
  out.swap(pending_);
  return out;
}

}  // namespace joule::record
