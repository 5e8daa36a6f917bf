// HTMLReport: one self-contained page about a sweep (`hpsearch report`): summary, learning
// curves, the metric against each hyperparameter, parallel coordinates, parameter importance,
// early-stopping savings, ensembles and distillation, where the models fail, the first layer,
// baselines to beat, training health and prediction dynamics, what the network sees (check/inputs.png), checks, the sweep file and
// environment. Inline SVG and CSS, pictures as PNG `data:` URIs: no scripts, fonts, links or
// external images, nothing fetched. The page is well-formed XHTML (every tag closed, all text
// escaped), so XML tools can read it too.
import Foundation
import Search
import Storage

public enum HTMLReport {
    /// The page for `input`. `generatedAt` is printed in the header.
    public static func render(_ input: ReportInput, generatedAt: Date = Date()) -> String {
        let summary = SweepSummary(input)
        let top = Array(input.ranked.prefix(5))
        let axes = ParameterAxis.axes(spec: input.spec, trials: input.trials)
        let varying = axes.filter { $0.distinct > 1 }
        var body = header(input, summary, generatedAt: generatedAt)
        body += section("Learning curves", curves(input, top: top))
        body += section("\(input.spec.metric.name) against each hyperparameter", scatter(input, axes: varying, constant: axes.filter { $0.distinct <= 1 }, top: top))
        body += section("Parallel coordinates", parallel(input, axes: varying))
        body += section("Parameter importance", importance(input, axes: varying))
        if input.spec.repeats > 1 { body += section("Configurations over their repeats", repeatsTable(input)) }
        body += section("Early-stopping savings", savings(summary))
        body += section("Ensembles and distillation", ensembles(input))
        body += failuresSection(input)
        body += firstLayerSection(input)
        body += baselinesSection(input)
        body += healthSection(input)
        body += inputsSection(input)
        if let check = input.checkText { body += section("Checks (check.json)", "<pre>" + Markup.escape(prettyJSON(check)) + "</pre>\n") }
        body += section("All trials, best first", trialsTable(input))
        body += section("Sweep file", "<pre>" + Markup.escape(input.sweep.specText) + "</pre>\n")
        body += section("Environment", environment(input))
        return """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(Markup.escape("hpsearch report: " + input.sweep.name))</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let style = """

    body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; }
    h1 { margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    .meta, .note { color: #666; } table { border-collapse: collapse; margin: 8px 0; }
    th, td { padding: 3px 10px; text-align: left; border-bottom: 1px solid #eee; vertical-align: top; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.total td { font-weight: bold; } pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 12px; }
    .charts { display: flex; flex-wrap: wrap; gap: 8px; } svg.chart { border: 1px solid #eee; }
    .state-failed, .state-diverged, .state-lost { color: #b00; }

    """

    static func section(_ title: String, _ content: String) -> String {
        "<section>\n<h2>\(Markup.escape(title))</h2>\n\(content)</section>\n"
    }

    static func row(_ cells: [String], header: Bool = false, numeric: Set<Int> = [], cssClass: String? = nil) -> String {
        let tag = header ? "th" : "td"
        return "<tr\(cssClass.map { " class=\"\($0)\"" } ?? "")>" + cells.enumerated().map { i, c in
            "<\(tag)\(numeric.contains(i) ? " class=\"num\"" : "")>\(c)</\(tag)>"
        }.joined() + "</tr>\n"
    }

    /// A table row with a label (`th`) and a value (markup, already escaped).
    static func fact(_ label: String, _ value: String) -> String {
        "<tr><th>\(Markup.escape(label))</th><td>\(value)</td></tr>\n"
    }

    // MARK: Sections

    static func header(_ input: ReportInput, _ s: SweepSummary, generatedAt: Date) -> String {
        let e = Markup.escape, spec = input.spec
        var stopping: [String] = []
        if let p = spec.earlyStopping.patience { stopping.append("patience \(p)") }
        if spec.earlyStopping.scheduler.type != "none" { stopping.append(spec.earlyStopping.scheduler.type) }
        let meta = [input.directory.map { "run directory \($0)" }, "model \(spec.model)", "metric \(spec.metric.name) (\(spec.metric.goal.rawValue))",
                    "sampler \(spec.sampler.rawValue)", "early stopping: " + (stopping.isEmpty ? "none" : stopping.joined(separator: ", ")),
                    "generated \(Markup.date(generatedAt))"].compactMap { $0 }
        var h = "<h1>Sweep \(e(input.sweep.name))</h1>\n<p class=\"meta\">\(e(meta.joined(separator: " · ")))</p>\n<table class=\"summary\">\n"
        let budgeted = s.budget.hasTrialLimit ? " of \(s.budget.trials) budgeted" : ""
        let timed = s.budget.time.map { " (time budget \(Budget.format(seconds: $0)))" } ?? ""
        h += fact("trials", "<span id=\"trial-count\">\(s.trials)</span>\(budgeted)\(timed)"
                  + (s.ended.map { "; ended early: " + e($0) } ?? "")
                  + (s.isUnfinished ? " (the sweep is not finished: this is a snapshot)" : ""))
        let shown: [TrialState] = [.completed, .earlyStopped, .pruned, .stopped, .diverged, .failed, .lost]
            + [.pending, .running].filter { (s.states[$0] ?? 0) > 0 }
        h += fact("by state", shown.map { "\($0.rawValue) <b>\(s.states[$0] ?? 0)</b>" }.joined(separator: " · "))
        if let best = s.best, let value = best.bestValue {
            let config = ParameterAxis.axes(spec: spec, trials: [best]).map { "\($0.name)=\(Markup.value(best.configuration[$0.name]))" }
            h += fact("best trial", "#<span id=\"best-trial\">\(best.index)</span>: \(e(spec.metric.name)) "
                      + "<span id=\"best-value\" data-value=\"\(value.description)\">\(Markup.value(value))</span>"
                      + (best.bestEpoch.map { " at epoch \($0)" } ?? "") + " (\(best.state.rawValue))<br/>" + e(config.joined(separator: ", ")))
        } else {
            h += fact("best trial", "none yet (no trial has a finite \(e(spec.metric.name)))")
        }
        h += fact("epochs trained", "<span id=\"epochs-trained\">\(s.epochsTrained)</span> of \(s.fullBudgetEpochs) for the full budget ("
                  + "\(s.fullBudgetEpochs / max(s.budget.maxEpochs, 1)) trials × \(s.budget.maxEpochs) epochs)")
        var time = "-"
        if let start = s.firstStart {
            time = Markup.date(start) + " → " + (s.lastFinish.map(Markup.date) ?? "…")
            if let end = s.lastFinish { time += " (\(Markup.duration(end.timeIntervalSince(start))))" }
        }
        h += fact("wall time", e(time) + "; training time summed over epochs and ranks \(e(Markup.duration(s.trainingSeconds)))")
        return h + "</table>\n"
    }

    static func curves(_ input: ReportInput, top: [TrialRecord]) -> String {
        guard !input.epochs.isEmpty else { return "<p class=\"note\">No epoch recorded yet.</p>\n" }
        return "<div class=\"charts\">\n" + LearningCurves.svg(input, top: top) + "</div>\n"
            + "<p class=\"note\">One line per trial with at least one epoch (hover for its numbers). Pruned, diverged and failed trials are faded; "
            + "the y axis follows the other trials (and faded ones near them); lines leaving it are clipped at the edge.</p>\n"
    }

    static func scatter(_ input: ReportInput, axes: [ParameterAxis], constant: [ParameterAxis], top: [TrialRecord]) -> String {
        let ranked = input.ranked
        guard !ranked.isEmpty else { return "<p class=\"note\">No trial has a finite metric value yet.</p>\n" }
        let yScale = ValueScale(covering: ranked.compactMap(\.bestValue), log: false, pad: 0.05)
        var s = "<div class=\"charts\">\n"
        for axis in axes { s += ParameterScatter.svg(axis: axis, trials: ranked, top: top, metric: input.spec.metric, yScale: yScale) }
        s += "</div>\n<p class=\"note\">Each dot is a trial at its best epoch; the top five by \(Markup.escape(input.spec.metric.name)) "
            + "are coloured as in the learning curves. Log x axes where the sweep samples on a log scale; categorical parameters as strips "
            + "(dots spread sideways by a fixed offset per trial)."
        if !constant.isEmpty {
            s += " Not shown (one value in every trial): " + Markup.escape(constant.map { $0.name }.joined(separator: ", ")) + "."
        }
        return s + "</p>\n"
    }

    static func parallel(_ input: ReportInput, axes: [ParameterAxis]) -> String {
        guard !input.trials.isEmpty else { return "<p class=\"note\">No trial yet.</p>\n" }
        let scale = ValueScale(covering: input.ranked.compactMap(\.bestValue), log: false)
        return "<div class=\"charts\">\n" + ParallelCoordinates.svg(axes: axes, trials: input.trials, metric: input.spec.metric, metricScale: scale)
            + "</div>\n<p class=\"note\">One line per trial, coloured by its best \(Markup.escape(input.spec.metric.name)) (brightest = best, drawn on top); "
            + "dashed grey: no finite metric value. Parameters a trial lacks (their condition unmet) sit at 'inactive' below their axis.</p>\n"
    }

    static func importance(_ input: ReportInput, axes: [ParameterAxis]) -> String {
        let rows = input.ranked.map { ($0.configuration, $0.bestValue!) }
        guard rows.count >= 4, !axes.isEmpty else {
            return "<p class=\"note\">Needs at least 4 trials with a finite metric value and a parameter that varies (have \(rows.count)).</p>\n"
        }
        let result = ParameterImportance(parameters: axes.map { ($0.name, $0.isCategorical) }, trials: rows)
        let entries = result.entries.sorted { ($1.share, $0.name) < ($0.share, $1.name) }
        let width = 720.0, barLeft = 170.0, barWidth = 300.0, height = Double(entries.count) * 24 + 12
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart importance\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        for (i, entry) in entries.enumerated() {
            let y = 6 + Double(i) * 24
            s += "<text x=\"\(Markup.px(barLeft - 8))\" y=\"\(Markup.px(y + 15))\" text-anchor=\"end\">\(Markup.escape(entry.name))</text>"
            s += "<rect x=\"\(barLeft)\" y=\"\(Markup.px(y + 3))\" width=\"\(barWidth)\" height=\"16\" fill=\"#f0f0f0\"/>"
            s += "<rect x=\"\(barLeft)\" y=\"\(Markup.px(y + 3))\" width=\"\(Markup.px(barWidth * entry.share))\" height=\"16\" fill=\"#1f77b4\"/>"
            s += "<text x=\"\(Markup.px(barLeft + barWidth + 8))\" y=\"\(Markup.px(y + 15))\">"
                + String(format: "%.0f%%  (ε² %.2f, %d bins)", entry.share * 100, entry.explained, entry.bins) + "</text>\n"
        }
        s += "</svg>\n"
        return "<div class=\"charts\">\n" + s + "</div>\n<p class=\"note\">" + Markup.escape(ParameterImportance.methodSentence)
            + " Computed over \(result.trials) trials with a finite metric value.</p>\n"
    }

    static func savings(_ s: SweepSummary) -> String {
        let width = 640.0, barWidth = 400.0, left = 110.0
        let ratio = s.fullBudgetEpochs > 0 ? min(Double(s.epochsTrained) / Double(s.fullBudgetEpochs), 1) : 0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart savings\" width=\"\(Int(width))\" height=\"70\" viewBox=\"0 0 \(Int(width)) 70\" "
            + "font-family=\"sans-serif\" font-size=\"12\">\n"
        let bars: [(label: String, fraction: Double, colour: String, epochs: Int)] =
            [("full budget", 1.0, "#c7c7c7", s.fullBudgetEpochs), ("trained", ratio, "#2ca02c", s.epochsTrained)]
        for (i, item) in bars.enumerated() {
            let y = 8 + Double(i) * 28
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(item.0)</text>"
            svg += "<rect x=\"\(left)\" y=\"\(y + 2)\" width=\"\(Markup.px(barWidth * item.1))\" height=\"18\" fill=\"\(item.2)\"/>"
            svg += "<text x=\"\(Markup.px(left + barWidth * item.1 + 6))\" y=\"\(y + 15)\">\(item.3) epochs</text>\n"
        }
        svg += "</svg>\n"
        return "<p>\(s.epochsTrained) epochs trained against \(s.fullBudgetEpochs) for a sweep without early stopping "
            + "(\(s.fullBudgetEpochs / max(s.budget.maxEpochs, 1)) trials × \(s.budget.maxEpochs) epochs): "
            + String(format: "<b>%.0f%%</b> of the budget's epochs saved", s.savedFraction * 100)
            + (s.isUnfinished ? " so far (the sweep is not finished)" : "") + ".</p>\n<div class=\"charts\">\n" + svg + "</div>\n"
    }

    /// `repeats:` — each configuration's mean ± standard deviation over its repeats, best first.
    static func repeatsTable(_ input: ReportInput) -> String {
        let e = Markup.escape, spec = input.spec
        var h = "<p>Each configuration trained with \(spec.repeats) seeds (<code>repeats: \(spec.repeats)</code>); its figure is the mean of "
            + "its repeats' \(e(spec.metric.name)) at their best epochs, and the cross-trial stopper judged that mean. "
            + "A spread as large as the gaps between configurations means their order is seed noise.</p>\n"
        h += "<table class=\"trials\"><tr><th>configuration</th><th>trials</th><th>mean</th><th>standard deviation</th><th>repeats with a value</th></tr>\n"
        for g in ConfigurationStatistics.ranked(input.trials, repeats: spec.repeats, metric: spec.metric).prefix(50) {
            h += "<tr><td>\(g.index)</td><td>\(g.trials.map(String.init).joined(separator: ", "))</td><td>\(g.mean.map(Markup.value) ?? "-")</td>"
                + "<td>\(g.standardDeviation.map(Markup.value) ?? "-")</td><td>\(g.count)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    static func trialsTable(_ input: ReportInput) -> String {
        let e = Markup.escape, names = SweepExport.parameterNames(input)
        let ranked = input.ranked, rankedSet = Set(ranked.map(\.index))
        let ordered = ranked + input.trials.filter { !rankedSet.contains($0.index) }
        let regression = input.spec.task == .regression   // no accuracy column
        var s = "<table class=\"trials\">\n" + row(["trial", "state", "rank", "epochs", "best epoch", e(input.spec.metric.name), "val_loss"]
                                                  + (regression ? [] : ["val_accuracy"]) + names.map(e) + ["message"], header: true)
        for t in ordered {
            let state = "<span class=\"state-\(t.state.rawValue)\">\(t.state.rawValue)</span>"
            let facts: [String] = [String(t.index), state, t.rank.map(String.init) ?? "-", String(t.epochs), t.bestEpoch.map(String.init) ?? "-",
                                   Markup.value(t.bestValue), Markup.value(t.bestValidationLoss)]
                + (regression ? [] : [Markup.value(t.bestValidationAccuracy)])
            let params: [String] = names.map { e(Markup.value(t.configuration[$0])) }
            s += row(facts + params + [e(t.message ?? "")], numeric: regression ? [0, 2, 3, 4, 5, 6] : [0, 2, 3, 4, 5, 6, 7])
        }
        return s + "</table>\n"
    }

    static func environment(_ input: ReportInput) -> String {
        let e = Markup.escape
        var s = "<table class=\"environment\">\n"
        s += fact("sweep created", e(Markup.date(input.sweep.createdAt))) + fact("sweep seed", String(input.sweep.seed))
        for (key, value) in input.sweep.environment.sorted(by: { $0.key < $1.key }) { s += fact(key, e(value)) }
        return s + "</table>\n"
    }

    /// `text` re-indented when it is JSON; as it is otherwise.
    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
