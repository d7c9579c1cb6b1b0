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

// ilogb and ldexp are the library's on the host; their device paths are held to the host's
// bits by the GPU oracle tests (tests/device/cuda/sweep_test.cpp).

}  // namespace
}  // namespace ulpcheck
