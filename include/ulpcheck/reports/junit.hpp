// JUnit XML for CI systems: one testcase per fuzz property run.
#pragma once

#include <string>
#include <vector>

#include "ulpcheck/properties/fuzz.hpp"

namespace ulpcheck {

/// The XML text: suite "ulpcheck.fuzz", testcase classname "<kernel>.<op>.<dtype>" and
/// name "<property>", a <failure> carrying the explanation, minimal case and replay token.
std::string junit_xml(const std::vector<FuzzResult>& results);

}  // namespace ulpcheck
