// The largest difference of two ops' real functions (reference/approximation.hpp), apart
// from GELU's figures, which tests/reference/gelu_test.cpp pins.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "ulpcheck/reference/approximation.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

const ElementwiseOp& op(const char* name) { return *find_op(name); }

TEST(RealDifference, AnOpAgainstItselfIsZeroEverywhere) {
  const std::vector<double> xs{-30.0, -2.5, -0x1p-30, 0.0, 0x1p-1000, 1.0, 7.75, 1e30};
  for (double d : real_difference(op("gelu"), op("gelu"), xs)) EXPECT_EQ(d, 0.0);
}

TEST(RealDifference, GatedOpsAreComparedPerUnitOfUp) {
  const std::vector<double> xs{-3.0, 0.5, 2.6989};
  const std::vector<double> unary = real_difference(op("gelu"), op("gelu_tanh"), xs);
  const std::vector<double> gated = real_difference(op("gelu_and_mul"), op("gelu_tanh_and_mul"), xs);
  for (std::size_t i = 0; i < xs.size(); ++i) EXPECT_NEAR(gated[i], unary[i], 1e-20) << xs[i];
}

TEST(LargestRealDifference, NeedsARadiusAndOpsOfOneArity) {
  // silu approximates nothing, so it declares no radius: the caller must give one.
  try {
    largest_real_difference(op("gelu"), op("silu"));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("silu declares no search radius against gelu"), std::string::npos) << e.what();
  }
  EXPECT_THROW(largest_real_difference(op("gelu"), op("gelu_tanh_and_mul"), 8.0), std::invalid_argument);
}

TEST(LargestRealDifference, AnExplicitRadiusIsSearched) {
  // Over [-1, 1] the gap is largest at the ends: gelu_tanh - gelu falls from 0 to -1.53e-4
  // at x = +-1 (mpmath; that lobe bottoms out at +-1.4, beyond the radius), so the first
  // grid point, x = -1, holds it.
  const RealDifference r = largest_real_difference(op("gelu"), op("gelu_tanh"), 1.0);
  EXPECT_EQ(r.radius, 1.0);
  EXPECT_EQ(r.step, 0x1p-33);
  EXPECT_NEAR(r.x, -1.0, 1e-6);
  EXPECT_NEAR(r.difference, -1.52755460266e-4, 1e-15);
  EXPECT_TRUE(r.symmetric);
}

}  // namespace
}  // namespace ulpcheck
