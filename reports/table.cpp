#include "reports/table.hpp"

#include <fmt/format.h>

#include <cctype>

#include "ulpcheck/support/escape.hpp"

namespace ulpcheck::report_table {

std::string pow_html(const std::string& text) {
  const std::string e = html_escape(text);
  std::string out;
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '^') {
      std::size_t j = i + 1;
      if (j < e.size() && e[j] == '-') ++j;
      while (j < e.size() && std::isdigit(static_cast<unsigned char>(e[j]))) ++j;
      if (j > i + 1 && (j > i + 2 || e[i + 1] != '-')) {
        std::string exp = e.substr(i + 1, j - i - 1);
        if (exp[0] == '-') exp.replace(0, 1, "\u2212");
        out += "<sup>" + exp + "</sup>";
        i = j - 1;
        continue;
      }
    }
    // The only hyphens in these texts are minus signs: "(-2^8, -2^7]", "+-0".
    if (e[i] == '+' && i + 1 < e.size() && e[i + 1] == '-') {
      out += "\u00b1";
      ++i;
    } else if (e[i] == '-' && i + 1 < e.size() && e[i + 1] == '2') {
      out += "\u2212";
    } else {
      out += e[i];
    }
  }
  return out;
}

std::string badge_html(bool pass) {
  return pass ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
}

namespace {

std::string markdown(const Span& s) {
  switch (s.style) {
    case Style::code: return fmt::format("`{}`", s.text);
    case Style::flag: return fmt::format("**{}**", s.text);
    case Style::verdict: return s.text == "PASS" ? s.text : fmt::format("**{}**", s.text);
    case Style::dash: return "-";
    case Style::gap: return " ";
    case Style::bits: return fmt::format("(`{}`)", s.text);
    case Style::html_only: return {};
    case Style::text:
    case Style::param:
    case Style::markdown_only:
    case Style::name:
    case Style::math:
    case Style::alarm:
    case Style::note: break;
  }
  return s.text;
}

std::string html(const Span& s) {
  std::string out;
  switch (s.style) {
    case Style::text:
    case Style::flag: out = html_escape(s.text); break;
    case Style::code:
    case Style::name: out = "<code>" + html_escape(s.text) + "</code>"; break;
    case Style::math: out = pow_html(s.text); break;
    case Style::alarm: out = "<strong>" + html_escape(s.text) + "</strong>"; break;
    case Style::note: out = "<span class=\"muted\">" + pow_html(s.text) + "</span>"; break;
    case Style::verdict: out = badge_html(s.text == "PASS"); break;
    case Style::dash: out = "&ndash;"; break;
    case Style::gap: out = "<br>"; break;
    case Style::param: out = "<span class=\"chip param\">" + html_escape(s.text) + "</span>"; break;
    case Style::bits: out = "<code>" + html_escape(s.text) + "</code>"; break;
    case Style::markdown_only: break;
    case Style::html_only: out = s.text; break;
  }
  return s.href.empty() ? out : fmt::format("<a href=\"{}\">{}</a>", s.href, out);
}

template <class Render>
std::string cell_text(const Cell& c, Render render) {
  std::string out;
  for (const Span& s : c.spans) out += render(s);
  return out;
}

const char* align_class(Align a) { return a == Align::right ? " class=\"n\"" : ""; }

Align html_align(const Column& c) { return c.html_align.value_or(c.align); }

/// A header's class attribute in HTML.
const char* th_class(const Column& c) { return align_class(html_align(c)); }

/// A cell's class attribute in HTML: its column's alignment, then its own class.
std::string td_class(const Table& t, std::size_t i, const Cell& c) {
  const bool right = i < t.columns.size() && html_align(t.columns[i]) == Align::right;
  if (c.html_class.empty()) return right ? " class=\"n\"" : "";
  return fmt::format(" class=\"{}{}\"", right ? "n " : "", c.html_class);
}

}  // namespace

std::string cell_markdown(const Cell& c) { return cell_text(c, markdown); }
std::string cell_html(const Cell& c) { return cell_text(c, html); }

/// The group whose columns include column i, or null.
const Group* group_of(const Table& t, std::size_t i) {
  for (const Group& g : t.groups)
    if (i >= g.first && i < g.first + g.size) return &g;
  return nullptr;
}

std::string render_markdown(const Table& t) {
  std::string out = "|";
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const Group* g = group_of(t, i);
    const std::string header = cell_markdown(t.columns[i].header);
    out += g && g->first == i ? fmt::format(" {}: {} |", cell_markdown(g->title), header)
                              : fmt::format(" {} |", header);
  }
  out += "\n|";
  for (const Column& c : t.columns) out += c.align == Align::right ? "---:|" : "---|";
  out += '\n';
  for (const Row& r : t.rows) {
    if (r.shown == Shown::html) continue;
    out += '|';
    for (const Cell& c : r.cells) out += fmt::format(" {} |", cell_markdown(c));
    out += '\n';
  }
  return out + '\n';
}

std::string render_html(const Table& t) {
  std::string out;
  if (t.scroll)
    out += t.scroll_style.empty() ? "<div class=\"scroll\">"
                                  : fmt::format("<div class=\"scroll\" style=\"{}\">", t.scroll_style);
  out += t.html_class.empty() ? "<table>" : fmt::format("<table class=\"{}\">", t.html_class);
  out += "<thead><tr>";
  if (t.groups.empty()) {
    for (const Column& c : t.columns) out += fmt::format("<th{}>{}</th>", th_class(c), cell_html(c.header));
  } else {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const Group* g = group_of(t, i);
      if (!g)
        out += fmt::format("<th rowspan=\"2\"{}>{}</th>", th_class(t.columns[i]),
                           cell_html(t.columns[i].header));
      else if (g->first == i)
        out += fmt::format("<th colspan=\"{}\">{}</th>", g->size, cell_html(g->title));
    }
    out += "</tr><tr>";
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      if (group_of(t, i))
        out += fmt::format("<th{}>{}</th>", th_class(t.columns[i]), cell_html(t.columns[i].header));
  }
  out += "</tr></thead><tbody>";
  for (const Row& r : t.rows) {
    if (r.shown == Shown::markdown) continue;
    out += r.fail ? "<tr class=\"fail\">" : "<tr>";
    for (std::size_t i = 0; i < r.cells.size(); ++i)
      out += fmt::format("<td{}{}>{}</td>", td_class(t, i, r.cells[i]),
                         r.cells[i].title.empty() ? "" : " title=\"" + html_escape(r.cells[i].title) + "\"",
                         cell_html(r.cells[i]));
    out += "</tr>";
  }
  out += "</tbody></table>";
  if (t.scroll) out += "</div>";
  return out;
}

}  // namespace ulpcheck::report_table
