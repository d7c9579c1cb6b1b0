# Writes ulpcheck.1 from the command's own help: help2man turns `ulpcheck --help` and
# `--version` into NAME, SYNOPSIS, DESCRIPTION and OPTIONS, and this script adds a COMMANDS
# section holding each subcommand's `--help` (nested ones, `golden check`, included), so the
# page cannot drift from the options the binary parses.
#
#   cmake -DULPCHECK=<binary> -DHELP2MAN=<help2man> -DINCLUDE=<static .h2m> -DOUTPUT=<ulpcheck.1> -P man_page.cmake
foreach(var ULPCHECK HELP2MAN INCLUDE OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_page.cmake: -D${var}=... is required")
  endif()
endforeach()

# CLI11 prints argv[0] in its usage lines: run the binary by its bare name from PATH so the
# page says "ulpcheck report", not the build directory's path to it.
get_filename_component(bin_dir "${ULPCHECK}" DIRECTORY)
get_filename_component(bin_name "${ULPCHECK}" NAME)
set(ENV{PATH} "${bin_dir}:$ENV{PATH}")

function(help_of words out)
  execute_process(COMMAND ${bin_name} ${words} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${words}")
    message(FATAL_ERROR "man_page.cmake: '${bin_name} ${shown} --help' exited with ${rc}: ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The names listed under "Subcommands:" in a help text, in their order.
function(subcommands_of text out)
  set(names "")
  set(in_list OFF)
  string(REPLACE "\n" ";" lines "${text}")
  foreach(line IN LISTS lines)
    if(line STREQUAL "Subcommands:")
      set(in_list ON)
    elseif(in_list AND line MATCHES "^  ([a-z][a-z0-9_-]*)( |$)")
      list(APPEND names "${CMAKE_MATCH_1}")
    elseif(in_list)
      set(in_list OFF)
    endif()
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# Plain text as roff: backslashes and hyphens escaped (so `--op` is typed as it reads), and a
# line starting with a period or quote protected from being read as a request.
function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(commands "")
function(add_command words)
  help_of("${words}" text)
  string(REPLACE ";" " " title "ulpcheck ${words}")
  # The first line is the one-line description; the rest (usage, options) stays preformatted.
  string(FIND "${text}" "\n" eol)
  string(SUBSTRING "${text}" 0 ${eol} summary)
  math(EXPR rest_start "${eol} + 1")
  string(SUBSTRING "${text}" ${rest_start} -1 rest)
  string(STRIP "${rest}" rest)
  roff_escape("${summary}" summary)
  roff_escape("${rest}" rest)
  string(APPEND commands ".SS \"${title}\"\n${summary}\n.PP\n.nf\n${rest}\n.fi\n")
  subcommands_of("${text}" subs)
  foreach(sub IN LISTS subs)
    add_command("${words};${sub}")  # appends to this scope's `commands`
  endforeach()
  set(commands "${commands}" PARENT_SCOPE)
endfunction()

help_of("" top)
subcommands_of("${top}" top_commands)
if(NOT top_commands)
  message(FATAL_ERROR "man_page.cmake: '${bin_name} --help' lists no subcommands under 'Subcommands:'; "
                      "has CLI11's help format changed?")
endif()
foreach(cmd IN LISTS top_commands)
  add_command("${cmd}")
endforeach()

file(READ "${INCLUDE}" static_sections)
set(generated "${OUTPUT}.h2m")
file(WRITE "${generated}" "[COMMANDS]\n${commands}\n${static_sections}")
execute_process(
  COMMAND "${HELP2MAN}" --no-info --include "${generated}"
          --name "how far GPU activation and MoE-routing kernels are from the exact answer"
          --output "${OUTPUT}" "${bin_name}"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed (${rc}): ${err}")
endif()
