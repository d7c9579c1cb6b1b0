// What the golden files' verify tests expect of an edited or damaged file: its problems as
// `ulpcheck golden verify` reports them, the first naming the file, the object and what is
// wrong.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "ulpcheck/golden/elementwise/golden_file.hpp"

namespace ulpcheck::testing {

/// The problems `verify()` finds; a file that cannot be read at all is one problem, as
/// `ulpcheck golden verify` reports it.
template <class Verify>
std::vector<std::string> verify_problems(Verify verify) {
  try {
    return verify().problems;
  } catch (const golden::GoldenError& e) {
    return {e.what()};
  }
}

/// At least one problem, and the first names the file, the object and every part.
inline void expect_first_problem_names(const std::vector<std::string>& found, const std::string& path,
                                       const std::string& object, std::initializer_list<std::string> parts) {
  ASSERT_FALSE(found.empty()) << "verify passed the edited file";
  EXPECT_NE(found[0].find(path + ": " + object + " "), std::string::npos) << found[0];
  for (const std::string& p : parts) EXPECT_NE(found[0].find(p), std::string::npos) << found[0];
}

/// `read` of the damaged file at `path` ends in a GoldenError that names the file.
template <class Read>
void expect_golden_error_naming(const std::string& path, Read read) {
  try {
    read();
    ADD_FAILURE() << "the damaged file " << path << " was read";
  } catch (const golden::GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace ulpcheck::testing
