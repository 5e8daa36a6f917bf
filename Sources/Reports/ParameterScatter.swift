// ParameterScatter: the sweep metric against one hyperparameter, one dot per trial: a log x axis
// where the parameter is sampled on a log scale, and strips (one column per category, dots
// spread sideways by a fixed per-trial offset) for categorical and boolean parameters.
import Search
import Storage

enum ParameterScatter {
    /// A fixed offset in [-0.5, 0.5) for `trial` (SplitMix64 of its index): the same on every run.
    static func jitter(_ trial: Int) -> Double {
        var z = UInt64(bitPattern: Int64(trial)) &+ 0x9E3779B97F4A7C15
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) - 0.5
    }

    /// - Parameters:
    ///   - trials: those to plot (a finite best value); `top` are drawn in their highlight colours.
    ///   - yScale: shared by every parameter's chart, so they compare at a glance.
    static func svg(axis: ParameterAxis, trials: [TrialRecord], top: [TrialRecord], metric: MetricSpec, yScale: ValueScale) -> String {
        let frame = PlotFrame(width: 340, height: 250, left: 54, right: 10)
        let title = axis.name + (axis.isLog ? " (log scale)" : "")
        var s = frame.open(title: title, xLabel: axis.name, yLabel: metric.name, xTicks: axis.ticks(), yTicks: yScale.ticks(), cssClass: "chart scatter")
        let highlight = Dictionary(uniqueKeysWithValues: top.enumerated().map { ($1.index, ColorScale.highlight[$0 % 5]) })
        let spread = axis.isCategorical ? 0.6 / Double(axis.slots) : 0
        var absent = 0
        for t in trials.sorted(by: { (highlight[$0.index] != nil ? 1 : 0, $0.index) < (highlight[$1.index] != nil ? 1 : 0, $1.index) }) {
            guard let value = t.bestValue, let u = axis.unit(t.configuration[axis.name]) else { absent += 1; continue }
            let colour = highlight[t.index] ?? ColorScale.muted
            let cx = frame.x(u + spread * jitter(t.index)), cy = frame.y(yScale.unit(value))
            s += "<circle cx=\"\(Markup.px(cx))\" cy=\"\(Markup.px(cy))\" r=\"\(highlight[t.index] != nil ? 4 : 3)\" fill=\"\(colour)\" "
                + "fill-opacity=\"\(LearningCurves.faded.contains(t.state) ? "0.35" : "0.85")\"><title>"
                + Markup.escape("trial \(t.index) (\(t.state.rawValue)): \(axis.name) = \(Markup.value(t.configuration[axis.name])), \(metric.name) \(Markup.value(value))")
                + "</title></circle>\n"
        }
        if absent > 0 {
            s += "<text x=\"\(Markup.px(frame.left + frame.plotWidth))\" y=\"\(Markup.px(frame.top - 4))\" text-anchor=\"end\" fill=\"#777\">"
                + "\(absent) trial\(absent == 1 ? "" : "s") without it</text>\n"
        }
        return s + "</svg>\n"
    }
}
