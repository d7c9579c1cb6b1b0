// The repository's silu_and_mul kernels against ulpcheck's exact oracle, through the
// GoogleTest helpers of the installed package (ulpcheck/gtest.hpp).
#include <gtest/gtest-spi.h>  // EXPECT_NONFATAL_FAILURE
#include <ulpcheck/gtest.hpp>

#include "check/silu_and_mul_kernels.hpp"

namespace {

using mykernels::check::kBitTrickExp;
using mykernels::check::kFp32OneRounding;

TEST(SiluAndMul_bf16, Fp32ArithmeticWithOneRoundingIsWithinItsBudget) {
  // The op's hard inputs and a million random (gate, up) pairs, the check's defaults.
  ULPCHECK_EXPECT_WITHIN_BUDGET("silu_and_mul", "bf16", kFp32OneRounding);
}

// The assertion fails, and says why: EXPECT_NONFATAL_FAILURE passes only when the statement
// reports exactly one failure containing the text.
TEST(SiluAndMul_bf16, BitTrickExpBreachesTheBudgetItClaims) {
  EXPECT_NONFATAL_FAILURE(ULPCHECK_EXPECT_WITHIN_BUDGET_FOR("silu_and_mul", "bf16", kBitTrickExp,
                                                            R"({"samples": 100000, "seed": 7})"),
                          "'mykernels.silu_and_mul_bit_trick_exp' on silu_and_mul bf16 is not within its "
                          "claimed budget");
}

TEST(SiluAndMul_bf16, ADtypeTheKernelDoesNotDeclareIsAnErrorNotAPass) {
  EXPECT_NONFATAL_FAILURE(ULPCHECK_EXPECT_WITHIN_BUDGET("silu_and_mul", "fp16", kFp32OneRounding),
                          "the check did not run (bad request)");
}

}  // namespace
