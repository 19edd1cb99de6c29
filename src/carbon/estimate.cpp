#include "carbon/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace joule::carbon {

Estimate normalised(Estimate e) {
  e.low = std::min(e.low, e.central);
  e.high = std::max(e.high, e.central);
  return e;
}

Estimate product(const std::vector<Estimate>& factors) {
  double central = 1;
  double down2 = 0;
  double up2 = 0;
  bool low_is_zero = false;
  for (auto f : factors) {
    f = normalised(f);
    central *= f.central;
    if (f.central <= 0) continue;  // a zero factor makes the product exactly zero
    if (f.low <= 0) {
      low_is_zero = true;  // ln(c / 0) is infinite: the product's low end is 0
    } else {
      double d = std::log(f.central / f.low);
      down2 += d * d;
    }
    double u = std::log(f.high / f.central);
    up2 += u * u;
  }
  if (central <= 0) return Estimate::exact(0);
  Estimate result;
  result.central = central;
  result.low = low_is_zero ? 0.0 : central * std::exp(-std::sqrt(down2));
  result.high = central * std::exp(std::sqrt(up2));
  return result;
}

Estimate sum(const std::vector<Estimate>& terms) {
  Estimate result;
  double down2 = 0;
  double up2 = 0;
  for (auto t : terms) {
    t = normalised(t);
    result.central += t.central;
    down2 += (t.central - t.low) * (t.central - t.low);
    up2 += (t.high - t.central) * (t.high - t.central);
  }
  result.low = std::max(0.0, result.central - std::sqrt(down2));
  result.high = result.central + std::sqrt(up2);
  return result;
}

Estimate scale(const Estimate& e, double k) {
  return {e.low * k, e.central * k, e.high * k};
}

Estimate relative(double central, double fraction) {
  fraction = std::max(0.0, fraction);
  return {std::max(0.0, central * (1 - fraction)), central, central * (1 + fraction)};
}

Estimate loss_factor(const Estimate& loss) {
  auto f = [](double x) {
    x = std::clamp(x, 0.0, 0.99);  // a loss of 100 % has no meaning; cap far below
    return 1.0 / (1.0 - x);
  };
  return normalised({f(loss.low), f(loss.central), f(loss.high)});
}

}  // namespace joule::carbon
