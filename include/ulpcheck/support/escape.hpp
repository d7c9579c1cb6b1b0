// Text put into markup.
#pragma once

#include <string>
#include <string_view>

namespace ulpcheck {

/// `text` with &, <, >, " and ' replaced by character references: safe in HTML text, in
/// attribute values, in SVG, and in the XML of JUnit reports.
std::string html_escape(std::string_view text);

}  // namespace ulpcheck
