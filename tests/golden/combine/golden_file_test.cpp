// The MoE combine golden file: what regen builds is read back exactly, the same content gives
// the same bytes, a killed write leaves the old file, a truncated file or one whose datasets
// disagree with their configuration is refused naming the object, and the committed file
// verifies with this build.
#include "ulpcheck/golden/combine/golden_file.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/golden/combine/regen.hpp"
#include "ulpcheck/golden/combine/verify.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

CombineGoldenFile combine_file() {
  CombineBuildOptions o;
  o.kernels = runnable_combine_kernels();
  return build_combine_golden(o);
}

template <class T>
bool same_combine_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if constexpr (std::is_same_v<T, double>) {
      if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
    } else if constexpr (std::is_same_v<T, float>) {
      if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
    } else if (a[i] != b[i]) {
      return false;
    }
  return true;
}

TEST(GoldenCombineFile, ARoundTripKeepsEveryCaseAnswerAndFigure) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  const CombineGoldenFile written = combine_file();
  write_combine_golden(path, written);
  const CombineGoldenFile read = read_combine_golden(path);
  EXPECT_EQ(read.op, kCombineOpName);
  EXPECT_EQ(read.schema_version, 1);
  EXPECT_EQ(read.formula, kCombineFormula);
  EXPECT_EQ(read.oracle_method, kCombineOracleMethod);
  ASSERT_EQ(read.cases.size(), combine_case_specs().size());
  for (std::size_t i = 0; i < read.cases.size(); ++i) {
    const CombineGoldenCase &w = written.cases[i], &r = read.cases[i];
    SCOPED_TRACE(combine_case_specs()[i].group());
    EXPECT_EQ(r.name, w.name);
    EXPECT_EQ(r.config, w.config);
    EXPECT_EQ(r.config_label, w.config.label());
    EXPECT_EQ(r.input_label, golden_combine_input_label());
    EXPECT_EQ(r.seed, w.seed);
    EXPECT_EQ(r.inputs.format, w.inputs.format);
    EXPECT_EQ(r.inputs.tokens, w.inputs.tokens);
    EXPECT_EQ(r.inputs.routed, w.inputs.routed);
    EXPECT_TRUE(same_combine_bits(r.inputs.weights, w.inputs.weights));
    EXPECT_EQ(r.inputs.shared, w.inputs.shared);
    EXPECT_EQ(r.answers.rounded_bits, w.answers.rounded_bits);
    EXPECT_TRUE(same_combine_bits(r.answers.exact_hi, w.answers.exact_hi));
    EXPECT_TRUE(same_combine_bits(r.answers.exact_lo, w.answers.exact_lo));
    EXPECT_TRUE(same_combine_bits(r.answers.scale, w.answers.scale));
    ASSERT_EQ(r.kernels.size(), w.kernels.size());
    for (std::size_t k = 0; k < r.kernels.size(); ++k) {
      const CombineKernelFigures &a = r.kernels[k], &b = w.kernels[k];
      EXPECT_EQ(a.kernel, b.kernel);
      EXPECT_EQ(a.claim.max_ulp, b.claim.max_ulp);
      EXPECT_EQ(a.claim.relative, b.claim.relative);
      EXPECT_EQ(a.claim.absolute, b.claim.absolute);
      EXPECT_EQ(a.max_ulp, b.max_ulp);
      EXPECT_EQ(a.max_ulp_above_floor, b.max_ulp_above_floor);
      EXPECT_EQ(a.p50, b.p50);
      EXPECT_EQ(a.p99, b.p99);
      EXPECT_EQ(a.p999, b.p999);
      EXPECT_EQ(a.frac_correctly_rounded, b.frac_correctly_rounded);
      EXPECT_EQ(a.in_floor_region, b.in_floor_region);
      EXPECT_EQ(a.budget_breaches, b.budget_breaches);
      EXPECT_EQ(a.semantic_violations, b.semantic_violations);
      EXPECT_EQ(a.worst_index, b.worst_index);
    }
  }
}

