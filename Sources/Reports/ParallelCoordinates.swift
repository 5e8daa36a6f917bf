// ParallelCoordinates: all trials at once, one polyline per trial across one vertical axis per
// hyperparameter (log axes where sampled on a log scale, categories evenly spaced) and a last axis
// for the metric; each line coloured by its metric on a sequential scale, the best drawn on top.
import Search
import Storage

enum ParallelCoordinates {
    static func svg(axes: [ParameterAxis], trials: [TrialRecord], metric: MetricSpec, metricScale: ValueScale) -> String {
        let e = Markup.escape, p = Markup.px
        let columns = axes.count + 1
        let width = max(760, 120 * Double(columns) + 120), height = 410.0
        let left = 60.0, right = 110.0, top = 48.0, bottom = 56.0
        let plotHeight = height - top - bottom
        func ax(_ i: Int) -> Double { left + Double(i) * (width - left - right) / Double(max(columns - 1, 1)) }
        func ay(_ u: Double) -> Double { top + (1 - min(max(u, 0), 1)) * plotHeight }
        let absentY = top + plotHeight + 16
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart parallel\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        // The legend's gradient runs like the metric axis (low values at the bottom).
        s += "<defs><linearGradient id=\"metric-gradient\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
        for i in 0...8 {
            let u = Double(i) / 8
            s += "<stop offset=\"\(u)\" stop-color=\"\(ColorScale.sequential(metric.goal == .minimize ? 1 - u : u))\"/>"
        }
        s += "</linearGradient></defs>\n<rect width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"white\"/>\n"
        // "Goodness" in [0, 1]: 1 is the best metric value on the scale, drawn brightest and last.
        func goodness(_ v: Double) -> Double {
            let u = min(max(metricScale.unit(v), 0), 1)
            return metric.goal == .minimize ? 1 - u : u
        }
        let ordered = trials.sorted { a, b in
            let ga = a.bestValue.flatMap { $0.isFinite ? goodness($0) : nil } ?? -1
            let gb = b.bestValue.flatMap { $0.isFinite ? goodness($0) : nil } ?? -1
            return (ga, b.index) < (gb, a.index)
        }
        for t in ordered {
            var points: [String] = []
            for (i, axis) in axes.enumerated() {
                let y = axis.unit(t.configuration[axis.name]).map(ay) ?? absentY
                points.append(p(ax(i)) + "," + p(y))
            }
            let value = t.bestValue.flatMap { $0.isFinite ? $0 : nil }
            if let value { points.append(p(ax(axes.count)) + "," + p(ay(metricScale.unit(value)))) }
            let style = value.map { "stroke=\"\(ColorScale.sequential(goodness($0)))\" stroke-opacity=\"0.8\"" }
                ?? "stroke=\"\(ColorScale.muted)\" stroke-opacity=\"0.4\" stroke-dasharray=\"3 3\""
            s += "<polyline class=\"trial\" data-trial=\"\(t.index)\" fill=\"none\" stroke-width=\"1.4\" \(style) points=\"\(points.joined(separator: " "))\"><title>"
                + e("trial \(t.index) (\(t.state.rawValue)): \(metric.name) \(Markup.value(t.bestValue)); "
                    + axes.map { "\($0.name)=\(Markup.value(t.configuration[$0.name]))" }.joined(separator: ", "))
                + "</title></polyline>\n"
        }
        // Axes over the lines, with ticks and names.
        let allAxes: [(name: String, ticks: [(unit: Double, label: String)], log: Bool)] =
            axes.map { ($0.name, $0.ticks(), $0.isLog) } + [(metric.name, metricScale.ticks(), false)]
        for (i, axis) in allAxes.enumerated() {
            let x = p(ax(i))
            s += "<line x1=\"\(x)\" y1=\"\(p(top))\" x2=\"\(x)\" y2=\"\(p(top + plotHeight))\" stroke=\"#444\"/>"
            s += "<text x=\"\(x)\" y=\"\(p(top - 22))\" text-anchor=\"middle\" font-weight=\"bold\">\(e(axis.name))</text>"
            if axis.log { s += "<text x=\"\(x)\" y=\"\(p(top - 9))\" text-anchor=\"middle\" fill=\"#777\">log scale</text>" }
            s += "\n"
            for t in axis.ticks where t.unit >= -1e-9 && t.unit <= 1 + 1e-9 {
                let y = ay(t.unit)
                s += "<line x1=\"\(x)\" y1=\"\(p(y))\" x2=\"\(p(ax(i) - 4))\" y2=\"\(p(y))\" stroke=\"#444\"/>"
                s += "<text x=\"\(p(ax(i) - 6))\" y=\"\(p(y + 4))\" text-anchor=\"end\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\(e(t.label))</text>\n"
            }
        }
        for (i, axis) in axes.enumerated() where trials.contains(where: { $0.configuration[axis.name] == nil }) {
            s += "<circle cx=\"\(p(ax(i)))\" cy=\"\(p(absentY))\" r=\"2.5\" fill=\"#777\"/>"
            s += "<text x=\"\(p(ax(i)))\" y=\"\(p(absentY + 14))\" text-anchor=\"middle\" fill=\"#777\">inactive</text>\n"
        }
        // Colour legend: the gradient, best at the top.
        let lx = width - right + 40
        s += "<rect x=\"\(p(lx))\" y=\"\(p(top))\" width=\"14\" height=\"\(p(plotHeight))\" fill=\"url(#metric-gradient)\"/>\n"
        s += "<text x=\"\(p(lx + 18))\" y=\"\(p(top + 9))\">\(Markup.value(metricScale.hi))</text>"
        s += "<text x=\"\(p(lx + 18))\" y=\"\(p(top + plotHeight))\">\(Markup.value(metricScale.lo))</text>"
        s += "<text x=\"\(p(lx + 7))\" y=\"\(p(top - 9))\" text-anchor=\"middle\">\(e(metric.name))</text>\n"
        return s + "</svg>\n"
    }
}
