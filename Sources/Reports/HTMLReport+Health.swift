// The report's training-health sections: per-layer health of the top trials as layer × epoch heat
// maps (gradient norm, update-to-weight ratio, dead or saturated units), every trial's flags by
// HealthRules' thresholds, and prediction dynamics: the top trials' outputs on 16 fixed
// validation examples at every epoch, as small multiples.
import Foundation
import Search
import Storage

extension HTMLReport {
    static func healthSection(_ input: ReportInput) -> String {
        section("Training health", health(input)) + section("Prediction dynamics", predictionDynamics(input))
    }

    static func health(_ input: ReportInput) -> String {
        guard !input.health.isEmpty else {
            return "<p class=\"note\">No training health recorded: trials record it at initialisation and after every epoch (stores from before schema 3 have none).</p>\n"
        }
        let byTrial = input.healthByTrial
        var s = "<p>Measured on a fixed batch (the first 128 training examples, evaluation mode) at initialisation (epoch 0) and after every epoch: "
            + "each parametrised layer's gradient norm, its update-to-weight ratio ‖Δθ‖/‖θ‖ at the epoch's last step (rule of thumb ~1e-3), and "
            + "the dead fraction of a ReLU that follows it (units zero for the whole batch) or the saturation of a tanh/sigmoid. "
            + "<code>hpsearch status RUN_DIR --trial N</code> prints every number. Flags: dying ReLU (≥ 50% dead at the last epoch), "
            + "vanishing gradients (first layer's gradient norm &lt; 1e-3 × the last's), exploding (NaN/Inf, or gradient or weight norm over "
            + "1000× its value at initialisation), learning rate too high (median update ratio &gt; 0.1) or too low (&lt; 1e-5 at epoch 1).</p>\n"
        // Flags for every trial.
        let flagged = input.trials.flatMap { t in HealthRules().flags(byTrial[t.index] ?? []) }
        if flagged.isEmpty {
            s += "<p>No trial raised a flag (\(byTrial.count) trials measured).</p>\n"
        } else {
            let counts = Dictionary(grouping: flagged, by: \.kind).mapValues(\.count)
            s += "<p>" + HealthFlag.Kind.allCases.compactMap { k in counts[k].map { "\($0) × \(k.rawValue)" } }.joined(separator: ", ")
                + " over \(Set(flagged.map(\.trial)).count) of \(byTrial.count) trials measured.</p>\n"
            s += "<table class=\"flags\">\n" + row(["trial", "flag", "epoch", "layer", "what"], header: true)
            for f in flagged.prefix(200) {
                s += row([String(f.trial), f.kind.rawValue, String(f.epoch), f.layer.map(String.init) ?? "-", Markup.escape(f.message)], numeric: [0, 2, 3])
            }
            if flagged.count > 200 { s += row(["…", "\(flagged.count - 200) more", "", "", "see status --trial N"]) }
            s += "</table>\n"
        }
        // Heat maps for the top five.
        for t in input.ranked.prefix(5) {
            guard let records = byTrial[t.index], let last = records.last, !last.layers.isEmpty else { continue }
            let epochs = records.map(\.epoch)
            let labels = last.layers.map(\.label)
            func grid(_ stat: (LayerHealth) -> Double) -> [[Double]] {
                last.layers.map { l in records.map { e in e.layers.first { $0.layer == l.layer }.map(stat) ?? .nan } }
            }
            s += "<h3>Trial \(t.index)</h3>\n<div class=\"charts\">\n"
            s += HeatMap(title: "gradient norm", values: grid(\.gradientNorm), rowLabels: labels, columnLabels: epochs.map(String.init)).svg()
            s += HeatMap(title: "update / weight", values: grid(\.updateRatio), rowLabels: labels, columnLabels: epochs.map(String.init)).svg()
            let units = grid { $0.deadFraction.isFinite ? $0.deadFraction : $0.saturation }
            if units.joined().contains(where: \.isFinite) {
                s += HeatMap(title: "dead (ReLU) or saturated fraction", values: units, rowLabels: labels,
                             columnLabels: epochs.map(String.init), logarithmic: false, fixedRange: (0, 1)).svg()
            }
            s += "</div>\n"
            let flags = HealthRules().flags(records)
            s += "<p class=\"note\">" + (flags.isEmpty ? "No flags." : flags.map { Markup.escape($0.kind.rawValue + ": " + $0.message) }.joined(separator: "<br/>")) + "</p>\n"
        }
        return s
    }

