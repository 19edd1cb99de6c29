#include "report/html.hpp"

#include <fmt/format.h>

#include "joule/version.h"

namespace joule::report::html {
namespace {

// Loads nothing: a reference to any font, script, style sheet or image
// outside the page is refused by the browser (and logged, which the tests
// look for). Images may only be inline data.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

// System fonts only, so that nothing is fetched. Print: A4 with margins,
// sections kept whole where they fit, no backgrounds lost.
constexpr std::string_view kStyle = R"(
:root { --ink: #1d2327; --muted: #5f6b73; --rule: #d5dadd; --measured: #1e6b52;
        --modelled: #9a5b00; }
* { box-sizing: border-box; }
body { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1.5rem;
       line-height: 1.4; font-size: 14px; }
h1 { font-size: 1.5rem; margin: 0 0 0.75rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; border-bottom: 1px solid var(--rule);
     padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
.banner { border-left: 6px solid var(--measured); background: #eef6f2; padding: 0.6rem 0.9rem;
          margin-bottom: 1rem; }
.banner.modelled { border-left-color: var(--modelled);
  background: repeating-linear-gradient(135deg, #fff6e5 0 10px, #fdebc8 10px 20px); }
.banner strong { display: block; font-size: 1.05rem; }
.banner ul { margin: 0.3rem 0 0; padding-left: 1.1rem; }
.figures { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 0.5rem 0 1rem; }
.figure { border: 2px solid var(--measured); border-radius: 6px; padding: 0.5rem 0.8rem;
          min-width: 11rem; }
.figure.modelled { border-style: dashed; border-color: var(--modelled); }
.figure .name { color: var(--muted); font-size: 0.85rem; }
.figure .value { font-size: 1.5rem; font-weight: 600; white-space: nowrap; }
.figure .range { color: var(--muted); font-size: 0.85rem; white-space: nowrap; }
.figure .tag { font-size: 0.75rem; color: var(--modelled); font-weight: 600;
               text-transform: uppercase; }
table { border-collapse: collapse; margin: 0.4rem 0 0.8rem; font-size: 0.9rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left;
         vertical-align: top; }
th { background: #f3f5f6; }
.scroll { overflow-x: auto; }
table.wide { font-size: 0.78rem; }
table.wide th { white-space: normal; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 0.85rem; }
.verdict { font-weight: 600; }
.labels { display: flex; flex-wrap: wrap; gap: 0.8rem; }
svg { max-width: 100%; height: auto; }
code { font-size: 0.85rem; background: #f3f5f6; padding: 0 0.2rem; word-break: break-all; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.8rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  section > table, figure, .figures, svg { break-inside: avoid; }
  .scroll { overflow: visible; }
  table.wide { font-size: 6.5px; }
  table.wide th, table.wide td { padding: 0.1rem 0.25rem; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)";

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string table(const Rows& rows, const std::vector<bool>& right_aligned) {
  if (rows.empty()) return "";
  // Many columns (the bench's table has 16): a smaller face, so that it fits
  // the screen and an A4 page.
  const std::size_t wide_columns = 9;
  const bool wide = rows.front().size() >= wide_columns;
  std::string out = wide ? "<div class=\"scroll\"><table class=\"wide\">\n" : "<table>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const char* cell = r == 0 ? "th" : "td";
    out += "<tr>";
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const bool right = c < right_aligned.size() && right_aligned[c];
      out +=
          fmt::format("<{0}{1}>{2}</{0}>", cell, right ? " class=\"num\"" : "", escape(rows[r][c]));
    }
    out += "</tr>\n";
  }
  return out + (wide ? "</table></div>\n" : "</table>\n");
}

std::string banner(const Banner& b) {
  std::string out = fmt::format("<div class=\"banner{}\" role=\"note\"><strong>{}</strong>",
                                b.modelled ? " modelled" : "", escape(b.headline));
  if (!b.lines.empty()) out += list(b.lines);
  return out + "</div>\n";
}

std::string figures(const std::vector<Figure>& figures) {
  std::string out = "<div class=\"figures\">\n";
  for (const Figure& f : figures) {
    out += fmt::format(
        "<div class=\"figure{}\"><div class=\"name\">{}</div><div class=\"value\">{}</div>",
        f.modelled ? " modelled" : "", escape(f.name), escape(f.value));
    if (!f.range.empty()) out += fmt::format("<div class=\"range\">{}</div>", escape(f.range));
    if (f.modelled) out += "<div class=\"tag\">modelled, not measured</div>";
    out += "</div>\n";
  }
  return out + "</div>\n";
}

std::string section(std::string_view title, std::string_view body) {
  return fmt::format("<section>\n<h2>{}</h2>\n{}</section>\n", escape(title), body);
}

std::string paragraph(std::string_view text, std::string_view css_class) {
  if (css_class.empty()) return fmt::format("<p>{}</p>\n", escape(text));
  return fmt::format("<p class=\"{}\">{}</p>\n", css_class, escape(text));
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "<ul>";
  for (const std::string& item : items) out += "<li>" + escape(item) + "</li>";
  return out + "</ul>\n";
}

std::string page(std::string_view title, std::string_view body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"joule {}\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n{}"
      "<footer>Written by joule {}. Self-contained: no script, nothing loaded from "
      "elsewhere.</footer>\n</body>\n</html>\n",
      kContentSecurityPolicy, JOULE_VERSION_STRING, escape(title), kStyle, escape(title), body,
      JOULE_VERSION_STRING);
}

}  // namespace joule::report::html
