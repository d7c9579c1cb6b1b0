// Golden files round-trip exactly, are written atomically and without timestamps, and every
// kind of damage (missing, not HDF5, truncated, wrong schema, missing or short datasets,
// flipped bytes) is a GoldenError that names the file, the object and the next step.
#include "ulpcheck/golden/elementwise/golden_file.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <fstream>
#include <stdexcept>

#include "tests/golden/h5_edit.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

GoldenFile small_file(const char* op, std::int64_t samples = 300) {
  BuildOptions o;
  o.samples = samples;
  o.seed = 7;
  o.kernels = runnable_kernels();
  return build_golden(*find_op(op), o);
}

/// The message of the GoldenError that reading `path` throws ("" when it reads fine).
std::string read_error(const std::string& path) {
  try {
    read_golden(path);
  } catch (const GoldenError& e) {
    return e.what();
  }
  return "";
}

/// Bit for bit (NaNs are stored too, and NaN != NaN).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void expect_same_elements(const Elements& a, const Elements& b) {
  EXPECT_EQ(a.x0_bits, b.x0_bits);
  EXPECT_EQ(a.x1_bits, b.x1_bits);
  EXPECT_TRUE(same_bits(a.exact_hi, b.exact_hi));
  EXPECT_TRUE(same_bits(a.exact_lo, b.exact_lo));
  EXPECT_EQ(a.rounded_bits, b.rounded_bits);
}

TEST(GoldenFile_silu_and_mul_clamp, WriteThenReadGivesBackEveryValue) {
  TempDir dir;
  const GoldenFile written = small_file("silu_and_mul_clamp");
  const std::string path = golden_path(dir.str(), "silu_and_mul_clamp");
  write_golden(path, written);
  const GoldenFile read = read_golden(path);
  EXPECT_EQ(read.schema_version, kSchemaVersion);
  EXPECT_EQ(read.op, "silu_and_mul_clamp");
  EXPECT_EQ(read.formula, written.formula);
  EXPECT_EQ(read.oracle_method, written.oracle_method);
  EXPECT_EQ(read.device, written.device);
  ASSERT_EQ(read.cases.size(), written.cases.size());
  ASSERT_EQ(read.cases.size(), 15u) << "3 dtypes x limits 0, 7, 7.3, 10, inf";
  for (std::size_t i = 0; i < read.cases.size(); ++i) {
    const GoldenCase& r = read.cases[i];
    const GoldenCase& w = written.cases[i];
    SCOPED_TRACE(w.name);
    EXPECT_EQ(r.name, w.name) << "cases are read back in the order written";
    EXPECT_EQ(r.format, w.format);
    EXPECT_EQ(r.params.values(), w.params.values());
    EXPECT_EQ(r.seed, w.seed);
    EXPECT_EQ(r.samples, w.samples);
    EXPECT_EQ(r.input, w.input);
    expect_same_elements(r.data, w.data);
    ASSERT_EQ(r.kernels.size(), w.kernels.size());
    for (std::size_t k = 0; k < r.kernels.size(); ++k) {
      EXPECT_EQ(r.kernels[k].kernel, w.kernels[k].kernel);
      EXPECT_EQ(r.kernels[k].max_ulp, w.kernels[k].max_ulp);
      EXPECT_EQ(r.kernels[k].p999, w.kernels[k].p999);
      EXPECT_EQ(r.kernels[k].frac_correctly_rounded, w.kernels[k].frac_correctly_rounded);
      EXPECT_EQ(r.kernels[k].worst_index, w.kernels[k].worst_index);
    }
  }
  EXPECT_EQ(read.cases[2].name, "limit=7.3");
}

TEST(GoldenFile_silu, SameContentGivesTheSameBytes) {
  // No creation or modification time is stored anywhere, so a regen that changes nothing
  // changes no byte, and a diff of golden files shows only real changes.
  TempDir dir;
  const GoldenFile f = small_file("silu");
  write_golden(dir.file("a.h5"), f);
  write_golden(dir.file("b.h5"), small_file("silu"));
  EXPECT_EQ(testing::read_bytes(dir.file("a.h5")), testing::read_bytes(dir.file("b.h5")));
}

