#include "ulpcheck/support/hd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace ulpcheck {
namespace {

// pow2 builds 2^k from its bits; the sweep divides and scales by it where std::ldexp was.
TEST(Pow2, IsTwoToTheKOverDoublesWholeRangeSubnormalsIncluded) {
  for (int k = -1074; k <= 1023; ++k) ASSERT_EQ(hd::pow2(k), std::ldexp(1.0, k)) << "k = " << k;
  EXPECT_EQ(hd::pow2(-1074), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(hd::pow2(1023), 0x1p1023);
}

// On the host ilogb and ldexp are the library's; these pin the cases the device's fast
// path hands back to the library (zero, subnormal, infinite, out of range).
TEST(HdIlogbLdexp, AgreeWithTheLibraryAtTheEdgesOfTheFastPath) {
  for (double x : {1.0, -3.5, 0x1p-1022, 0x1p-1060, 0x1.fffffffffffffp1023, 5e-324})
    EXPECT_EQ(hd::ilogb(x), std::ilogb(x)) << x;
  EXPECT_EQ(hd::ilogb(0.0), std::ilogb(0.0));
  EXPECT_EQ(hd::ilogb(HUGE_VAL), std::ilogb(HUGE_VAL));
  for (double x : {1.0, -0x1.8p-1000, 0x1p-1060, 0.0, -0.0, HUGE_VAL})
    for (int n : {-2000, -1100, -60, 0, 60, 1100, 2000}) {
      const double got = hd::ldexp(x, n), want = std::ldexp(x, n);
      EXPECT_EQ(got, want) << x << " * 2^" << n;
      EXPECT_EQ(std::signbit(got), std::signbit(want));
    }
}

}  // namespace
}  // namespace ulpcheck
