#include "ulpcheck/reports/junit.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "ulpcheck/reports/html_report.hpp"

namespace ulpcheck {

namespace {


}  // namespace

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

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write ({})", tmp, std::strerror(errno)));
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("{}: write failed ({})", tmp, std::strerror(errno)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("{}: cannot rename {} into place ({})", path, tmp, why));
  }
}

}  // namespace ulpcheck
