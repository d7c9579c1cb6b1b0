// Exhaustive sweeps in a golden file: a record reads back as written, recording again
// replaces the same sweep and keeps the others, a changed kernel differs from its record
// figure by figure, and a damaged or foreign file is refused naming the object.
#include "ulpcheck/golden/exhaustive/record.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

/// Every bf16 input of gelu through `kernel`: the host path of an exhaustive sweep.
ExhaustiveRecord gelu_bf16(const char* kernel) {
  const ElementwiseOp& op = *find_op("gelu");
  return record_of(run_exhaustive_part(op, *find_kernel(kernel), Format::bf16, op.default_params(), Shard{}));
}

TEST(ExhaustiveRecord, ReadsBackAsWritten) {
  TempDir dir;
  const std::string path = dir.file(kExhaustiveFile);
  const ExhaustiveRecord r = gelu_bf16("host.single_rounding");
  EXPECT_EQ(r.elements, 65536);
  EXPECT_EQ(r.case_name, "all");
  ASSERT_FALSE(r.worst_index.empty());
  record_exhaustive(path, {r});
  const ExhaustiveFile f = read_exhaustive(path);
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_TRUE(differences(f.records[0], r).empty());
  EXPECT_EQ(f.records[0].label(), "gelu bf16 all host.single_rounding");
  EXPECT_EQ(f.records[0].space, r.space);
  EXPECT_EQ(f.records[0].worst_ulp, r.worst_ulp);
}

TEST(ExhaustiveRecord, RecordingAgainReplacesTheSameSweepAndKeepsTheOthers) {
  TempDir dir;
  const std::string path = dir.file(kExhaustiveFile);
  const ExhaustiveRecord single = gelu_bf16("host.single_rounding"), accurate = gelu_bf16("host.accurate");
  ExhaustiveRecord stale = single;
  stale.max_ulp = 99;
  record_exhaustive(path, {stale, accurate});
  record_exhaustive(path, {single});
  const ExhaustiveFile f = read_exhaustive(path);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[0].kernel, "host.single_rounding");
  EXPECT_TRUE(differences(f.records[0], single).empty());
  EXPECT_TRUE(differences(f.records[1], accurate).empty());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.str()), {}), 1) << "a temporary was left behind";
}

TEST(ExhaustiveRecord, AChangedKernelDiffersFigureByFigure) {
  // host.accurate computes GELU as t/2 erfc(-t/sqrt 2): other bits than host.single_rounding
  // on some inputs, as a kernel change would give.
  const ExhaustiveRecord recorded = gelu_bf16("host.single_rounding");
  ExhaustiveRecord now = gelu_bf16("host.accurate");
  now.kernel = recorded.kernel;
  const std::vector<std::string> d = differences(recorded, now);
  ASSERT_FALSE(d.empty());
  bool names_rounding = false;
  for (const std::string& line : d) names_rounding = names_rounding || line.rfind("frac_correctly_rounded: recorded", 0) == 0;
  EXPECT_TRUE(names_rounding) << d.front();
}

TEST(ExhaustiveRecord, RefusesDamagedAndForeignFiles) {
  TempDir dir;
  const std::string path = dir.file(kExhaustiveFile);
  record_exhaustive(path, {gelu_bf16("host.single_rounding")});
  const std::string group = "/gelu/bf16/all/host.single_rounding";
  {
    const std::string copy = dir.file("edited.h5");
    std::filesystem::copy_file(path, copy);
    testing::edit_attribute(copy, group, "elements", 65535.0);
    testing::delete_object(copy, group + "/worst_ulp");
    try {
      read_exhaustive(copy);
      FAIL() << "a record without worst_ulp was read";
    } catch (const GoldenError& e) {
      EXPECT_NE(std::string(e.what()).find(group + "/worst_ulp"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--golden"), std::string::npos) << e.what();
    }
  }
  {
    // Strings past their heap: refused (the format checksums the headers that hold them).
    const std::string copy = dir.file("strings.h5");
    std::filesystem::copy_file(path, copy);
    ASSERT_GT(testing::point_strings_past_their_heap(copy), 0);
    testing::expect_golden_error_naming(copy, [&] { read_exhaustive(copy); });
  }
  {
    const std::string copy = dir.file("truncated.h5");
    std::filesystem::copy_file(path, copy);
    testing::truncate_file(copy, 0.5);
    EXPECT_THROW(read_exhaustive(copy), GoldenError);
  }
  // An op's golden file is not a file of sweeps.
  TempDir other;
  const std::string op_file = other.file("gelu.h5");
  GoldenFile g;
  g.op = "gelu";
  g.formula = "x";
  write_golden(op_file, g);
  try {
    read_exhaustive(op_file);
    FAIL() << "an op's golden file was read as sweeps";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("content"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ulpcheck::golden
