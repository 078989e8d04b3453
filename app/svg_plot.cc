#include "app/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "http/html.h"

namespace sb {
namespace {

// 1, 2 or 5 times a power of ten, at least `x`.
double nice_ceiling(double x) {
  if (x <= 0) return 1;
  const double p = std::pow(10, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= x) return m * p;
  }
  return 10 * p;
}

std::string tick_label(double v, bool percent) {
  std::ostringstream out;
  if (percent) {
    out << std::lround(v * 100) << " %";
  } else if (std::fabs(v - std::round(v)) < 1e-9) {
    out << std::llround(v);
  } else {
    out << v;
  }
  return out.str();
}

const char* kColours[] = {"#2f6fed", "#1f9d61", "#d98b0b", "#d2372f", "#7c5cff", "#0ea5a5", "#a0a6b4"};

}  // namespace

std::string render_svg(const Plot& p) {
  const double width = 820, height = 430, left = 64, right = 20, top = 54, bottom = 96;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double max = 0;
  for (const auto& s : p.series) {
    for (const auto& v : s.values) {
      if (v) max = std::max(max, *v);
    }
  }
  const double y_max = p.y_max.value_or(nice_ceiling(max));
  const std::size_t n = std::max<std::size_t>(1, p.x_labels.size());
  const double step = plot_w / static_cast<double>(n);
  auto y_of = [&](double v) { return top + plot_h - plot_h * std::clamp(v / y_max, 0.0, 1.0); };
  auto x_mid = [&](std::size_t i) { return left + step * (static_cast<double>(i) + 0.5); };

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" viewBox=\"0 0 " << width << ' ' << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  o << "<text x=\"" << left << "\" y=\"20\" font-size=\"15\" font-weight=\"bold\">" << http::html_escape(p.title) << "</text>\n";
  o << "<text x=\"" << left << "\" y=\"36\" fill=\"#6b7385\">" << http::html_escape(p.subtitle) << "</text>\n";
  // Grid and y ticks.
  for (int i = 0; i <= 5; ++i) {
    const double v = y_max * i / 5, y = y_of(v);
    o << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" stroke=\"#e3e7ee\"/>\n";
    o << "<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\" fill=\"#6b7385\">"
      << tick_label(v, p.percent) << "</text>\n";
  }
  o << "<text transform=\"translate(14," << top + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\" fill=\"#6b7385\">"
    << http::html_escape(p.y_title) << "</text>\n";
  // X labels (thinned to fit).
  const std::size_t every = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(n * 34.0 / plot_w)));
  for (std::size_t i = 0; i < p.x_labels.size(); i += every) {
    o << "<text transform=\"translate(" << x_mid(i) << ',' << top + plot_h + 14 << ") rotate(40)\" fill=\"#6b7385\">"
      << http::html_escape(p.x_labels[i]) << "</text>\n";
  }
  o << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 30 << "\" text-anchor=\"middle\" fill=\"#6b7385\">"
    << http::html_escape(p.x_title) << "</text>\n";
  // Data.
  const std::size_t k = std::max<std::size_t>(1, p.series.size());
  for (std::size_t s = 0; s < p.series.size(); ++s) {
    const char* colour = kColours[s % (sizeof kColours / sizeof *kColours)];
    const auto& values = p.series[s].values;
    if (p.bars) {
      const double bar = step * 0.8 / static_cast<double>(k);
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i]) continue;
        const double x = left + step * static_cast<double>(i) + step * 0.1 + bar * static_cast<double>(s);
        const double y = y_of(*values[i]);
        o << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << bar << "\" height=\"" << top + plot_h - y
          << "\" fill=\"" << colour << "\"/>\n";
      }
    } else {
      std::string path;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i]) {
          if (!path.empty()) o << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"" << path << "\"/>\n";
          path.clear();
          continue;
        }
        std::ostringstream pt;
        pt << x_mid(i) << ',' << y_of(*values[i]) << ' ';
        path += pt.str();
        o << "<circle cx=\"" << x_mid(i) << "\" cy=\"" << y_of(*values[i]) << "\" r=\"2.5\" fill=\"" << colour << "\"/>\n";
      }
      if (!path.empty()) o << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"" << path << "\"/>\n";
    }
  }
  o << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + plot_h << "\" stroke=\"#6b7385\"/>\n";
  o << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << top + plot_h << "\" y2=\"" << top + plot_h
    << "\" stroke=\"#6b7385\"/>\n";
  // Legend, along the bottom.
  double lx = left;
  for (std::size_t s = 0; s < p.series.size(); ++s) {
    o << "<rect x=\"" << lx << "\" y=\"" << height - 16 << "\" width=\"12\" height=\"12\" fill=\""
      << kColours[s % (sizeof kColours / sizeof *kColours)] << "\"/>\n";
    o << "<text x=\"" << lx + 16 << "\" y=\"" << height - 6 << "\">" << http::html_escape(p.series[s].name) << "</text>\n";
    lx += 24 + 7.0 * static_cast<double>(p.series[s].name.size());
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace sb
