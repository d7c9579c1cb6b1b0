#include "ulpcheck/reports/junit.hpp"

#include <fmt/format.h>

#include "ulpcheck/support/escape.hpp"

namespace ulpcheck {

std::string junit_xml(const std::vector<FuzzResult>& results) {
  int failures = 0;
  double seconds = 0;
  for (const FuzzResult& r : results) {
    failures += !r.passed;
    seconds += r.seconds;
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n", results.size(), failures, seconds);
  xml += fmt::format("  <testsuite name=\"ulpcheck.fuzz\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     results.size(), failures, seconds);
  for (const FuzzResult& r : results) {
    // id = kernel/op/dtype/property
    const auto last = r.id.rfind('/');
    std::string classname = r.id.substr(0, last);
    for (char& ch : classname)
      if (ch == '/') ch = '.';
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", html_escape(classname),
                       html_escape(r.id.substr(last + 1)), r.seconds);
    if (r.passed) {
      xml += fmt::format("><system-out>{} cases passed</system-out></testcase>\n", r.cases);
    } else {
      xml += fmt::format(">\n      <failure message=\"failed after {} passing cases\">{}\nminimal case:\n{}\nreplay: "
                         "ulpcheck fuzz --replay '{}'</failure>\n    </testcase>\n",
                         r.cases, html_escape(r.failure), html_escape(r.counterexample), html_escape(r.replay_token));
    }
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace ulpcheck
