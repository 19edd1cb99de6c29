#pragma once
// The pieces every HTML report is built from: one self-contained page (styles
// inline, no script, no font or image fetched: a Content-Security-Policy that
// forbids loading anything makes sure of it), a provenance banner, headline
// figures, sections and tables. The run, several-runs and bench pages are
// made of these, and so will the budget page be.
#include <string>
#include <string_view>
#include <vector>

namespace joule::report::html {

using Rows = std::vector<std::vector<std::string>>;

// Text as HTML or XML character data or attribute value: & < > " ' escaped.
std::string escape(std::string_view text);

// A table of text cells (escaped here); the first row is the header.
// `right_aligned[i]` sets column i flush right (numbers).
std::string table(const Rows& rows, const std::vector<bool>& right_aligned);

// How the figures were obtained, at the top of every page. A modelled page
// gets a distinct (hatched, amber) banner whose headline says so in words.
struct Banner {
  bool modelled = false;
  std::string headline;            // "Measured: RAPL package and DRAM, ±5.0%"
  std::vector<std::string> lines;  // sensors, uncertainty, location, ...
};
std::string banner(const Banner& banner);

// One headline figure: "attributed energy" / "12.3 kJ" / "[11.7 kJ – 12.9 kJ]".
// Modelled figures are drawn dashed and tagged "modelled".
struct Figure {
  std::string name;
  std::string value;
  std::string range;  // may be empty
  bool modelled = false;
};
std::string figures(const std::vector<Figure>& figures);

// <section> with an <h2>; `body` is HTML already.
std::string section(std::string_view title, std::string_view body);
// A paragraph of text (escaped here), with an optional CSS class.
std::string paragraph(std::string_view text, std::string_view css_class = "");
// A list of text items (escaped here).
std::string list(const std::vector<std::string>& items);

// The whole document: doctype, CSP, inline screen and A4 print styles, the
// title as <h1>, `body` (HTML), and a footer naming the joule version.
std::string page(std::string_view title, std::string_view body);

}  // namespace joule::report::html
