#pragma once
// Small SVG charts for command-line results (simulation plots): bars or
// lines over labelled x positions, with axes, ticks and a legend. Text is
// XML-escaped.
#include <optional>
#include <string>
#include <vector>

namespace sb {

struct PlotSeries {
  std::string name;
  std::vector<std::optional<double>> values;  // one per x label; none: a gap
};

struct Plot {
  std::string title;
  std::string subtitle;
  std::string x_title, y_title;
  std::vector<std::string> x_labels;
  std::vector<PlotSeries> series;
  bool bars = false;
  std::optional<double> y_max;  // default: the data's maximum, rounded up
  bool percent = false;         // y ticks as percentages of 1
};

std::string render_svg(const Plot& plot);

}  // namespace sb