TEST(GoldenCombineFile, CasesCoverDeepSeekV3TheExtremeTopkAnOddHiddenSizeAndTheFactorsOneAndATenth) {
  std::set<Format> formats;
  bool deepseek_v3 = false, topk1 = false, topk32 = false, odd_hidden = false, scale1 = false, scale_tenth = false;
  for (const CombineCaseSpec& s : combine_case_specs()) {
    formats.insert(s.format);
    deepseek_v3 |= s.config.topk == 8 && s.config.routed_scaling_factor == 2.5;
    topk1 |= s.config.topk == 1;
    topk32 |= s.config.topk == 32;
    odd_hidden |= s.config.hidden % 2 == 1;
    scale1 |= s.config.routed_scaling_factor == 1.0;
    scale_tenth |= s.config.routed_scaling_factor == static_cast<double>(0.1f);
    EXPECT_EQ(s.config.validate(), "") << s.group();
  }
  EXPECT_EQ(formats, (std::set<Format>{Format::bf16, Format::fp16, Format::fp32}));
  EXPECT_TRUE(deepseek_v3 && topk1 && topk32 && odd_hidden && scale1 && scale_tenth);
  EXPECT_EQ(combine_case_specs().size(), 3 * 6u) << "each configuration in each format";
}

TEST(GoldenCombineFile, InputsAreDeterministicOfEitherSignOverSeveralBinadesWithWeightsNotSummingToOne) {
  const CombineConfig c{8, 64, 2.5};
  const CombineInputs a = golden_combine_inputs(c, Format::bf16, 4, 7), b = golden_combine_inputs(c, Format::bf16, 4, 7);
  EXPECT_EQ(a.routed, b.routed);
  EXPECT_EQ(a.shared, b.shared);
  EXPECT_TRUE(same_combine_bits(a.weights, b.weights));
  EXPECT_NE(a.routed, golden_combine_inputs(c, Format::bf16, 4, 8).routed) << "another seed, other inputs";
  EXPECT_EQ(check_sizes(c, a), "");
  std::set<int> binades;
  int negative = 0;
  for (std::uint32_t y : a.routed) {
    const double v = decode(Format::bf16, y);
    ASSERT_TRUE(std::isfinite(v) && v != 0.0);
    binades.insert(std::ilogb(v));
    negative += v < 0;
  }
  EXPECT_GE(binades.size(), 10u);
  EXPECT_GT(negative, static_cast<int>(a.routed.size()) / 3);
  EXPECT_LT(negative, 2 * static_cast<int>(a.routed.size()) / 3);
  for (std::int64_t t = 0; t < a.tokens; ++t) {
    double sum = 0;
    for (int k = 0; k < c.topk; ++k) {
      const float w = a.weights[static_cast<std::size_t>(t * c.topk + k)];
      EXPECT_TRUE(w > 0.0f && w < 1.0f) << w;
      sum += w;
    }
    EXPECT_NE(sum, 1.0);
  }
}

TEST(GoldenCombineFile, EveryKernelThatClaimsACaseIsRecordedAndPasses) {
  const CombineGoldenFile f = combine_file();
  for (const CombineGoldenCase& c : f.cases) {
    SCOPED_TRACE(c.name + " " + std::string(name(c.inputs.format)));
    EXPECT_EQ(c.kernels.size(), combine_kernels_for(runnable_combine_kernels(), c.config, c.inputs.format).size());
    EXPECT_FALSE(c.kernels.empty());
    for (const CombineKernelFigures& k : c.kernels) {
      EXPECT_TRUE(k.passes()) << k.kernel << ": " << k.budget_breaches << " breaches";
      EXPECT_GT(k.frac_correctly_rounded, 0.0) << k.kernel;
      EXPECT_FALSE(k.worst_index.empty()) << k.kernel;
    }
  }
}

TEST(GoldenCombineFile, RegenWritesTheSameBytesEveryTime) {
  TempDir a, b;
  CombineBuildOptions o;
  o.kernels = runnable_combine_kernels();
  regen_combine_golden(a.str(), o, false);
  regen_combine_golden(b.str(), o, false);
  const std::string file = std::string(kCombineOpName) + ".h5";
  EXPECT_EQ(testing::read_bytes(a.file(file)), testing::read_bytes(b.file(file)));
  EXPECT_EQ(testing::entries(a.str()), std::set<std::string>{file}) << "no temporary and no lock file left";
}

