// PlotFrame: the box, ticks and axis titles of one inline SVG chart, and the mapping from unit
// coordinates (0…1 along each axis) to pixels inside it.

struct PlotFrame {
    var width: Double
    var height: Double
    var left = 58.0, right = 14.0, top = 26.0, bottom = 40.0

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    /// Pixel x of unit position `u` (0 = left edge of the plot area, 1 = right edge).
    func x(_ u: Double) -> Double { left + u * plotWidth }
    /// Pixel y of unit position `v` (0 = bottom, 1 = top), clamped to the plot area.
    func y(_ v: Double) -> Double { top + (1 - min(max(v, 0), 1)) * plotHeight }

    /// The opening `<svg>` element with a background, `title`, the plot box, tick marks with
    /// labels and grid lines, and axis titles. Close it with `</svg>`.
    func open(title: String, xLabel: String, yLabel: String,
              xTicks: [(unit: Double, label: String)], yTicks: [(unit: Double, label: String)], cssClass: String = "chart") -> String {
        let e = Markup.escape, p = Markup.px
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(cssClass)\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(p(width / 2))\" y=\"17\" text-anchor=\"middle\" font-size=\"13\">\(e(title))</text>\n"
        s += "<rect x=\"\(p(left))\" y=\"\(p(top))\" width=\"\(p(plotWidth))\" height=\"\(p(plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        for t in xTicks where t.unit >= -1e-9 && t.unit <= 1 + 1e-9 {
            let xx = p(x(t.unit)), base = top + plotHeight
            s += "<line x1=\"\(xx)\" y1=\"\(p(base))\" x2=\"\(xx)\" y2=\"\(p(base + 4))\" stroke=\"#999\"/>"
            s += "<text x=\"\(xx)\" y=\"\(p(base + 15))\" text-anchor=\"middle\">\(e(t.label))</text>\n"
        }
        for t in yTicks where t.unit >= -1e-9 && t.unit <= 1 + 1e-9 {
            let yy = p(y(t.unit))
            s += "<line x1=\"\(p(left - 4))\" y1=\"\(yy)\" x2=\"\(p(left + plotWidth))\" y2=\"\(yy)\" stroke=\"#eee\"/>"
            s += "<text x=\"\(p(left - 6))\" y=\"\(p(y(t.unit) + 4))\" text-anchor=\"end\">\(e(t.label))</text>\n"
        }
        s += "<text x=\"\(p(left + plotWidth / 2))\" y=\"\(p(height - 8))\" text-anchor=\"middle\">\(e(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(p(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(e(yLabel))</text>\n"
        return s
    }
}
