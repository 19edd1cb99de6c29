// The arithmetic of units.hpp: the shares and scalings the bench costs use.
#include "joule/units.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace joule {
namespace {

static_assert(Joules{30} / Joules{120} == 0.25);
static_assert(Seconds{3} / Seconds{12} == 0.25);
static_assert(Seconds{3} / 4.0 == Seconds{0.75});

TEST(Units, EnergyOverEnergyIsAShare) {
  EXPECT_DOUBLE_EQ(Joules{25} / Joules{100}, 0.25);
  // No guard: a share of nothing is for the caller to test.
  EXPECT_TRUE(std::isnan(Joules{0} / Joules{0}));
  EXPECT_TRUE(std::isinf(Joules{1} / Joules{0}));
}

TEST(Units, TimeOverTimeIsAShareAndTimeScales) {
  EXPECT_DOUBLE_EQ(Seconds{0.5} / Seconds{0.02}, 25);
  EXPECT_DOUBLE_EQ((Seconds{1} / 8.0).seconds, 0.125);
  EXPECT_DOUBLE_EQ((Seconds{9} / 3.0 * 2.0).seconds, 6);
}

}  // namespace
}  // namespace joule
