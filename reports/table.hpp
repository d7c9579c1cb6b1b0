// One table of a report, built once by its section and written as Markdown or as HTML:
// columns with their alignment, rows of cells, each cell a few spans whose style says
// what they are (a name, a figure that fails, a verdict) rather than how either format
// shows them. Internal to reports/.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ulpcheck::report_table {

enum class Align { left, right };

enum class Style {
  text,     // plain text
  code,     // a bit pattern or an identifier: `x` / <code>x</code>
  name,     // an identifier named in a summary: plain in Markdown, <code> in HTML
  math,     // text with powers "2^-21": plain in Markdown, 2<sup>&minus;21</sup> in HTML
  flag,     // a figure that fails: bold in Markdown; HTML marks the row (Row::fail) instead
  alarm,    // a word already loud ("BREACH"): plain in Markdown, bold in HTML
  note,     // a side remark: plain in Markdown, muted in HTML
  verdict,  // "PASS" or "FAIL": PASS / **FAIL** in Markdown, a badge in HTML
  dash,     // no value: "-" / &ndash;
  gap,      // between two parts of one cell: a space in Markdown, a line break in HTML
  param,    // a parameter set's label: plain in Markdown, a chip in HTML
  bits,     // a bit pattern after its value: (`x`) / <code>x</code>
  // Where the two formats word a cell differently (a terse Markdown matrix, a verbose HTML
  // one), each format's own text:
  markdown_only,  // written by Markdown alone
  html_only,      // written by HTML alone, as HTML (the section's own markup, already escaped)
};

struct Span {
  std::string text;
  Style style = Style::text;
  std::string href;  // HTML only: the span links there
  Span(std::string t, Style s = Style::text, std::string link = {})  // NOLINT: text converts
      : text(std::move(t)), style(s), href(std::move(link)) {}
  Span(const char* t) : Span(std::string(t)) {}  // NOLINT
};

struct Cell {
  std::vector<Span> spans;
  std::string title;       // HTML only: the cell's tooltip
  std::string html_class;  // HTML only: a class of its own, after the column's ("big")
  Cell() = default;
  Cell(std::string text) : spans{{std::move(text)}} {}  // NOLINT: plain text converts
  Cell(const char* text) : spans{{text}} {}             // NOLINT
  Cell(Span s) : spans{std::move(s)} {}                 // NOLINT
  Cell(std::initializer_list<Span> s) : spans(s) {}
};

inline Span code(std::string s) { return {std::move(s), Style::code}; }
inline Span name(std::string s) { return {std::move(s), Style::name}; }
inline Span math(std::string s) { return {std::move(s), Style::math}; }
inline Span alarm(std::string s) { return {std::move(s), Style::alarm}; }
inline Span note(std::string s) { return {std::move(s), Style::note}; }
inline Span verdict(bool pass) { return {pass ? "PASS" : "FAIL", Style::verdict}; }
inline Span dash() { return {"-", Style::dash}; }
inline Span gap() { return {" ", Style::gap}; }
inline Span param(std::string s) { return {std::move(s), Style::param}; }
inline Span bits(std::string s) { return {std::move(s), Style::bits}; }
inline Span markdown_only(std::string s) { return {std::move(s), Style::markdown_only}; }
inline Span html_only(std::string s) { return {std::move(s), Style::html_only}; }
/// A count that fails when it is not 0: "**3**" in Markdown, its row marked in HTML.
inline Span flag(std::string s) { return {std::move(s), Style::flag}; }

struct Column {
  Cell header;
  Align align = Align::left;
  std::optional<Align> html_align = std::nullopt;  // HTML's, where it differs
};

/// The formats that write a row: both, or one alone where the two present a table apart.
enum class Shown { both, markdown, html };

struct Row {
  std::vector<Cell> cells;
  bool fail = false;  // HTML: the row is marked as failing
  Shown shown = Shown::both;
};

/// Columns under a common heading: Markdown writes "title: header" over the first of them,
/// HTML a header cell spanning them above theirs.
struct Group {
  Cell title;
  std::size_t first = 0, size = 0;
};

struct Table {
  Table() = default;
  explicit Table(std::vector<Column> c) : columns(std::move(c)) {}
  std::vector<Column> columns;
  std::vector<Row> rows;
  std::vector<Group> groups;  // in column order, not overlapping
  std::string html_class;    // the <table>'s class, if any
  bool scroll = true;        // HTML: inside a horizontally scrolling <div>
  std::string scroll_style;  // HTML: that <div>'s style, if any
};

/// Right-aligned columns, for figures.
inline Column right(Cell header) { return {std::move(header), Align::right}; }

/// The header, its alignment line and a line per row, then an empty line.
std::string render_markdown(const Table& t);

/// <table> with a <thead> and a <tbody>, right-aligned cells of class "n", failing rows of
/// class "fail"; inside <div class="scroll"> when t.scroll.
std::string render_html(const Table& t);

/// One cell alone, as the table renderers write it.
std::string cell_markdown(const Cell& c);
std::string cell_html(const Cell& c);

/// The HTML of text that may hold powers "2^N" and minus signs (range labels, budgets).
std::string pow_html(const std::string& text);

/// A verdict badge: <span class="badge pass">PASS</span>.
std::string badge_html(bool pass);

}  // namespace ulpcheck::report_table
