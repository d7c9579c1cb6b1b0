// GoogleTest assertions that a kernel stays within the error budget it claims, for the test
// suites of kernel repositories. Header-only, over the C API (ulpcheck.h) alone: a test links
// libulpcheck.so and GoogleTest (CMake: ulpcheck::gtest) and nothing else of ulpcheck.
//
//   ULPCHECK_EXPECT_WITHIN_BUDGET("silu_and_mul", "bf16", kMySiluAndMul);
//   ULPCHECK_EXPECT_WITHIN_BUDGET_FOR("silu_and_mul_clamp", "bf16", kMySiluAndMulClamp,
//                                     R"({"params": {"limit": [7.0]}, "samples": 20000})");
//
// The kernel is an ulpcheck_elementwise_kernel (kernel_abi.h), the descriptor a plugin
// exports, whose budget field is the claim. The assertion registers it under its name, runs a
// "check" request for that op and dtype on it (what `ulpcheck report` measures), and takes it
// out again; it fails with ulpcheck's explanation (the first failing case, its figures against
// the claim, the worst input) when an output is outside the budget, and with the error text
// when the kernel cannot be registered or the check cannot run. The _FOR forms add the members
// of a JSON object to the request ("params", "samples", "seed"; ulpcheck_run in ulpcheck.h).
// ASSERT_ forms stop the test on failure, as GoogleTest's do.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "ulpcheck/ulpcheck.h"

namespace ulpcheck::gtest {

namespace detail {

/// `s` as a JSON string literal, quotes included.
inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// The text between the outer braces of a JSON object, "" for "{}"; false when `object` is
/// not braced. The members themselves are the library's to parse and judge.
inline bool object_members(std::string_view object, std::string& members) {
  const auto first = object.find_first_not_of(" \t\r\n");
  const auto last = object.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos || object[first] != '{' || object[last] != '}') return false;
  members = std::string(object.substr(first + 1, last - first - 1));
  if (members.find_first_not_of(" \t\r\n") == std::string::npos) members.clear();
  return true;
}

}  // namespace detail

/// Whether `kernel` holds its claimed budget on `op` in `dtype` ("bf16", "fp16", "fp32"),
/// measured by ulpcheck's "check" request with `extra_request`'s members added (a JSON
/// object; "{}" for the defaults). A failure's message says which of the kernel, the request
/// or the budget failed, and why.
inline ::testing::AssertionResult within_budget(const std::string& op, const std::string& dtype,
                                                const ulpcheck_elementwise_kernel& kernel,
                                                std::string_view extra_request = "{}") {
  // A header compiled against one API version and a library of another disagree on what
  // the calls below mean; refuse rather than misread the result.
  if (ulpcheck_api_version() != ULPCHECK_API_VERSION) {
    return ::testing::AssertionFailure() << "libulpcheck.so implements C API version " << ulpcheck_api_version()
                                         << ", ulpcheck/gtest.hpp was compiled against version "
                                         << ULPCHECK_API_VERSION << "; rebuild against the installed headers";
  }
  if (kernel.name == nullptr || kernel.name[0] == '\0') {
    return ::testing::AssertionFailure() << "the kernel descriptor for op '" << op << "' has no name";
  }
  const std::string name = kernel.name;
  const std::string what = "kernel '" + name + "' on " + op + " " + dtype;
  std::string extra;
  if (!detail::object_members(extra_request, extra)) {
    return ::testing::AssertionFailure() << what << ": the extra request '" << extra_request
                                         << "' is not a JSON object; pass e.g. {\"samples\": 20000}";
  }
  const std::string request = "{\"command\": \"check\", \"ops\": [" + detail::json_string(op) +
                              "], \"dtypes\": [" + detail::json_string(dtype) + "], \"kernels\": [" +
                              detail::json_string(name) + "]" + (extra.empty() ? "" : ", " + extra) + "}";

  char error[1024] = "";
  if (ulpcheck_register_kernels(&kernel, 1, nullptr, 0, error, sizeof error) != 0) {
    return ::testing::AssertionFailure() << what << ": could not register the kernel: " << error;
  }
  ulpcheck_result* result = nullptr;
  const int status = ulpcheck_run(request.c_str(), &result, error, sizeof error);
  // Taken out before the result is judged, so the next assertion may register the name again.
  char unregister_error[1024] = "";
  const int unregistered = ulpcheck_unregister_kernel(name.c_str(), unregister_error, sizeof unregister_error);

  if (status != 0) {
    return ::testing::AssertionFailure() << what << ": the check did not run ("
                                         << (status == 1 ? "the kernel failed" : "bad request")
                                         << "): " << error << "\nrequest: " << request;
  }
  const bool passed = ulpcheck_result_passed(result) == 1;
  const std::string explanation = ulpcheck_result_explanation(result);
  ulpcheck_result_free(result);
  if (!passed) {
    return ::testing::AssertionFailure() << what << " is not within its claimed budget:\n" << explanation;
  }
  if (unregistered != 0) {
    return ::testing::AssertionFailure() << what << ": passed, but could not be unregistered: " << unregister_error;
  }
  return ::testing::AssertionSuccess();
}

/// Predicate formatters for GoogleTest's EXPECT_PRED_FORMATn: the message above is the whole
/// failure message, with no "Value of: ..." around it.
inline ::testing::AssertionResult within_budget_format(const char*, const char*, const char*, const std::string& op,
                                                       const std::string& dtype,
                                                       const ulpcheck_elementwise_kernel& kernel) {
  return within_budget(op, dtype, kernel);
}
inline ::testing::AssertionResult within_budget_for_format(const char*, const char*, const char*, const char*,
                                                           const std::string& op, const std::string& dtype,
                                                           const ulpcheck_elementwise_kernel& kernel,
                                                           std::string_view extra_request) {
  return within_budget(op, dtype, kernel, extra_request);
}

}  // namespace ulpcheck::gtest

#define ULPCHECK_EXPECT_WITHIN_BUDGET(op, dtype, kernel) \
  EXPECT_PRED_FORMAT3(::ulpcheck::gtest::within_budget_format, op, dtype, kernel)
#define ULPCHECK_ASSERT_WITHIN_BUDGET(op, dtype, kernel) \
  ASSERT_PRED_FORMAT3(::ulpcheck::gtest::within_budget_format, op, dtype, kernel)
#define ULPCHECK_EXPECT_WITHIN_BUDGET_FOR(op, dtype, kernel, extra_request) \
  EXPECT_PRED_FORMAT4(::ulpcheck::gtest::within_budget_for_format, op, dtype, kernel, extra_request)
#define ULPCHECK_ASSERT_WITHIN_BUDGET_FOR(op, dtype, kernel, extra_request) \
  ASSERT_PRED_FORMAT4(::ulpcheck::gtest::within_budget_for_format, op, dtype, kernel, extra_request)
