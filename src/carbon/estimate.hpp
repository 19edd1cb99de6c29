#pragma once
// Propagation of low/central/high ranges (docs/methodology.md, "Uncertainty").
//
// Factors of a product are treated as independent and their relative spreads
// are combined in quadrature in log space: for factors with central c_i and
// bounds l_i, h_i,
//   low  = C x exp(-sqrt(sum ln(c_i / l_i)^2))
//   high = C x exp(+sqrt(sum ln(h_i / c_i)^2))
// which equals the familiar "relative errors add in quadrature" for small
// spreads, never goes below zero for wide ones, and keeps asymmetric ranges
// asymmetric. Terms of a sum (O + M) are independent too: their absolute
// deviations add in quadrature.
#include <vector>

#include "joule/carbon.hpp"

namespace joule::carbon {

Estimate product(const std::vector<Estimate>& factors);
Estimate sum(const std::vector<Estimate>& terms);
Estimate scale(const Estimate& e, double k);  // k >= 0
// central +- fraction (fraction >= 0; the low end is clamped at zero).
Estimate relative(double central, double fraction);
// 1 / (1 - loss) for a loss fraction estimate (low loss gives the low factor).
Estimate loss_factor(const Estimate& loss_fraction);
// Orders and clamps: makes low <= central <= high whatever the inputs.
Estimate normalised(Estimate e);

}  // namespace joule::carbon
