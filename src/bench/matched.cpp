// The comparison at matched quality: what one model costs to reach a tier
// against what another costs to reach the same tier, with the uncertainty of
// both. It answers the essays' question directly ("the LSTM overnight, the
// dense network 20 seconds") instead of comparing models that stopped at
// different qualities.
#include <cmath>
#include <cstddef>
#include <string_view>

#include "bench/analysis.hpp"

namespace joule::bench {
namespace {

constexpr std::string_view kRecurrent = "recurrent";
constexpr std::string_view kDense = "dense";

bool reached(const ModelSummary& model, std::size_t tier) {
  return tier < model.tiers.size() && model.tiers[tier].joules &&
         std::isfinite(model.tiers[tier].joules->median);
}

// The model with the lowest median energy to the tier; nullptr when none
// reached it. Ties keep the earlier (better ranked) model.
const ModelSummary* cheapest_at(const std::vector<ModelSummary>& models, std::size_t tier) {
  const ModelSummary* cheapest = nullptr;
  for (const ModelSummary& model : models) {
    if (!reached(model, tier)) continue;
    if (cheapest == nullptr ||
        model.tiers[tier].joules->median < cheapest->tiers[tier].joules->median) {
      cheapest = &model;
    }
  }
  return cheapest;
}

std::optional<Interval> known(const Interval& interval) {
  if (interval.n == 0) return std::nullopt;
  return interval;
}

// `model` against `reference` at one tier the reference reached.
MatchedRatio ratio_against(const ModelSummary& model, const ModelSummary& reference,
                           std::size_t tier) {
  const TierSummary& own = model.tiers[tier];
  const TierSummary& theirs = reference.tiers[tier];
  MatchedRatio ratio;
  ratio.model = model.model;
  ratio.reference = reference.model;
  ratio.tier = own.tier;
  ratio.seeds = model.seeds;
  ratio.seeds_reached = own.seeds_reached;
  ratio.missed_by_budget = own.missed_by_budget;
  ratio.missed_by_model = own.missed_by_model;
  if (own.seeds_reached > 0) {
    ratio.energy = known(bootstrap_ratio(own.seed_joules, theirs.seed_joules));
    ratio.time = known(bootstrap_ratio(own.seed_seconds, theirs.seed_seconds));
  } else if (std::isfinite(model.training_joules.median) && theirs.joules->median > 0) {
    // A floor at or below x1 bounds nothing worth printing: the model simply
    // stopped (or plateaued) cheaper than the reference got there.
    const double floor = model.training_joules.median / theirs.joules->median;
    if (floor > 1) ratio.energy_floor = floor;
  }
  return ratio;
}

}  // namespace

MatchedQuality matched_quality(const std::vector<ModelSummary>& models,
                               const std::vector<double>& tiers) {
  MatchedQuality matched;
  for (std::size_t tier = 0; tier < tiers.size(); ++tier) {
    const ModelSummary* cheapest = cheapest_at(models, tier);
    if (cheapest == nullptr) continue;
    for (const ModelSummary& model : models) {
      if (&model != cheapest && tier < model.tiers.size()) {
        matched.against_cheapest.push_back(ratio_against(model, *cheapest, tier));
      }
    }
  }
  for (const ModelSummary& dense : models) {
    if (dense.family != kDense) continue;
    for (const ModelSummary& recurrent : models) {
      if (recurrent.family != kRecurrent) continue;
      for (std::size_t tier = 0; tier < tiers.size(); ++tier) {
        if (reached(dense, tier) && tier < recurrent.tiers.size()) {
          matched.recurrent_against_dense.push_back(ratio_against(recurrent, dense, tier));
        }
      }
    }
  }
  return matched;
}

}  // namespace joule::bench
