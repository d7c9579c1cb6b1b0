// problem_when_read: a read that crashes or hangs in its child is named, and the caller's
// process goes on (golden/hdf5_io.hpp). Planted reads stand in for HDF5 on damaged files:
// the fuzz harness found both, a SIGSEGV in H5HG_read and a loop in H5HG__protect.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <string>

#include "golden/hdf5_io.hpp"

namespace ulpcheck::golden::h5 {
namespace {

using std::chrono::seconds;

TEST(ProblemWhenRead, AReadThatReturnsOrThrowsIsNoProblem) {
  EXPECT_EQ(problem_when_read([] {}), std::nullopt);
  // A GoldenError is the caller's to see when it reads in its own process.
  EXPECT_EQ(problem_when_read([] { throw std::runtime_error("damaged"); }), std::nullopt);
}

TEST(ProblemWhenRead, ACrashIsNamed) {
  const std::optional<std::string> p = problem_when_read([] { std::raise(SIGSEGV); });
  ASSERT_TRUE(p.has_value());
  // Under AddressSanitizer its own SIGSEGV handler ends the child (exit status 1).
  EXPECT_NE(p->find("makes the HDF5 library crash as it is read ("), std::string::npos) << *p;
  EXPECT_NE(p->find("the file is damaged"), std::string::npos) << *p;
}

TEST(ProblemWhenRead, AHangIsStoppedAtTheLimitAndNamed) {
  const auto start = std::chrono::steady_clock::now();
  const std::optional<std::string> p = problem_when_read([] { for (;;) pause(); }, seconds(1));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, "makes the HDF5 library hang as it is read (no answer in 1 s; stopped): the file is damaged");
  EXPECT_LT(took, seconds(20));
}

}  // namespace
}  // namespace ulpcheck::golden::h5
