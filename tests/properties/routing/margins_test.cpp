// The margin distribution: powers of two, exact ties and unbounded margins apart; and the
// tokens whose margin lies within a kernel's tie band.
#include "ulpcheck/properties/routing/margins.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"

namespace ulpcheck {
namespace {

TokenRouting token(double group_margin, double expert_margin) {
  TokenRouting t;
  t.ids = {0};
  t.groups = {0};
  t.group_margin = group_margin;
  t.expert_margin = expert_margin;
  return t;
}

TEST(MarginHistogram, BinsByPowersOfTwoWithTiesAndUnboundedApart) {
  const std::vector<TokenRouting> exact{token(0.0, 0.75),       // a group tie; expert in [2^-1, 1)
                                        token(INFINITY, 0x1p-30),  // nothing dropped; expert in [2^-30, 2^-29)
                                        token(0.5, 0.0),          // group in [2^-1, 1); an expert tie
                                        token(0x1.8p-30, 0.5)};   // group in [2^-30, 2^-29); expert in [2^-1, 1)
  const MarginHistogram h = margin_histogram(exact);
  EXPECT_EQ(h.tokens, 4);
  EXPECT_EQ(h.group_ties, 1);
  EXPECT_EQ(h.expert_ties, 1);
  EXPECT_EQ(h.group_unbounded, 1);
  EXPECT_EQ(h.expert_unbounded, 0);
  ASSERT_EQ(h.binades.size(), 2u);
  EXPECT_EQ(h.binades[0].binade, -30);
  EXPECT_EQ(h.binades[0].group, 1);
  EXPECT_EQ(h.binades[0].expert, 1);
  EXPECT_EQ(h.binades[1].binade, -1);
  EXPECT_EQ(h.binades[1].group, 1);
  EXPECT_EQ(h.binades[1].expert, 2);
}

TEST(MarginsWithinBand_fp32, CountsMarginsTheArithmeticCannotResolve) {
  RoutingConfig c;
  c.experts = 2;
  c.n_group = 1;
  c.topk_group = 1;
  c.topk = 1;
  const RoutingInputs in{Format::fp32, Format::fp32, 3, {0, 0, 0, 0, 0, 0},
                         {encode(Format::fp32, 2.5), encode(Format::fp32, 2.5)}};
  const RoutingClaim claim = *find_routing_kernel("host.routing_fp32")->claim(c, Format::fp32, Format::fp32);
  // |b| <= 3.5: the band is 2 (ulp_fp32(3.5) + ulp_fp32(1)) = 2 (2^-22 + 2^-23) = 1.5 2^-21.
  const double band = expert_tie_band(c, claim, 3.5);
  EXPECT_DOUBLE_EQ(band, 0x1.8p-21);
  const std::vector<TokenRouting> exact{token(INFINITY, band / 2), token(INFINITY, band * 2), token(INFINITY, 0.0)};
  const MarginsWithinBand w = margins_within_band(c, claim, in, exact);
  EXPECT_EQ(w.tokens, 3);
  EXPECT_EQ(w.expert, 2);  // half the band, and the exact tie
  EXPECT_EQ(w.group, 0);   // one group: nothing dropped
  EXPECT_EQ(w.either, 2);
}

}  // namespace
}  // namespace ulpcheck