    /// The top three trials with probe records: their probability of the true class (regression: the prediction of the
    /// first target against its true value) on each probe example, by epoch.
    static func predictionDynamics(_ input: ReportInput) -> String {
        let byTrial = input.healthByTrial
        let top = Array(input.ranked.filter { !(byTrial[$0.index] ?? []).allSatisfy { $0.probe.isEmpty } }.prefix(3))
        guard let first = top.first, let sample = byTrial[first.index]?.first(where: { !$0.probe.isEmpty }) else {
            return "<p class=\"note\">No probe predictions recorded yet.</p>\n"
        }
        guard let view = input.insight?.validation else {
            return "<p class=\"note\">The probe examples' true labels come from the validation split, which the report could not load"
                + (input.insight?.validationNote.map { " (" + Markup.escape($0) + ")" } ?? "") + ".</p>\n"
        }
        let regression = view.labels.isEmpty || !view.targets.isEmpty
        let count = min(sample.probeCount, view.count), outputs = sample.outputs
        var s = "<p>The first \(count) validation examples, the same for every trial: "
            + (regression ? "each trial's prediction of \(Markup.escape(view.targetNames.first ?? "the target")) by epoch (dashed: the true value)"
                          : "each trial's probability of the true class by epoch (epoch 0: at initialisation)")
            + ". Colours: " + top.enumerated().map { i, t in "<span style=\"color:\(ColorScale.highlight[i])\">trial \(t.index)</span>" }.joined(separator: ", ")
            + ".</p>\n<div class=\"charts\">\n"
        let maxEpoch = Double(top.compactMap { byTrial[$0.index]?.last?.epoch }.max() ?? 1)
        for k in 0..<count {
            // The value range of this small multiple.
            var lo = 0.0, hi = 1.0
            let truth: Double? = regression && view.targets.count > k * max(view.targetNames.count, 1)
                ? view.targets[k * max(view.targetNames.count, 1)] : nil
            if regression {
                var v = top.flatMap { t in (byTrial[t.index] ?? []).compactMap { e in e.probe.count > k * outputs ? Double(e.probe[k * outputs]) : nil } }
                if let truth { v.append(truth) }
                let finite = v.filter(\.isFinite)
                lo = finite.min() ?? 0; hi = finite.max() ?? 1
                if hi <= lo { hi = lo + 1 }
            }
            let frame = PlotFrame(width: 150, height: 116, left: 30, right: 6, top: 26, bottom: 18)
            let name = regression ? (truth.map { "#\(k): " + String(format: "%.4g", $0) } ?? "#\(k)")
                : "#\(k): " + (view.labels[k] < view.classNames.count ? view.classNames[view.labels[k]] : String(view.labels[k]))
            var svg = frame.open(title: name, xLabel: "", yLabel: "",
                                 xTicks: [(0, "0"), (1, String(Int(maxEpoch)))],
                                 yTicks: [(0, String(format: "%.3g", lo)), (1, String(format: "%.3g", hi))], cssClass: "chart small")
            if let png = picture(view, row: k) {
                svg += "<image x=\"2\" y=\"2\" width=\"22\" height=\"22\" style=\"image-rendering:pixelated\" href=\"\(png.dataURI())\"/>\n"
            }
            if let truth {
                let y = Markup.px(frame.y((truth - lo) / (hi - lo)))
                svg += "<line x1=\"\(Markup.px(frame.x(0)))\" y1=\"\(y)\" x2=\"\(Markup.px(frame.x(1)))\" y2=\"\(y)\" stroke=\"#444\" stroke-dasharray=\"3 2\"/>\n"
            }
            for (i, t) in top.enumerated() {
                let points = (byTrial[t.index] ?? []).compactMap { e -> String? in
                    let at = k * outputs + (regression ? 0 : view.labels[k])
                    guard e.probe.count > at, outputs > 0 else { return nil }
                    let v = Double(e.probe[at])
                    guard v.isFinite else { return nil }
                    return Markup.px(frame.x(Double(e.epoch) / max(maxEpoch, 1))) + "," + Markup.px(frame.y((v - lo) / (hi - lo)))
                }
                if !points.isEmpty {
                    svg += "<polyline fill=\"none\" stroke=\"\(ColorScale.highlight[i])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
                }
            }
            s += svg + "</svg>\n"
        }
        return s + "</div>\n"
    }
}