TEST(GoldenCombineFile, AFailedWriteLeavesTheOldFileAsItWas) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  CombineBuildOptions o;
  o.kernels = runnable_combine_kernels();
  regen_combine_golden(dir.str(), o, false);
  const std::string before = testing::read_bytes(path);
  o.seed = 2;
  EXPECT_THROW(regen_combine_golden(dir.str(), o, false, {}, [] { throw std::runtime_error("killed"); }),
               std::runtime_error);
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(testing::entries(dir.str()), std::set<std::string>{std::filesystem::path(path).filename().string()})
      << "the temporary is removed";
}

TEST(GoldenCombineFile, ATruncatedFileIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  write_combine_golden(path, combine_file());
  testing::truncate_file(path, 0.5);
  try {
    read_combine_golden(path);
    FAIL() << "a truncated file was read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ulpcheck golden regen --op moe_combine"), std::string::npos) << e.what();
  }
}

TEST(GoldenCombineFile, StringsPointingPastTheirHeapAreAGoldenErrorNamingTheFile) {
  // The file format of these files checksums the object headers that hold the strings'
  // references, so HDF5 refuses them before it follows one (elementwise files, in the
  // earliest format, rely on the reader's crash check: golden_file_test).
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  write_combine_golden(path, combine_file());
  ASSERT_GT(testing::point_strings_past_their_heap(path), 0);
  testing::expect_golden_error_naming(path, [&] { read_combine_golden(path); });
}

TEST(GoldenCombineFile, ADatasetThatDisagreesWithItsConfigurationIsNamed) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  write_combine_golden(path, combine_file());
  // 7 experts instead of 8: routed_bits holds 2 tokens * 8 rows of 256.
  testing::edit_attribute(path, "/fp16/deepseek_v3", "topk", 7);
  try {
    read_combine_golden(path);
    FAIL() << "a file whose routed outputs disagree with topk was read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("/fp16/deepseek_v3/routed_bits has shape [16, 256], expected [14, 256]"),
              std::string::npos)
        << e.what();
  }
}

TEST(GoldenCombineFile, AnInvalidConfigurationIsNamed) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  write_combine_golden(path, combine_file());
  testing::edit_attribute(path, "/bf16/topk=1", "routed_scaling_factor", 0.1);  // not an fp32 value
  try {
    read_combine_golden(path);
    FAIL() << "a factor kernels cannot receive was read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("/bf16/topk=1 holds an invalid combine configuration"), std::string::npos)
        << e.what();
  }
}

TEST(GoldenCombineFile, AnElementwiseReaderNamesTheCombineLayout) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  write_combine_golden(path, combine_file());
  try {
    read_golden(path);
    FAIL() << "the elementwise reader took a combine file";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("MoE combine layout"), std::string::npos) << e.what();
  }
}

// golden/data/moe_combine.h5 is what regen writes with this build: it verifies (inputs,
// answers and every host kernel's figures recomputed; the tool version, which a version bump
// changes, is provenance and not compared). `ulpcheck golden regen --op moe_combine`
// rewrites it.
TEST(GoldenCombineFile, TheCommittedFileVerifies) {
  const std::string dir = ULPCHECK_GOLDEN_DATA;
  const std::string path = golden_path(dir, kCombineOpName);
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run ulpcheck golden regen --op moe_combine";
  EXPECT_LT(std::filesystem::file_size(path), 1000000u) << "the committed file stays well under 1 MB";
  const CombineGoldenFile committed = read_combine_golden(path);
  EXPECT_EQ(committed.cases.size(), combine_case_specs().size());
  const VerifyResult r = verify_combine_golden(path, committed, runnable_combine_kernels());
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(r.notes.empty()) << ::testing::PrintToString(r.notes);
}

}  // namespace
}  // namespace ulpcheck::golden
