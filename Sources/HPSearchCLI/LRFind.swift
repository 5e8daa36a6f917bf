// `hpsearch lr-find`: Smith's learning-rate range test on a sweep's default configuration.
import ArgumentParser
import Foundation
import Reports
import Training

struct LRFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Smith's learning-rate range test: ramp the rate exponentially, watch the smoothed loss, suggest a rate.",
        discussion: "Writes the curve as CSV and SVG (lr-find.csv, lr-find.svg in --output-dir)."
    )

    @OptionGroup var sweep: SweepOptions

    @Option(help: "Steps (batches) of the ramp.")
    var steps = 200

    @Option(name: .customLong("min-lr"), help: "First learning rate.")
    var minRate = 1e-7

    @Option(name: .customLong("max-lr"), help: "Last learning rate.")
    var maxRate = 10.0

    @Option(help: "Directory for lr-find.csv and lr-find.svg.")
    var outputDir = "."

    @Flag(help: "Print one JSON object: {suggested_lr, min_loss_lr, diverged, steps, csv, svg}.")
    var json = false

    func validate() throws {
        guard steps >= 10 else { throw ValidationError("--steps must be at least 10") }
        guard minRate > 0, maxRate > minRate else { throw ValidationError("need 0 < --min-lr < --max-lr") }
    }

    func run() throws {
        let (spec, _, config, data) = try sweep.load(log: logLine)
        var test = LRRangeTest(config: config, data: data, seed: sweep.seed ?? spec.seed)
        test.steps = steps
        test.minRate = minRate
        test.maxRate = maxRate
        let r = try test.run()
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let csvPath = (outputDir as NSString).appendingPathComponent("lr-find.csv")
        let svgPath = (outputDir as NSString).appendingPathComponent("lr-find.svg")
        var csv = "step,learning_rate,loss,smoothed_loss\n"
        for p in r.points { csv += "\(p.step),\(p.learningRate),\(p.loss),\(p.smoothedLoss)\n" }
        try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        var plot = LinePlot(title: "LR range test — \(spec.name) (\(config.optimizer.rawValue), batch \(config.batchSize))",
                            xLabel: "learning rate", yLabel: "training loss", logX: true)
        plot.series = [
            .init(name: "loss", points: r.points.map { ($0.learningRate, $0.loss) }, color: "#bbbbbb", width: 1),
            .init(name: "smoothed loss", points: r.points.map { ($0.learningRate, $0.smoothedLoss) }, color: "#1f77b4", width: 2),
        ]
        let first = r.points.first?.smoothedLoss ?? 1, lowest = r.points.map(\.smoothedLoss).filter(\.isFinite).min() ?? 0
        plot.yRange = min(lowest, first) * 0.9...max(first, lowest) * 1.3
        plot.markers = [.init(x: r.suggested, label: String(format: "suggested %.2g", r.suggested)),
                        .init(x: r.minimumLossRate, label: String(format: "min loss %.2g", r.minimumLossRate), color: "#7f7f7f")]
        try plot.svg().write(toFile: svgPath, atomically: true, encoding: .utf8)
        if json {
            try printJSON(["suggested_lr": r.suggested, "min_loss_lr": r.minimumLossRate, "diverged": r.diverged,
                           "steps": r.points.count, "csv": csvPath, "svg": svgPath])
        } else {
            print(String(format: "suggested learning rate: %.3g (steepest descent of the smoothed loss)", r.suggested))
            print(String(format: "lowest smoothed loss at %.3g (a tenth of it, %.3g, is the other common rule)", r.minimumLossRate, r.minimumLossRate / 10))
            print("\(r.points.count) steps\(r.diverged ? ", stopped when the loss diverged" : ""); curve: \(csvPath), \(svgPath)")
        }
    }
}
