// Words of a command line a user can paste back into a POSIX shell.
#pragma once

#include <string>

namespace ulpcheck::cli {

/// `text` as one word for a POSIX shell: in single quotes, a quote inside as '\''.
inline std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace ulpcheck::cli
