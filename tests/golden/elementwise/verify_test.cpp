// `golden verify` recomputes what a file records and names every difference: an edited
// input, exact value, rounded output, figure or parameter, a missing or extra case, an
// edited corpus. A file just written by regen has none. What cannot be recomputed (the
// provenance, labels, members nothing reads, the corpus) is held by each group's digest:
// an edit of it, an addition, a removal or an unreadable object is named too.
#include "ulpcheck/golden/elementwise/verify.hpp"

#include <gtest/gtest.h>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

class VerifyGolden : public ::testing::Test {
 protected:
  void write(const char* op) {
    op_ = op;
    path = golden_path(dir.str(), op);
    BuildOptions o;
    o.samples = 200;
    o.kernels = runnable_kernels();
    write_golden(path, build_golden(*find_op(op), o));
  }
  VerifyResult verify() { return verify_golden(path, read_golden(path), runnable_kernels()); }
  std::vector<std::string> problems() { return testing::verify_problems([&] { return verify(); }); }
  void expect_named(const std::string& object, std::initializer_list<std::string> parts) {
    testing::expect_first_problem_names(problems(), path, object, parts);
  }
  void add_corpus_rows() {
    BitTensor rows = BitTensor::zeros(Format::bf16, 2, 2);
    rows.at(0, 0) = 0x4000;  // gate 2, up 1.5
    rows.at(0, 1) = 0x3fc0;
    rows.at(1, 0) = 0xc000;  // gate -2, up 3
    rows.at(1, 1) = 0x4040;
    ASSERT_EQ(add_to_corpus(dir.str(), *find_op(op_), Format::bf16, Params{}, rows), 2u);
    ASSERT_TRUE(problems().empty()) << ::testing::PrintToString(problems());
  }
  /// Exactly one problem, which contains every part.
  void expect_one_problem(std::initializer_list<std::string> parts) {
    const VerifyResult r = verify();
    ASSERT_EQ(r.problems.size(), 1u) << ::testing::PrintToString(r.problems);
    for (const std::string& p : parts) EXPECT_NE(r.problems[0].find(p), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find(path), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find(std::string("ulpcheck golden regen --op ") + op_), std::string::npos) << r.problems[0];
  }
  TempDir dir;
  std::string path;
  const char* op_ = "";
};

TEST_F(VerifyGolden, AFreshFileHasNoProblems) {
  write("silu_and_mul_clamp");
  const VerifyResult r = verify();
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(r.notes.empty());
}

TEST_F(VerifyGolden, AnEditedExactValueIsNamedWithItsIndex) {
  write("silu");
  testing::edit_element(path, "/fp32/all/exact_hi", 40, 1.25);
  expect_one_problem({"/fp32/all/exact_hi differs at 1 of", "first at index 40", "recorded 0x1.4p+0"});
}

TEST_F(VerifyGolden, AnEditedRoundedOutputIsNamed) {
  write("silu");
  testing::edit_element<std::uint32_t>(path, "/bf16/all/rounded_bits", 0x3f80, 0x3f81);
  expect_one_problem({"/bf16/all/rounded_bits", "index 16256", "recorded 0x3f81"});
}

TEST_F(VerifyGolden, AnEditedInputIsNamed) {
  write("silu_and_mul");
  testing::edit_element<std::uint32_t>(path, "/fp16/all/x1_bits", 3, 0x3c00);
  expect_one_problem({"/fp16/all/x1_bits", "index 3"});
}

TEST_F(VerifyGolden, AnEditedFigureIsNamed) {
  write("silu_and_mul");
  testing::edit_attribute(path, "/bf16/all/kernels/host.double_rounding", "max_ulp", 0.25);
  expect_one_problem({"/bf16/all/kernels/host.double_rounding attribute max_ulp is 0.25"});
}

TEST_F(VerifyGolden, AMissingCaseIsNamed) {
  write("silu_and_mul_clamp");
  testing::delete_object(path, "/fp16/limit=10");
  expect_one_problem({"/fp16/limit=10 is missing"});
}

TEST_F(VerifyGolden, AnEditedParameterIsNamed) {
  write("silu_and_mul_clamp");
  testing::edit_attribute(path, "/bf16/limit=7", "limit", 8.0);
  expect_one_problem({"/bf16/limit=7 has parameters 'limit=8'"});
}

