// LearningCurves: every trial's validation metric per epoch in one SVG chart — one
// `<path class="curve">` per trial with epochs; pruned, diverged and failed trials faded, the
// top five by the sweep metric in distinct colours with a legend.
import Search
import Storage

enum LearningCurves {
    /// States drawn faded: the sweep gave up on them.
    static let faded: Set<TrialState> = [.pruned, .diverged, .failed]

    static func svg(_ input: ReportInput, top: [TrialRecord]) -> String {
        let metric = input.spec.metric
        let byTrial = input.epochsByTrial
        let states = Dictionary(input.trials.map { ($0.index, $0.state) }, uniquingKeysWith: { $1 })
        // The y range follows the trials that were not given up on, widened by at most its own
        // span for faded ones (a diverging tail would flatten everything else); curves that
        // leave it are clipped at the edge.
        let all = input.epochs.map { $0.value(of: metric) }.filter(\.isFinite)
        let kept = input.epochs.filter { !faded.contains(states[$0.trial] ?? .completed) }.map { $0.value(of: metric) }.filter(\.isFinite)
        var ys = kept.isEmpty ? all : kept
        if let lo = ys.min(), let hi = ys.max() {
            let span = max(hi - lo, abs(hi) * 0.1)
            ys += all.filter { $0 >= lo - span && $0 <= hi + span }
        }
        let yScale = ValueScale(covering: ys, log: false, pad: 0.04)
        let maxEpoch = max(input.epochs.map(\.epoch).max() ?? 1, 2)
        let xScale = ValueScale(covering: [1, Double(maxEpoch)], log: false, pad: 0.02)
        let frame = PlotFrame(width: 780, height: 380, right: 175)
        var s = frame.open(title: "\(metric.name) per epoch, every trial", xLabel: "epoch", yLabel: metric.name,
                           xTicks: xScale.ticks().filter { $0.label.allSatisfy(\.isNumber) }, yTicks: yScale.ticks())
        let colours = Dictionary(uniqueKeysWithValues: top.enumerated().map { ($1.index, ColorScale.highlight[$0 % ColorScale.highlight.count]) })
        // Faded first, then the rest, the highlighted ones last (on top).
        let order = input.trials.filter { byTrial[$0.index] != nil }.sorted { a, b in
            func layer(_ t: TrialRecord) -> Int { colours[t.index] != nil ? 2 : faded.contains(t.state) ? 0 : 1 }
            return (layer(a), a.index) < (layer(b), b.index)
        }
        for t in order {
            // Non-finite epochs break the line; a lone point is drawn as a dot (a zero-length
            // segment with round caps).
            var segments: [[String]] = [[]]
            for e in byTrial[t.index] ?? [] {
                let v = e.value(of: metric)
                guard v.isFinite else { if !segments[segments.count - 1].isEmpty { segments.append([]) }; continue }
                segments[segments.count - 1].append(Markup.px(frame.x(xScale.unit(Double(e.epoch)))) + " " + Markup.px(frame.y(yScale.unit(v))))
            }
            let d = segments.filter { !$0.isEmpty }.map { points in
                "M" + points.joined(separator: " L") + (points.count == 1 ? " h0" : "")
            }.joined(separator: " ")
            let colour = colours[t.index] ?? ColorScale.muted
            let opacity = colours[t.index] != nil ? "1" : faded.contains(t.state) ? "0.25" : "0.55"
            let lone = segments.allSatisfy { $0.count <= 1 }   // dots only: drawn wider to be seen
            let width = colours[t.index] != nil ? "2.2" : lone ? "3" : "1.2"
            s += "<path class=\"curve\" data-trial=\"\(t.index)\" data-state=\"\(t.state.rawValue)\" d=\"\(d)\" fill=\"none\" "
                + "stroke=\"\(colour)\" stroke-width=\"\(width)\" stroke-opacity=\"\(opacity)\" stroke-linecap=\"round\"><title>"
                + Markup.escape("trial \(t.index) (\(t.state.rawValue)): best \(metric.name) \(Markup.value(t.bestValue)) at epoch \(t.bestEpoch.map(String.init) ?? "-")")
                + "</title></path>\n"
        }
        // Legend: the top trials, then what grey and faded mean.
        let lx = frame.left + frame.plotWidth + 12
        var ly = frame.top + 8
        s += "<text x=\"\(Markup.px(lx))\" y=\"\(Markup.px(ly))\" font-weight=\"bold\">top \(top.count) by \(Markup.escape(metric.name))</text>\n"
        for (i, t) in top.enumerated() {
            ly += 16
            s += "<line x1=\"\(Markup.px(lx))\" y1=\"\(Markup.px(ly - 4))\" x2=\"\(Markup.px(lx + 18))\" y2=\"\(Markup.px(ly - 4))\" stroke=\"\(ColorScale.highlight[i % 5])\" stroke-width=\"2.2\"/>"
            s += "<text x=\"\(Markup.px(lx + 24))\" y=\"\(Markup.px(ly))\">#\(t.index)  \(Markup.value(t.bestValue))</text>\n"
        }
        for (label, opacity) in [("other trials", "0.55"), ("pruned/diverged/failed", "0.25")] {
            ly += 16
            s += "<line x1=\"\(Markup.px(lx))\" y1=\"\(Markup.px(ly - 4))\" x2=\"\(Markup.px(lx + 18))\" y2=\"\(Markup.px(ly - 4))\" stroke=\"\(ColorScale.muted)\" stroke-opacity=\"\(opacity)\" stroke-width=\"1.2\"/>"
            s += "<text x=\"\(Markup.px(lx + 24))\" y=\"\(Markup.px(ly))\">\(label)</text>\n"
        }
        return s + "</svg>\n"
    }
}