TEST(GoldenFile_silu, AFailureBeforeTheRenameLeavesTheOldFileIntact) {
  TempDir dir;
  const std::string path = dir.file("silu.h5");
  write_golden(path, small_file("silu", 100));
  const std::string before = testing::read_bytes(path);
  EXPECT_THROW(write_golden(path, small_file("silu", 500), [] { throw std::runtime_error("killed"); }),
               std::runtime_error);
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(testing::entries(dir.str()), std::set<std::string>{"silu.h5"}) << "the temporary is removed";
}

TEST(GoldenFile_silu, AnUnwritableDirectoryIsAGoldenErrorNamingThePath) {
  try {
    write_golden("/nonexistent-dir/silu.h5", small_file("silu", 10));
    FAIL() << "no error";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/silu.h5"), std::string::npos) << e.what();
  }
}

// --- damage: each is reported with the file, what is wrong, and how to fix it

class DamagedGoldenFile : public ::testing::Test {
 protected:
  void SetUp() override { write_golden(path, small_file("silu_and_mul")); }
  void expect_error(std::initializer_list<const char*> parts) {
    const std::string message = read_error(path);
    ASSERT_FALSE(message.empty()) << "read_golden accepted the damaged file";
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("ulpcheck golden regen --op silu_and_mul"), std::string::npos) << message;
    for (const char* p : parts) EXPECT_NE(message.find(p), std::string::npos) << "missing '" << p << "' in: " << message;
  }
  TempDir dir;
  std::string path = dir.file("silu_and_mul.h5");
};

TEST_F(DamagedGoldenFile, MissingFile) {
  std::filesystem::remove(path);
  expect_error({"no such file"});
}

TEST_F(DamagedGoldenFile, NotHdf5) {
  std::ofstream(path) << "x0,x1\n1,2\n";
  expect_error({"is not an HDF5 file"});
}

TEST_F(DamagedGoldenFile, Truncated) {
  testing::truncate_file(path, 0.5);
  expect_error({});
}

TEST_F(DamagedGoldenFile, WrongSchemaVersion) {
  testing::edit_attribute(path, "/", "schema_version", 2);
  expect_error({"schema_version 2, expected 1"});
}

TEST_F(DamagedGoldenFile, MissingDataset) {
  testing::delete_object(path, "/fp16/all/exact_lo");
  expect_error({"/fp16/all/exact_lo", "is missing"});
}

TEST_F(DamagedGoldenFile, MissingKernelFigure) {
  testing::delete_object(path, "/bf16/all/kernels/host.composite/worst_index");
  expect_error({"/bf16/all/kernels/host.composite/worst_index"});
}

TEST_F(DamagedGoldenFile, WorstIndexOutsideTheCase) {
  testing::edit_element<std::int64_t>(path, "/bf16/all/kernels/host.composite/worst_index", 0, 1 << 30);
  expect_error({"/bf16/all/kernels/host.composite/worst_index", "outside"});
}

TEST_F(DamagedGoldenFile, StringsPointingPastTheirHeapAreAnErrorNotACrash) {
  // HDF5 1.10.8 reads a variable-length string at the heap index the file gives, unchecked:
  // read in-process, such a file ended the reader (and `golden verify`) with SIGSEGV.
  ASSERT_GT(testing::point_strings_past_their_heap(path), 0);
  expect_error({"makes the HDF5 library crash as it is read", "the file is damaged"});
}

TEST_F(DamagedGoldenFile, FlippedBytesFailTheChecksum) {
  // Every chunk carries a Fletcher-32 checksum.
  testing::flip_chunk_bytes(path, "/bf16/all/exact_hi", 8);
  expect_error({"/bf16/all/exact_hi", "cannot be read"});
}

}  // namespace
}  // namespace ulpcheck::golden