TEST_F(VerifyGolden, AnEditedSeedIsCaughtByTheInputs) {
  write("silu");
  testing::edit_attribute(path, "/fp32/all", "seed", 2);
  const VerifyResult r = verify();
  ASSERT_EQ(r.problems.size(), 2u) << ::testing::PrintToString(r.problems);
  EXPECT_NE(r.problems[0].find("/fp32/all attribute input is"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find("/fp32/all/x0_bits differs at 200 of 246 elements"), std::string::npos) << r.problems[1];
}

TEST_F(VerifyGolden, AnEditedCorpusValueIsNamed) {
  write("silu_and_mul");
  BitTensor rows = BitTensor::zeros(Format::bf16, 1, 2);
  rows.at(0, 0) = 0x4000;  // gate 2
  rows.at(0, 1) = 0x3fc0;  // up 1.5
  ASSERT_EQ(add_to_corpus(dir.str(), *find_op("silu_and_mul"), Format::bf16, Params{}, rows), 1u);
  EXPECT_TRUE(verify().problems.empty());
  testing::edit_element(path, "/bf16/corpus/exact_lo", 0, 1e-30);
  expect_one_problem({"/bf16/corpus/exact_lo"});
}

TEST_F(VerifyGolden, FiguresOfAKernelThatCannotRunHereAreANoteNotAPass) {
  write("silu");
  const VerifyResult r = verify_golden(path, read_golden(path), {});
  EXPECT_TRUE(r.problems.empty());
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("not re-measured"), std::string::npos) << r.notes[0];
}

TEST_F(VerifyGolden, AnAttributeThatCannotBeReadIsNamed) {
  write("silu_and_mul");
  testing::flip_string_attribute_address(path, "/fp32", "dtype");
  expect_named("/fp32", {"attribute 'dtype' cannot be read"});
}

class EditedRootAttribute : public VerifyGolden, public ::testing::WithParamInterface<const char*> {};

TEST_P(EditedRootAttribute, IsNamed) {
  write("silu");
  testing::set_string_attribute(path, "/", GetParam(), "rewritten");
  expect_named("/", {});
}

INSTANTIATE_TEST_SUITE_P(Provenance, EditedRootAttribute,
                         ::testing::Values("tool", "oracle_method", "device", "cuda_version", "driver_version"));

TEST_F(VerifyGolden, AnEditedArityIsNamed) {
  write("silu_and_mul");
  testing::edit_attribute(path, "/", "arity", 1);
  expect_named("/", {"arity"});
}

TEST_F(VerifyGolden, AnEditedDtypeOfAFormatGroupIsNamed) {
  write("silu");
  testing::set_string_attribute(path, "/bf16", "dtype", "fp16");
  expect_named("/bf16", {"dtype"});
}

TEST_F(VerifyGolden, AnEditedParamsLabelIsNamed) {
  write("silu_and_mul_clamp");
  testing::set_string_attribute(path, "/bf16/limit=7", "params", "limit=10");
  expect_named("/bf16/limit=7", {"params", "limit=10"});
}

TEST_F(VerifyGolden, AnEditedDtypeOfTheCorpusIsNamed) {
  write("silu_and_mul");
  add_corpus_rows();
  testing::set_string_attribute(path, "/bf16/corpus", "dtype", "fp32");
  expect_named("/bf16/corpus", {"dtype"});
}

TEST_F(VerifyGolden, AnAddedAttributeIsRefusedByName) {
  write("silu");
  testing::add_attribute(path, "/bf16/all", "note", 1.0);
  expect_named("/bf16/all", {"attribute 'note'"});
}

TEST_F(VerifyGolden, AnAddedDatasetIsRefusedByName) {
  write("silu");
  testing::add_dataset(path, "/fp16/all", "extra_bits", {1.0, 2.0});
  expect_named("/fp16/all", {"'extra_bits'"});
}

TEST_F(VerifyGolden, AForgedKernelGroupIsNamed) {
  // Figures copied from a kernel that runs here, under a name that cannot run here (so
  // nothing re-measures them).
  write("silu");
  testing::copy_object(path, "/bf16/all/kernels/host.double_rounding", "/bf16/all/kernels/cuda.forged");
  expect_named("/bf16/all/kernels", {"digest"});
}

TEST_F(VerifyGolden, ADeletedCorpusIsNamed) {
  write("silu_and_mul");
  add_corpus_rows();
  testing::delete_object(path, "/bf16/corpus");
  expect_named("/bf16", {"digest"});
}

TEST_F(VerifyGolden, ACorpusRowDroppedFromEveryColumnIsNamed) {
  write("silu_and_mul");
  add_corpus_rows();
  testing::drop_last_row(path, "/bf16/corpus");
  expect_named("/bf16/corpus", {"digest"});
}

TEST_F(VerifyGolden, AnEditedSampleCountIsNamedAsItself) {
  write("silu");
  testing::edit_attribute(path, "/fp32/all", "samples", 201);
  expect_one_problem({"/fp32/all attribute samples is 201"});
}

}  // namespace
}  // namespace ulpcheck::golden
