// The routing golden file: what regen builds is read back exactly, the same content gives
// the same bytes, a killed write leaves the old file, and a truncated file or one whose
// datasets disagree with their configuration is refused naming the object.
#include "ulpcheck/golden/routing/golden_file.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/golden/routing/regen.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

RoutingGoldenFile small_file(std::int64_t tokens = 24) {
  RoutingBuildOptions o;
  o.tokens = tokens;
  o.kernels = runnable_routing_kernels();
  return build_routing_golden(o);
}

/// Doubles compared by their bits: -0, NaN and the lo parts must survive as written.
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if constexpr (std::is_same_v<T, double>) {
      if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
    } else if (a[i] != b[i]) {
      return false;
    }
  return true;
}

void expect_same_answers(const RoutingAnswers& a, const RoutingAnswers& b) {
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_TRUE(same_bits(a.weights_hi, b.weights_hi));
  EXPECT_TRUE(same_bits(a.weights_lo, b.weights_lo));
  EXPECT_EQ(a.groups, b.groups);
  EXPECT_TRUE(same_bits(a.group_margin, b.group_margin));
  EXPECT_TRUE(same_bits(a.expert_margin, b.expert_margin));
}

TEST(GoldenRoutingFile, ARoundTripKeepsEveryCaseAnswerAndFigure) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  const RoutingGoldenFile written = small_file();
  write_routing_golden(path, written);
  const RoutingGoldenFile read = read_routing_golden(path);
  EXPECT_EQ(read.op, kRoutingOpName);
  EXPECT_EQ(read.schema_version, 1);
  EXPECT_EQ(read.formula, kRoutingFormula);
  ASSERT_EQ(read.cases.size(), routing_case_specs().size());
  for (std::size_t i = 0; i < read.cases.size(); ++i) {
    const RoutingGoldenCase &w = written.cases[i], &r = read.cases[i];
    SCOPED_TRACE(routing_case_specs()[i].group());
    EXPECT_EQ(r.name, w.name);
    EXPECT_EQ(r.config, w.config);
    EXPECT_EQ(r.seed, w.seed);
    EXPECT_EQ(r.logits_distribution.label(), w.logits_distribution.label());
    EXPECT_EQ(r.bias_distribution.label(), w.bias_distribution.label());
    EXPECT_EQ(r.inputs.logits_format, w.inputs.logits_format);
    EXPECT_EQ(r.inputs.bias_format, w.inputs.bias_format);
    EXPECT_EQ(r.inputs.tokens, 24);
    EXPECT_EQ(r.inputs.logits, w.inputs.logits);
    EXPECT_EQ(r.inputs.bias, w.inputs.bias);
    expect_same_answers(r.answers, w.answers);
    ASSERT_EQ(r.kernels.size(), w.kernels.size());
    for (std::size_t k = 0; k < r.kernels.size(); ++k) {
      EXPECT_EQ(r.kernels[k].kernel, w.kernels[k].kernel);
      EXPECT_EQ(r.kernels[k].claim.arithmetic, w.kernels[k].claim.arithmetic);
      EXPECT_EQ(r.kernels[k].claim.weights.max_ulp, w.kernels[k].claim.weights.max_ulp);
      EXPECT_EQ(r.kernels[k].claim.min_score_sum, w.kernels[k].claim.min_score_sum);
      EXPECT_EQ(r.kernels[k].matches, w.kernels[k].matches);
      EXPECT_EQ(r.kernels[k].near_ties, w.kernels[k].near_ties);
      EXPECT_EQ(r.kernels[k].max_weight_ulp, w.kernels[k].max_weight_ulp);
      EXPECT_EQ(r.kernels[k].p99_weight_ulp, w.kernels[k].p99_weight_ulp);
      EXPECT_EQ(r.kernels[k].near_tie_tokens, w.kernels[k].near_tie_tokens);
    }
  }
}

TEST(GoldenRoutingFile, CasesCoverTheCheckpointBiasesAndEveryKindOfConfiguration) {
  bool softmax = false, not_renormalized = false, one_group = false, every_group = false, odd = false, bits = false;
  int deepseek_v3 = 0;
  for (const RoutingCaseSpec& s : routing_case_specs()) {
    deepseek_v3 += s.config == RoutingConfig::deepseek_v3() && s.logits_distribution.kind != Distribution::Kind::bits;
    softmax |= s.config.scoring == Scoring::softmax;
    not_renormalized |= !s.config.renormalize;
    one_group |= s.config.topk_group == 1 && s.config.n_group > 1;
    every_group |= s.config.topk_group == s.config.n_group && s.config.n_group > 1;
    odd |= s.config.experts % 2 == 1;
    bits |= s.logits_distribution.kind == Distribution::Kind::bits;
  }
  EXPECT_EQ(deepseek_v3, 5 * 3) << "five format pairs times the three checkpoint biases";
  EXPECT_TRUE(softmax && not_renormalized && one_group && every_group && odd && bits);
}

TEST(GoldenRoutingFile, TheSameContentGivesTheSameBytes) {
  TempDir dir;
  const RoutingGoldenFile f = small_file(8);
  write_routing_golden(dir.file("a.h5"), f);
  write_routing_golden(dir.file("b.h5"), small_file(8));
  EXPECT_EQ(testing::read_bytes(dir.file("a.h5")), testing::read_bytes(dir.file("b.h5")));
}

TEST(GoldenRoutingFile, AFailedWriteLeavesTheOldFileAsItWas) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  write_routing_golden(path, small_file(8));
  const std::string before = testing::read_bytes(path);
  EXPECT_THROW(write_routing_golden(path, small_file(9), [] { throw std::runtime_error("killed"); }),
               std::runtime_error);
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(testing::entries(dir.str()), std::set<std::string>{std::filesystem::path(path).filename().string()})
      << "the temporary is removed";
}

TEST(GoldenRoutingFile, ATruncatedFileIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  write_routing_golden(path, small_file(8));
  testing::truncate_file(path, 0.5);
  try {
    read_routing_golden(path);
    FAIL() << "a truncated file was read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ulpcheck golden regen --op biased_grouped_topk"), std::string::npos)
        << e.what();
  }
}

TEST(GoldenRoutingFile, StringsPointingPastTheirHeapAreAGoldenErrorNamingTheFile) {
  // The file format of these files checksums the object headers that hold the strings'
  // references, so HDF5 refuses them before it follows one (elementwise files, in the
  // earliest format, rely on the reader's crash check: golden_file_test).
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  write_routing_golden(path, small_file(4));
  ASSERT_GT(testing::point_strings_past_their_heap(path), 0);
  testing::expect_golden_error_naming(path, [&] { read_routing_golden(path); });
}

TEST(GoldenRoutingFile, ADatasetThatDisagreesWithItsConfigurationIsNamed) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  write_routing_golden(path, small_file(8));
  // keep 3 of 8 groups instead of 4: /groups holds 4 per token.
  testing::edit_attribute(path, "/bf16+fp32/deepseek_v3.bias=around_7", "topk_group", 3);
  try {
    read_routing_golden(path);
    FAIL() << "a file whose groups disagree with topk_group was read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("/bf16+fp32/deepseek_v3.bias=around_7/groups has shape [8, 4], expected [8, 3]"),
              std::string::npos)
        << e.what();
  }
}

TEST(GoldenRoutingFile, AnElementwiseReaderNamesTheRoutingLayout) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  write_routing_golden(path, small_file(4));
  try {
    read_golden(path);
    FAIL() << "the elementwise reader took a routing file";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("routing layout"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ulpcheck::golden
